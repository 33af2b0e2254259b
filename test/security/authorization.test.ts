/**
 * Who may do what (security issue): every route Laurel serves against every kind of caller, in
 * one table that reads as the policy; then this course's ids sent from other courses, a
 * learner reaching for another learner's awards, and learners trying what only staff may do.
 * Whatever is refused changes nothing, as read back through the course's own API.
 *
 * The callers: no session; a learner of the course and another learner ("peer"); its teaching
 * assistant and instructor; the LMS's administrator (the instructor with the institution
 * Administrator role); and the instructor of a course on another LMS ("other"), whose session
 * reaches their own course only, so every id of this course is unknown to them (404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import sharp from 'sharp';
import { finishedJob } from '../support/courseApi.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { installInEmulator } from '../demo/installInEmulator.js';
import { issuerKeyOf } from '../../src/store/issuerProfile.js';
import { platformSettingsOf } from '../../src/store/platformSettings.js';
import { credentialByPublicId } from '../../src/store/issuedCredential.js';
import { createExchange } from '../../src/wallets/vcApi/exchange.js';
import type { SeedUser } from '../emulator/index.js';

const CALLERS = ['none', 'learner', 'peer', 'ta', 'instructor', 'admin', 'other'] as const;
type Caller = typeof CALLERS[number];
type Session = Exclude<Caller, 'none'>;

/** Every badge of this course carries this in its name: no answer to another course may show it. */
const HOME = 'HOME-ONLY';

let laurel: RunningLaurel;
/** The course whose data is at stake. */
let home: Connected;
/** Another LMS with a course of its own. */
let other: Connected;
/** The same LMS as home, installed again (Canvas cloud institutions share one issuer): same context id, same user ids. */
let sibling: Connected;
const sessions = {} as Record<Session, string>;
let siblingSession: string;

interface Fixtures {
  badge: string;
  /** Badges each staff caller deletes, from the page and through the API. */
  doomed: Partial<Record<Caller, string>>;
  doomedApi: Partial<Record<Caller, string>>;
  /** The learner's award, given and signed. */
  award: string;
  /** The learner's award waiting for approval (evidence may still be added). */
  pending: string;
  /** Another learner's award waiting for approval. */
  approvable: string;
  revocable: string;
  bulkRevocable: string;
  job: string;
  learnerId: string;
  peerId: string;
  issuer: string;
  list: string;
  achievement: string;
  sha: string;
  /** A VC-API exchange for the learner's award (the id in its URL), and one that does not exist. */
  exchange: string;
  unknownExchange: string;
  /** A public page of badges, published by a learner of the course on the other LMS, and an id that names none. */
  profile: string;
  unknownProfile: string;
  /** A request for erasure that does not exist (an id of the person-key shape). */
  unknownRequest: string;
}
const f = { doomed: {}, doomedApi: {} } as unknown as Fixtures;
let png: Buffer;

const users = () => home.emulator.course.users;
const activeLearners = () => users().filter((u) => u.role === 'Learner' && u.status === 'Active');
async function ltikOf(c: Connected, user: SeedUser): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

const api = (token: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${token}`).send(body),
  put: (path: string, body: object = {}) => request(laurel.url).put(path).set('Authorization', `Bearer ${token}`).send(body),
});

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  [home, other] = await Promise.all([connectEmulator(laurel, 'canvas'), connectEmulator(laurel, 'moodle')]);
  sibling = { emulator: home.emulator, ...(await installInEmulator(home.emulator, laurel.url)) };
  const instructor = users().find((u) => u.role === 'Instructor')!;
  const quiz1 = home.emulator.course.activities.find((a) => a.label === 'Quiz 1')!;
  const tookQuiz1 = new Set(home.emulator.course.results.filter((r) => r.lineItemId === quiz1.id && r.score !== undefined).map((r) => r.userId));
  // The learner and the owner of the award to approve have a Quiz 1 result: they qualify for the approval-mode badge.
  const [learner, approvableOwner] = activeLearners().filter((u) => tookQuiz1.has(u.id));
  const [peer, revocableOwner, bulkRevocableOwner] = activeLearners().filter((u) => u !== learner && u !== approvableOwner);
  f.learnerId = learner!.id;
  f.peerId = peer!.id;

  instructor.siteAdmin = true;
  try { sessions.admin = await ltikOf(home, instructor); } finally { instructor.siteAdmin = false; }
  [sessions.learner, sessions.peer, sessions.ta, sessions.instructor, sessions.other, siblingSession] = await Promise.all([
    ltikOf(home, learner!), ltikOf(home, peer!), ltikOf(home, users().find((u) => u.role === 'TeachingAssistant')!), ltikOf(home, instructor),
    ltikOf(other, other.emulator.course.users.find((u) => u.role === 'Instructor')!), ltikOf(sibling, instructor),
  ]);

  const staff = api(sessions.instructor);
  const createBadge = async (name: string, more: object = {}) => {
    const res = await staff.post('/api/course/badges', { name: `${HOME} ${name}`, rules: { kind: 'approval' }, ...more });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const lineItemId = ((await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Quiz 1')!.id;
  f.badge = await createBadge('Kept');
  await createBadge('Queued', { issueMode: 'approval', rules: { kind: 'completed', lineItemId } });
  for (const who of ['ta', 'instructor', 'admin'] as const) {
    f.doomed[who] = await createBadge(`Deleted from the page by ${who}`);
    f.doomedApi[who] = await createBadge(`Deleted through the API by ${who}`);
  }
  const award = async (userId: string) => (await staff.post('/api/course/awards', { badgeId: f.badge, userId })).body as { id: string; links: { credential: string } };
  const held = await award(learner!.id);
  f.award = held.id;
  f.revocable = (await award(revocableOwner!.id)).id;
  f.bulkRevocable = (await award(bulkRevocableOwner!.id)).id;
  f.job = (await staff.post('/api/course/evaluations')).body.id;
  await finishedJob(api(sessions.instructor), f.job);
  const pending = ((await staff.get('/api/course/awards')).body.awards as { id: string; userId: string; status: string }[]).filter((a) => a.status === 'pending');
  f.pending = pending.find((a) => a.userId === learner!.id)!.id;
  f.approvable = pending.find((a) => a.userId === approvableOwner!.id)!.id;

  png = await sharp({ create: { width: 64, height: 64, channels: 4, background: '#2e6b3a' } }).png().toBuffer();
  const uploaded = await request(laurel.url).post(`/course/badges/${f.badge}/image`).set('Authorization', `Bearer ${sessions.instructor}`).attach('image', png, { filename: 'kept.png', contentType: 'image/png' });
  expect(uploaded.status).toBe(303);
  f.sha = (await staff.get(`/api/course/badges/${f.badge}`)).body.image;

  const credential = (await request(laurel.url).get(new URL(held.links.credential).pathname)).body as { credentialStatus: { statusListCredential: string }; credentialSubject: { achievement: { id: string } } };
  f.list = new URL(credential.credentialStatus.statusListCredential).pathname.split('/').pop()!;
  f.achievement = new URL(credential.credentialSubject.achievement.id).pathname.split('/').pop()!;
  f.issuer = issuerKeyOf({ issuer: home.emulator.issuer, clientId: home.clientId });
  const { walletUrl } = await createExchange((await credentialByPublicId(held.id))!);
  f.exchange = new URL(new URL(walletUrl).searchParams.get('vc_request_url')!).pathname.split('/')[2]!;
  f.unknownExchange = 'A'.repeat(43);

  // A learner of the other LMS's course publishes a page of their badge: no caller here can withdraw it.
  const otherStaff = api(sessions.other);
  const otherBadge = (await otherStaff.post('/api/course/badges', { name: 'Published elsewhere', rules: { kind: 'approval' } })).body.id as string;
  const otherLearner = other.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
  const otherAward = (await otherStaff.post('/api/course/awards', { badgeId: otherBadge, userId: otherLearner.id })).body.id as string;
  const otherLearnerSession = await ltikOf(other, otherLearner);
  const published = await request(laurel.url).post('/me/all/profile').set('Authorization', `Bearer ${otherLearnerSession}`).type('form').send({ award: otherAward });
  expect(published.status).toBe(303);
  const otherLearnerPage = await request(laurel.url).get('/me/all').set('Authorization', `Bearer ${otherLearnerSession}`);
  f.profile = /\/profiles\/([A-Za-z0-9_-]+)/.exec(otherLearnerPage.text)![1]!;
  f.unknownProfile = 'A'.repeat(22);
  f.unknownRequest = 'A'.repeat(32);
});
afterAll(async () => {
  await home?.emulator.close();
  await other?.emulator.close();
  await laurel?.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Body = (who: Caller) => { json?: object; form?: Record<string, string | string[]>; file?: true };

/** One request as `token` (none: no session); `:name` in the path is the fixture of that name. */
function call(method: Method, template: string, token: string | undefined, who: Caller, body?: Body) {
  const path = template.replace(/:(\w+)/g, (_m, name: string) => {
    const value = name === 'doomed' ? f.doomed[who] ?? f.badge : name === 'doomedApi' ? f.doomedApi[who] ?? f.badge : f[name as keyof Fixtures];
    if (typeof value !== 'string') throw new Error(`no fixture ${name}`);
    return encodeURIComponent(value);
  });
  let req = request(laurel.url)[method.toLowerCase() as 'get'](path).redirects(0).set('Accept', path.startsWith('/api/') ? 'application/json' : 'text/html');
  if (token) req = req.set('Authorization', `Bearer ${token}`);
  const b = body?.(who);
  if (b?.json) req = req.send(b.json);
  if (b?.form) req = req.type('form').send(b.form);
  if (b?.file) req = req.attach('image', png, { filename: 'badge.png', contentType: 'image/png' });
  return req;
}

const form = (fields: Record<string, string | string[]>): Body => () => ({ form: fields });
const json = (value: object): Body => () => ({ json: value });
const draft = { combinator: 'all', kind_0: 'approval', issueMode: 'automatic' };

/**
 * The policy. Allowed: 200, 201, 202, 204 or 303; refused: 401 without a session, 403 for the
 * wrong role, 404 for an id this caller's course does not hold (never a hint that it exists elsewhere).
 * The wallet endpoints answer as OAuth does: 400 for a grant they do not know, 401 without their access token.
 */
type Row = [Method, string, none: number, learner: number, peer: number, ta: number, instructor: number, admin: number, other: number, body?: Body];
const POLICY: Row[] = [
  //                                                    none learner peer  ta  instructor admin other
  // The course's pages: staff only.
  ['GET', '/course',                                      401, 403, 403, 200, 200, 200, 200],
  ['GET', '/course/badges/new',                           401, 403, 403, 200, 200, 200, 200],
  ['POST', '/course/badges/preview',                      401, 403, 403, 200, 200, 200, 200, form({ name: 'Draft', ...draft })],
  ['POST', '/course/badges',                              401, 403, 403, 303, 303, 303, 303, (who) => ({ form: { name: `Made by ${who}`, ...draft } })],
  ['GET', '/course/badges/:badge',                        401, 403, 403, 200, 200, 200, 404],
  ['POST', '/course/badges/:badge',                       401, 403, 403, 303, 303, 303, 404, form({ name: `${HOME} Kept`, ...draft })],
  ['GET', '/course/badges/:badge/awards',                 401, 403, 403, 200, 200, 200, 404],
  ['GET', '/course/badges/:badge/image',                  401, 403, 403, 200, 200, 200, 404],
  ['POST', '/course/badges/:badge/image',                 401, 403, 403, 303, 303, 303, 404, () => ({ file: true })],
  ['POST', '/course/badges/:badge/image/delete',          401, 403, 403, 303, 303, 303, 404],
  ['POST', '/course/badges/:doomed/delete',               401, 403, 403, 303, 303, 303, 404],
  ['GET', '/course/preview',                              401, 403, 403, 200, 200, 200, 200],
  ['POST', '/course/evaluate',                            401, 403, 403, 303, 303, 303, 303],
  ['GET', '/course/jobs/:job',                            401, 403, 403, 200, 200, 200, 404],
  ['POST', '/course/awards/:approvable/approve',          401, 403, 403, 303, 303, 303, 404],
  ['GET', '/course/awards/:revocable/revoke',             401, 403, 403, 200, 200, 200, 404],
  ['POST', '/course/awards/:revocable/revoke',            401, 403, 403, 303, 303, 303, 404, form({ reason: 'Policy check' })],
  ['GET', '/course/awards.csv',                           401, 403, 403, 200, 200, 200, 200],
  ['GET', '/course/audit',                                401, 403, 403, 200, 200, 200, 200],
  ['GET', '/course/audit.csv',                            401, 403, 403, 200, 200, 200, 200],
  ['GET', '/course/learners',                             401, 403, 403, 200, 200, 200, 200],
  // Next term: the earlier courses are the caller's own; bringing needs an instructor of both courses,
  // and a column is changed only when it is an old badge column of this course.
  ['GET', '/course/bring-badges',                         401, 403, 403, 200, 200, 200, 200],
  ['POST', '/course/bring-badges',                        401, 403, 403, 403, 403, 403, 403, form({ from: 'a-course-nobody-taught' })],
  ['POST', '/course/badge-columns/delete',                401, 403, 403, 404, 404, 404, 404, form({ lineItem: 'https://lms.example/not-a-column' })],
  ['POST', '/course/badge-columns/adopt',                 401, 403, 403, 404, 404, 404, 404, form({ lineItem: 'https://lms.example/not-a-column' })],
  ['GET', '/course/learners/:learnerId',                  401, 403, 403, 200, 200, 200, 404],
  // Bulk work names its badge and learners or awards in the form: another course's are not found
  // (the revocation starts an empty job in the caller's own course, revoking nothing).
  ['POST', '/course/bulk/award/confirm',                  401, 403, 403, 200, 200, 200, 400, () => ({ form: { badgeId: f.badge, userId: [f.learnerId] } })],
  ['POST', '/course/bulk/award',                          401, 403, 403, 303, 303, 303, 404, () => ({ form: { badgeId: f.badge, userId: [f.learnerId] } })],
  ['POST', '/course/bulk/revoke/confirm',                 401, 403, 403, 200, 200, 200, 400, () => ({ form: { awardId: [f.bulkRevocable] } })],
  ['POST', '/course/bulk/revoke',                         401, 403, 403, 303, 303, 303, 303, () => ({ form: { awardId: [f.bulkRevocable], reason: 'Policy check' } })],
  // The learner's page: anyone launched sees their own; an award is reachable by its learner only.
  ['GET', '/me',                                          401, 200, 200, 200, 200, 200, 200],
  ['POST', '/me/awards/:award/sharing',                   401, 303, 404, 404, 404, 404, 404, form({ showName: 'on' })],
  ['POST', '/me/awards/:pending/evidence',                401, 303, 404, 404, 404, 404, 404, form({ text: 'My notes' })],
  ['POST', '/me/awards/:award/wallet',                    401, 200, 404, 404, 404, 404, 404],
  // All of a learner's badges, from every course of the registration: anyone launched sees their own; a public
  // page of them takes the caller's own signed badges only; stopping it is anyone's for their own (nothing to stop: nothing done).
  ['GET', '/me/all',                                      401, 200, 200, 200, 200, 200, 200],
  ['POST', '/me/all/profile',                             401, 303, 404, 404, 404, 404, 404, () => ({ form: { award: [f.award] } })],
  ['POST', '/me/all/profile/withdraw',                    401, 303, 303, 303, 303, 303, 303],
  // Whether Laurel sends messages to this person: each caller's own choice, whoever they are.
  ['POST', '/me/messages',                                401, 303, 303, 303, 303, 303, 303, form({ messages: 'on' })],
  // A person's own data: anyone launched downloads theirs, and asks for its erasure or cancels the request.
  ['GET', '/me/data',                                     401, 200, 200, 200, 200, 200, 200],
  ['POST', '/me/erasure',                                 401, 303, 303, 303, 303, 303, 303, form({ choice: 'keep' })],
  ['POST', '/me/erasure/cancel',                          401, 303, 303, 303, 303, 303, 303],
  // The course API: staff only.
  ['GET', '/api/course/line-items',                       401, 403, 403, 200, 200, 200, 200],
  ['GET', '/api/course/badges',                           401, 403, 403, 200, 200, 200, 200],
  ['POST', '/api/course/badges',                          401, 403, 403, 201, 201, 201, 201, (who) => ({ json: { name: `Made by ${who}`, rules: { kind: 'approval' } } })],
  ['GET', '/api/course/badges/:badge',                    401, 403, 403, 200, 200, 200, 404],
  ['PUT', '/api/course/badges/:badge',                    401, 403, 403, 200, 200, 200, 404, json({ name: `${HOME} Kept`, rules: { kind: 'approval' } })],
  ['DELETE', '/api/course/badges/:doomedApi',             401, 403, 403, 204, 204, 204, 404],
  ['POST', '/api/course/preview',                         401, 403, 403, 200, 200, 200, 200, json({})],
  ['POST', '/api/course/evaluations',                     401, 403, 403, 202, 202, 202, 202],
  ['GET', '/api/course/evaluations/:job',                 401, 403, 403, 200, 200, 200, 404],
  ['GET', '/api/course/awards',                           401, 403, 403, 200, 200, 200, 200],
  ['POST', '/api/course/awards',                          401, 403, 403, 200, 200, 200, 404, () => ({ json: { badgeId: f.badge, userId: f.learnerId } })],
  ['POST', '/api/course/awards/:approvable/approve',      401, 403, 403, 200, 200, 200, 404],
  ['POST', '/api/course/awards/:revocable/revoke',        401, 403, 403, 200, 200, 200, 404, json({ reason: 'Policy check' })],
  ['POST', '/api/course/awards/:pending/evidence',        401, 403, 403, 201, 201, 201, 404, json({ text: 'Seen in class' })],
  // The learner's API: their own awards only.
  ['GET', '/api/me/awards',                               401, 200, 200, 200, 200, 200, 200],
  ['PUT', '/api/me/awards/:award/sharing',                401, 200, 404, 404, 404, 404, 404, json({ showName: false })],
  ['POST', '/api/me/awards/:pending/evidence',            401, 201, 404, 404, 404, 404, 404, json({ text: 'My notes' })],
  // Administration: the LMS's administrators, for their own platform.
  ['GET', '/admin',                                       401, 403, 403, 403, 403, 200, 403],
  ['POST', '/admin/issuer',                               401, 403, 403, 403, 403, 200, 403, form({ name: 'Home University', url: 'https://home.example.edu', email: 'badges@home.example.edu' })],
  ['POST', '/admin/issuer/rotate-keys',                   401, 403, 403, 403, 403, 200, 403],
  ['POST', '/admin/sync-interval',                        401, 403, 403, 403, 403, 200, 403, form({ syncIntervalMinutes: '' })],
  ['GET', '/admin/audit.csv',                             401, 403, 403, 403, 403, 200, 403],
  // Removing the platform: its confirmation page, and the removal, which a wrong confirmation refuses (removing nothing).
  ['GET', '/admin/removal',                               401, 403, 403, 403, 403, 200, 403],
  ['POST', '/admin/removal',                              401, 403, 403, 403, 403, 400, 403, form({ confirm: 'not this platform' })],
  ['POST', '/admin/administrators',                      401, 403, 403, 403, 403, 200, 403, form({ userId: '424242', action: 'revoke' })],
  ['POST', '/admin/frame-origins',                        401, 403, 403, 403, 403, 200, 403, form({ origin: 'https://policy.example.edu', action: 'remove' })],
  // Learners' data: a request of no platform of theirs is not found; a person is named by LMS user id (nobody has 424242 here).
  ['POST', '/admin/erasure/requests/:unknownRequest/confirm', 401, 403, 403, 403, 403, 404, 403],
  ['POST', '/admin/erasure/requests/:unknownRequest/decline', 401, 403, 403, 403, 403, 404, 403],
  ['GET', '/admin/erasure/export?userId=424242',          401, 403, 403, 403, 403, 400, 403],
  ['POST', '/admin/erasure/erase',                        401, 403, 403, 403, 403, 400, 403, form({ userId: '424242', choice: 'keep', confirm: 'on' })],
  // Public: what verifiers, employers and wallets read, by unguessable ids.
  ['GET', '/verify/:award',                               200, 200, 200, 200, 200, 200, 200],
  // A learner's public page of badges, by its unguessable id: a session adds nothing.
  ['GET', '/profiles/:profile',                           200, 200, 200, 200, 200, 200, 200],
  ['GET', '/profiles/:unknownProfile',                    404, 404, 404, 404, 404, 404, 404],
  ['GET', '/credentials/:award',                          200, 200, 200, 200, 200, 200, 200],
  ['GET', '/credentials/:award.jwt',                      200, 200, 200, 200, 200, 200, 200],
  ['GET', '/credentials/:award.png',                      200, 200, 200, 200, 200, 200, 200],
  ['GET', '/credentials/:award.svg',                      200, 200, 200, 200, 200, 200, 200],
  ['GET', '/credentials/:award/latest',                   200, 200, 200, 200, 200, 200, 200],
  ['GET', '/ob2/assertions/:award',                       200, 200, 200, 200, 200, 200, 200],
  ['GET', '/ob2/assertions/:award.png',                   200, 200, 200, 200, 200, 200, 200],
  ['GET', '/ob2/assertions/:award.svg',                   200, 200, 200, 200, 200, 200, 200],
  ['GET', '/images/:sha',                                 200, 200, 200, 200, 200, 200, 200],
  ['GET', '/issuers/:issuer',                             200, 200, 200, 200, 200, 200, 200],
  ['GET', '/issuers/:issuer/did.json',                    200, 200, 200, 200, 200, 200, 200],
  ['GET', '/issuers/:issuer/jwks.json',                   200, 200, 200, 200, 200, 200, 200],
  ['GET', '/ob2/issuers/:issuer',                         200, 200, 200, 200, 200, 200, 200],
  ['GET', '/ob2/issuers/:issuer/revocations',             200, 200, 200, 200, 200, 200, 200],
  ['GET', '/status/:list',                                200, 200, 200, 200, 200, 200, 200],
  ['GET', '/achievements/:achievement',                   200, 200, 200, 200, 200, 200, 200],
  ['GET', '/achievements/:achievement/image',             200, 200, 200, 200, 200, 200, 200],
  ['GET', '/ob2/badges/:achievement',                     200, 200, 200, 200, 200, 200, 200],
  // Wallets (OpenID4VCI): the issuer's metadata and c_nonces are anyone's; a Laurel session is no
  // access token (401 at the credential endpoint) and no pre-authorized code (400 invalid_grant), whoever holds it.
  ['GET', '/.well-known/openid-credential-issuer/issuers/:issuer', 200, 200, 200, 200, 200, 200, 200],
  ['GET', '/.well-known/oauth-authorization-server/issuers/:issuer', 200, 200, 200, 200, 200, 200, 200],
  ['POST', '/issuers/:issuer/oid4vci/nonce',              200, 200, 200, 200, 200, 200, 200],
  ['POST', '/issuers/:issuer/oid4vci/token',              400, 400, 400, 400, 400, 400, 400, form({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': 'not-an-offer' })],
  ['POST', '/issuers/:issuer/oid4vci/credential',         401, 401, 401, 401, 401, 401, 401, json({ credential_configuration_id: 'OpenBadgeCredential_ldp_vc' })],
  ['GET', '/healthz',                                     200, 200, 200, 200, 200, 200, 200],
  // A wallet's VC-API exchange: its unguessable id is the capability, a session adds nothing.
  // (`{}` asks for the presentation request: the same answer to anyone, until a wallet completes it.)
  ['POST', '/exchanges/:exchange',                        200, 200, 200, 200, 200, 200, 200, json({})],
  ['POST', '/exchanges/:unknownExchange',                 404, 404, 404, 404, 404, 404, 404, json({})],
  // LCW's credential request to the same exchange: a presentation or nothing, whoever holds a session.
  ['POST', '/exchanges/:exchange/credential-request',     400, 400, 400, 400, 400, 400, 400, json({})],
  ['POST', '/exchanges/:unknownExchange/credential-request', 404, 404, 404, 404, 404, 404, 404, json({})],
  // LTI: Laurel's keys and configuration are public; /lti/launch with a session lands on the caller's page.
  ['GET', '/lti/keys',                                    200, 200, 200, 200, 200, 200, 200],
  ['GET', '/lti/canvas.json',                             200, 200, 200, 200, 200, 200, 200],
  ['GET', '/lti/launch',                                  401, 303, 303, 303, 303, 303, 303],
];

const expectedOf = (row: Row) => Object.fromEntries(CALLERS.map((who, i) => [who, row[2 + i]])) as Record<Caller, number>;
const bodyOf = (row: Row) => row[9];
/** Routes that answer from a session's own course; the public ones answer everyone alike. */
const courseBound = (path: string) => /^\/(course|me|api|admin)\b/.test(path);

/** What this course holds, as its instructor reads it, and its platform's settings and keys. */
async function homeState() {
  const staff = api(sessions.instructor);
  return {
    badges: (await staff.get('/api/course/badges')).body.badges,
    awards: (await staff.get('/api/course/awards')).body.awards,
    audit: (await request(laurel.url).get('/course/audit.csv').set('Authorization', `Bearer ${sessions.instructor}`)).text,
    profile: (await request(laurel.url).get(`/issuers/${f.issuer}`)).body,
    settings: await platformSettingsOf(home.emulator.issuer, home.clientId),
  };
}

describe('refusals change nothing', () => {
  const changing = POLICY.filter(([method]) => method !== 'GET');

  it('learners are refused everything that changes the course or its platform, and it stays as it was', async () => {
    const before = await homeState();
    for (const who of ['learner', 'peer'] as const) {
      for (const row of changing.filter((r) => expectedOf(r)[who] === 403)) {
        const res = await call(row[0], row[1], sessions[who], who, bodyOf(row));
        expect(`${who} ${row[0]} ${row[1]}: ${res.status}`).toBe(`${who} ${row[0]} ${row[1]}: 403`);
      }
    }
    expect(await homeState()).toEqual(before);
  });

  // Ids of this course in every URL and form that takes one, from a course on another LMS and
  // from another registration of this very LMS and course (same context id and user ids).
  const SWAPPED: [Method, string, number, Body?][] = [
    ['GET', '/course/badges/:badge', 404],
    ['POST', '/course/badges/:badge', 404, form({ name: 'Taken over', ...draft })],
    ['POST', '/course/badges/:badge/delete', 404],
    ['GET', '/course/badges/:badge/awards', 404],
    ['GET', '/course/badges/:badge/image', 404],
    ['POST', '/course/badges/:badge/image', 404, () => ({ file: true })],
    ['POST', '/course/badges/:badge/image/delete', 404],
    ['POST', '/course/badges/preview', 200, () => ({ form: { id: f.badge, name: 'Draft', ...draft } })], // evaluated in their own course, saved nowhere
    ['GET', '/course/jobs/:job', 404],
    ['POST', '/course/awards/:approvable/approve', 404],
    ['GET', '/course/awards/:award/revoke', 404],
    ['POST', '/course/awards/:award/revoke', 404, form({ reason: 'Taken over' })],
    ['POST', '/course/bulk/award/confirm', 400, () => ({ form: { badgeId: f.badge, userId: [f.learnerId] } })],
    ['POST', '/course/bulk/award', 404, () => ({ form: { badgeId: f.badge, userId: [f.learnerId] } })],
    ['POST', '/course/bulk/revoke/confirm', 400, () => ({ form: { awardId: [f.award, f.revocable] } })],
    ['POST', '/course/bulk/revoke', 303, () => ({ form: { awardId: [f.award, f.revocable], reason: 'Taken over' } })],
    ['POST', '/me/awards/:award/sharing', 404, form({ showName: 'on' })],
    ['POST', '/me/awards/:pending/evidence', 404, form({ text: 'Taken over' })],
    ['POST', '/me/awards/:award/wallet', 404],
    ['GET', '/me/all', 200], // their own badges: none of this course's
    ['POST', '/me/all/profile', 404, () => ({ form: { award: [f.award] } })],
    ['GET', '/api/course/badges/:badge', 404],
    ['PUT', '/api/course/badges/:badge', 404, json({ name: 'Taken over', rules: { kind: 'approval' } })],
    ['DELETE', '/api/course/badges/:badge', 404],
    ['POST', '/api/course/badges', 400, () => ({ json: { name: 'Stacked on theirs', rules: { kind: 'prerequisite', badgeId: f.badge } } })],
    ['POST', '/api/course/preview', 200, () => ({ json: { badge: { id: f.badge, name: 'Draft', rules: { kind: 'approval' } } } })],
    ['GET', '/api/course/evaluations/:job', 404],
    ['POST', '/api/course/awards', 404, () => ({ json: { badgeId: f.badge, userId: f.learnerId } })],
    ['POST', '/api/course/awards/:approvable/approve', 404],
    ['POST', '/api/course/awards/:award/revoke', 404, json({ reason: 'Taken over' })],
    ['POST', '/api/course/awards/:pending/evidence', 404, json({ text: 'Taken over' })],
    ['PUT', '/api/me/awards/:award/sharing', 404, json({ showName: true })],
    ['POST', '/api/me/awards/:pending/evidence', 404, json({ text: 'Taken over' })],
  ];

  it.each([
    ['a course on another LMS', () => sessions.other],
    ['another registration of the same LMS and course', () => siblingSession],
  ])("an instructor of %s reaches nothing of this course by its ids, and it stays as it was", async (_who, session) => {
    const before = await homeState();
    const answers = [];
    for (const [method, path, status, body] of SWAPPED) {
      const res = await call(method, path, session(), 'other', body);
      answers.push({ route: `${method} ${path}`, status: res.status, shows: res.text.includes(HOME) });
      expect.soft(answers.at(-1)).toEqual({ route: `${method} ${path}`, status, shows: false });
    }
    expect(await homeState()).toEqual(before);
  });

  it("a learner id of this course is unknown in a course on another LMS", async () => {
    // (Through another registration of this LMS it names the same person in the same LMS course, whom that registration's roster holds.)
    expect((await call('GET', '/course/learners/:learnerId', sessions.other, 'other')).status).toBe(404);
  });
});

describe("a learner never reads another learner's awards, progress or evidence", () => {
  const EVIDENCE = 'Notes only the learner and staff may read';
  let learnerName: string;

  beforeAll(async () => {
    learnerName = users().find((u) => u.id === f.learnerId)!.name;
    expect((await api(sessions.learner).post(`/api/me/awards/${f.pending}/evidence`, { text: EVIDENCE })).status).toBe(201);
    expect((await api(sessions.learner).put(`/api/me/awards/${f.award}/sharing`, { showName: false })).status).toBe(200);
  });

  it('their awards API and page hold their own awards only', async () => {
    const mine = (await api(sessions.peer).get('/api/me/awards')).body.awards as { id: string; userId: string }[];
    expect(mine.every((a) => a.userId === f.peerId)).toBe(true);
    expect(mine.map((a) => a.id)).not.toContain(f.award);
    for (const path of ['/me', '/me/all']) {
      const page = await call('GET', path, sessions.peer, 'peer');
      expect(page.status).toBe(200);
      for (const theirs of [f.award, f.pending, learnerName, EVIDENCE]) expect(htmlText(page.text)).not.toContain(theirs);
      expect(page.text).not.toContain(f.award);
    }
  });

  it("another learner's standing, roster and awards are staff pages", async () => {
    for (const path of ['/course/learners/:learnerId', '/course/learners', '/course/preview', '/course/badges/:badge/awards', '/course/awards.csv']) {
      expect((await call('GET', path, sessions.peer, 'peer')).status).toBe(403);
    }
    expect((await call('POST', '/api/course/preview', sessions.peer, 'peer', json({}))).status).toBe(403);
    expect((await call('GET', '/api/course/awards', sessions.peer, 'peer')).status).toBe(403);
  });

  it("evidence and sharing posted to another learner's award are not found, and change nothing", async () => {
    const theirs = async () => ((await api(sessions.instructor).get('/api/course/awards')).body.awards as { id: string }[]).filter((a) => [f.award, f.pending].includes(a.id));
    const before = await theirs();
    const attempts: [Method, string, Body][] = [
      ['POST', '/me/awards/:pending/evidence', form({ text: 'Not mine' })],
      ['POST', '/api/me/awards/:pending/evidence', json({ text: 'Not mine' })],
      ['POST', '/me/awards/:award/sharing', form({ showName: 'on' })],
      ['PUT', '/api/me/awards/:award/sharing', json({ showName: true })],
    ];
    for (const [method, path, body] of attempts) expect((await call(method, path, sessions.peer, 'peer', body)).status).toBe(404);
    expect(await theirs()).toEqual(before);
  });

  it("the public page of their badge does not name them unless they chose so", async () => {
    const verify = await call('GET', '/verify/:award', undefined, 'none');
    expect(verify.status).toBe(200);
    expect(htmlText(verify.text)).not.toContain(learnerName);
  });
});

describe('who may call what', () => {
  // The callers of a route ask at once: each answer stands alone (writes are idempotent or aimed at each caller's own target).
  it.each(POLICY.map((row) => [`${row[0]} ${row[1]}`, row] as const))('%s', async (_route, row) => {
    const answers = await Promise.all(CALLERS.map((who) => call(row[0], row[1], who === 'none' ? undefined : sessions[who], who, bodyOf(row))));
    expect(Object.fromEntries(CALLERS.map((who, i) => [who, answers[i]!.status]))).toEqual(expectedOf(row));
    // Another course's session is answered from that course alone.
    if (courseBound(row[1])) expect(answers[CALLERS.indexOf('other')]!.text).not.toContain(HOME);
  });
});
