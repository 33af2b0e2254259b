/**
 * No personal data in logs (issue 20): Laurel's main journeys, on an emulated Canvas and Moodle,
 * with logging at debug, then every line logged searched for the seeded people's names and
 * e-mail addresses, a learner's distinctive grade, and every token the run saw (session ltiks,
 * id_tokens, the LMS's service access tokens, the wallet's pre-authorized code, transaction code
 * and access token). Logs are what an administrator ships to a log service: a leak there outlives
 * any deletion in Laurel's own database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { finishedJob } from '../support/courseApi.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { decodeEntities } from '../support/html.js';
import { createLogger } from '../../src/log.js';
import { Writable } from 'node:stream';
import type { SeedUser } from '../emulator/index.js';

/** A score nothing else in a run prints: the learner's Essay, out of 100, as the course snapshot carries it. */
const GRADE = 87.65;

let laurel: RunningLaurel;
const lmses: Connected[] = [];
/** Every token the run saw, by what it is (for the failure message). */
const tokens: { what: string; value: string }[] = [];

const api = (ltik: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
});
const form = (path: string, ltik: string, fields: Record<string, string> = {}) =>
  request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).redirects(0).type('form').set('Accept', 'text/html').send(fields);
const page = (path: string, ltik: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`).set('Accept', 'text/html');

/** A launch as a browser runs it; keeps its id_token and the session's ltik as tokens seen. */
async function launch(c: Connected, user: SeedUser): Promise<string> {
  const steps = await startLaunch(c, { userId: user.id });
  tokens.push({ what: `id_token of ${user.id}`, value: steps.idToken });
  const res = await finishLaunch(steps);
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  tokens.push({ what: `ltik of ${user.id}`, value: ltik });
  return ltik;
}

/** One course's journeys, as its instructor, a learner, the LMS's administrator and the public run them. */
async function journeys(c: Connected) {
  const users = c.emulator.course.users;
  const instructor = users.find((u) => u.role === 'Instructor')!;
  const [learner, other] = users.filter((u) => u.role === 'Learner' && u.status === 'Active');
  const essay = c.emulator.course.activities.find((a) => a.label === 'Essay')!;
  const result = c.emulator.course.results.find((r) => r.userId === learner!.id && r.lineItemId === essay.id);
  if (result) { result.score = GRADE; result.scoreMaximum = 100; } else c.emulator.course.results.push({ userId: learner!.id, lineItemId: essay.id, score: GRADE, scoreMaximum: 100, timestamp: new Date().toISOString() });

  const staffLtik = await launch(c, instructor);
  const staff = api(staffLtik);
  expect((await page('/course', staffLtik)).status).toBe(200);
  const lineItemId = ((await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Essay')!.id;

  // Creating badges: one a grade earns (so the evaluation reads grades), one given by hand, one awaiting approval.
  const create = async (body: object) => {
    const res = await staff.post('/api/course/badges', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  await create({ name: 'Essayist', rules: { kind: 'minGrade', lineItemId, percent: 80 } });
  const byHand = await create({ name: 'Helper', rules: { kind: 'approval' } });
  await create({ name: 'Reviewed essay', issueMode: 'approval', rules: { kind: 'completed', lineItemId } });
  expect((await form('/course/badges', staffLtik, { name: 'Made on the page', combinator: 'all', kind_0: 'approval', issueMode: 'automatic' })).status).toBe(303);

  // Preview, on the page and through the API, then an evaluation job.
  expect((await form('/course/badges/preview', staffLtik, { name: 'Draft', combinator: 'all', kind_0: 'approval', issueMode: 'automatic' })).status).toBe(200);
  expect((await page('/course/preview', staffLtik)).status).toBe(200);
  const preview = await staff.post('/api/course/preview', { badge: { name: 'Draft', rules: { kind: 'minGrade', lineItemId, percent: 80 } } });
  expect(preview.status, JSON.stringify(preview.body)).toBe(200);
  const job = (await staff.post('/api/course/evaluations')).body.id as string;
  expect((await finishedJob(api(staffLtik), job)).status).toBe('done');
  expect((await page(`/course/jobs/${job}`, staffLtik)).status).toBe(200);

  // A manual award for each learner, the roster and a learner's standing, the course API.
  const given = (await staff.post('/api/course/awards', { badgeId: byHand, userId: learner!.id })).body.id as string;
  const revocable = (await staff.post('/api/course/awards', { badgeId: byHand, userId: other!.id })).body.id as string;
  expect(given && revocable).toBeTruthy();
  expect((await page('/course/learners', staffLtik)).status).toBe(200);
  expect((await page(`/course/learners/${encodeURIComponent(learner!.id)}`, staffLtik)).status).toBe(200);
  expect((await page('/course/awards.csv', staffLtik)).status).toBe(200);
  const awards = (await staff.get('/api/course/awards')).body.awards as { id: string; userId: string; status: string }[];
  expect(awards.some((a) => a.userId === learner!.id)).toBe(true);
  const pending = awards.find((a) => a.userId === learner!.id && a.status === 'pending');

  // The learner: their page, all their badges, evidence for the award awaiting approval, a wallet.
  const learnerLtik = await launch(c, learner!);
  expect((await page('/me', learnerLtik)).status).toBe(200);
  expect((await page('/me/all', learnerLtik)).status).toBe(200);
  expect(pending, 'the learner\'s Essay award awaits approval').toBeDefined();
  expect((await form(`/me/awards/${pending!.id}/evidence`, learnerLtik, { text: `Essay notes by ${learner!.name}` })).status).toBe(303);
  expect((await staff.post(`/api/course/awards/${pending!.id}/approve`)).status).toBe(200);
  await launch(c, other!);
  const wallet = await form(`/me/awards/${given}/wallet`, learnerLtik);
  expect(wallet.status, wallet.text.slice(0, 300)).toBe(200);
  const offerUri = decodeEntities(/href="(openid-credential-offer:[^"]+)"/.exec(wallet.text)![1]!);
  const txCode = /data-tx-code>(\d+)</.exec(wallet.text)?.[1];
  const query = new URLSearchParams(offerUri.slice(offerUri.indexOf('?') + 1));
  const byReference = query.get('credential_offer_uri');
  const offer = byReference ? (await request(laurel.url).get(new URL(byReference).pathname)).body : JSON.parse(query.get('credential_offer')!);
  tokens.push({ what: 'pre-authorized code', value: offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'] });
  if (txCode) tokens.push({ what: 'transaction code', value: txCode });
  // The wallet redeems the code, as at its token endpoint (plain HTTP here, which wallet libraries refuse).
  const code = tokens.at(-1 - (txCode ? 1 : 0))!.value;
  const granted = await request(laurel.url).post(`${new URL(offer.credential_issuer).pathname}/oid4vci/token`).type('form')
    .send({ grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code, ...(txCode ? { tx_code: txCode } : {}) });
  expect(granted.status, JSON.stringify(granted.body)).toBe(200);
  const accessToken = granted.body.access_token as string;
  tokens.push({ what: 'wallet access token', value: accessToken });

  // Revocation with a reason, through the API and the page; the public verification page.
  expect((await staff.post(`/api/course/awards/${revocable}/revoke`, { reason: `Copied from ${learner!.name}` })).status).toBe(200);
  expect((await page(`/course/awards/${given}/revoke`, staffLtik)).status).toBe(200);
  expect((await request(laurel.url).get(`/verify/${given}`)).status).toBe(200);
  expect((await request(laurel.url).get(`/verify/${revocable}`)).status).toBe(200);

  // The LMS's administrator: the admin page. Then the learners' rights: the learner downloads their
  // data and asks for erasure, which the administrator confirms; the other is erased on a request the
  // institution received, their credentials revoked.
  instructor.siteAdmin = true;
  try {
    const adminLtik = await launch(c, instructor);
    expect((await page('/admin', adminLtik)).status).toBe(200);
    expect((await page('/me/data', learnerLtik)).status).toBe(200);
    expect((await form('/me/erasure', learnerLtik, { choice: 'keep' })).status).toBe(303);
    const requestId = /\/admin\/erasure\/requests\/([^/]+)\/confirm/.exec((await page('/admin', adminLtik)).text)![1]!;
    expect((await form(`/admin/erasure/requests/${requestId}/confirm`, adminLtik)).text).toContain('Erased (');
    const otherLmsId = c.emulator.flavour === 'canvas' ? other!.lmsId : other!.id;
    expect((await page(`/admin/erasure/export?userId=${encodeURIComponent(otherLmsId)}`, adminLtik)).status).toBe(200);
    expect((await form('/admin/erasure/erase', adminLtik, { userId: otherLmsId, choice: 'revoke', confirm: 'on' })).text).toContain('Erased (');
    expect((await page('/admin/removal', adminLtik)).status).toBe(200);
  } finally { instructor.siteAdmin = false; }
  expect((await request(laurel.url).get(`/verify/${given}`)).status).toBe(200);
}

/** The Moodle platform removed from its admin page: the removal's own log lines are searched too. */
async function removal(c: Connected) {
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  instructor.siteAdmin = true;
  try {
    const adminLtik = await launch(c, instructor);
    expect((await form('/admin/removal', adminLtik, { confirm: c.emulator.issuer })).status).toBe(200);
  } finally { instructor.siteAdmin = false; }
}

/** Every logged line holding one of the needles, with the needle's description. */
function found(lines: Record<string, unknown>[], needles: { what: string; value: string }[]): string[] {
  const text = lines.map((l) => JSON.stringify(l));
  // As a whole word, in any case: a short given name ("Mei") is also a run of letters inside a random
  // id or hash ("MEiziNX…"), which names nobody.
  const wholeWord = (value: string) => new RegExp(`(?<![\\p{L}\\p{N}])${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'iu');
  return needles.filter((n) => n.value.length >= 3).flatMap((n) => {
    const pattern = wholeWord(n.value);
    return text.filter((t) => pattern.test(t)).map((t) => `${n.what}: ${t.slice(0, 300)}`);
  });
}

/** The seeded people's names (given, family, full) and e-mail addresses, on both LMSs. */
function people(): { what: string; value: string }[] {
  return lmses.flatMap((c) => c.emulator.course.users.flatMap((u) => [
    { what: `name of ${u.id}`, value: u.name },
    { what: `given name of ${u.id}`, value: u.givenName },
    { what: `family name of ${u.id}`, value: u.familyName },
    { what: `e-mail of ${u.id}`, value: u.email },
  ]));
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', LOG_LEVEL: 'debug', RATE_LIMIT_PUBLIC: '10000' });
  lmses.push(...(await Promise.all([connectEmulator(laurel, 'canvas'), connectEmulator(laurel, 'moodle')])));
  for (const c of lmses) await journeys(c);
  await removal(lmses[1]!);
  for (const c of lmses) tokens.push(...c.emulator.accessTokens().map((value) => ({ what: `LMS access token of ${c.emulator.flavour}`, value })));
}, 240_000);
afterAll(async () => {
  for (const c of lmses) await c.emulator.close();
  await laurel?.close();
});

describe('the search is not vacuous', () => {
  it('finds a seeded name, e-mail and token when one is deliberately logged at debug', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
    const person = lmses[0]!.emulator.course.users.find((u) => u.role === 'Learner')!;
    const leaky = createLogger('debug', sink).child({ reqId: 'throwaway' });
    leaky.debug({ who: person.name }, 'a careless line');
    leaky.debug(`mail to ${person.email.toUpperCase()}`);
    leaky.debug({ seen: tokens[0]!.value }, 'a token');
    expect(found(lines, people()).length).toBeGreaterThanOrEqual(4); // full and given/family name, e-mail
    expect(found(lines, [tokens[0]!])).toHaveLength(1);
    expect(found(lines, [{ what: 'grade', value: String(GRADE) }])).toHaveLength(0);
  });

  it('finds a name as a word in any case, not as letters inside an id or hash', () => {
    const mei = [{ what: 'given name', value: 'Mei' }];
    expect(found([{ msg: 'awarded to MEI, by hand' }, { who: 'Mei' }], mei)).toHaveLength(2);
    expect(found([{ courseKey: 'MEiziNXhr7Uqgf8F2BvZPq_wfG0WUET2' }, { badgeId: 'x9mei2' }], mei)).toEqual([]);
  });

  // Laurel writes no debug-level line of its own today (every line of a run is info or above): at
  // debug, the run keeps everything there is, which the count of journeys' lines shows.
  it("captured the journeys' lines, at debug", () => {
    expect(laurel.logs.length).toBeGreaterThan(50);
    expect(laurel.logged('request').length).toBeGreaterThan(50);
    for (const msg of ['manual award', 'award revoked', 'course evaluated']) expect(laurel.logged(msg).length, msg).toBeGreaterThan(0);
    expect(tokens.filter((t) => t.what.startsWith('LMS access token')).length).toBeGreaterThan(0);
    expect(tokens.filter((t) => t.what.startsWith('ltik')).length).toBeGreaterThanOrEqual(8);
  });
});

describe('what Laurel logged during the journeys', () => {
  it('names and e-mail addresses of no seeded person', () => {
    expect(found(laurel.logs, people())).toEqual([]);
  });

  it('no session, launch, LMS or wallet token', () => {
    expect(found(laurel.logs, tokens)).toEqual([]);
  });

  it("no learner's grade", () => {
    expect(found(laurel.logs, [{ what: 'grade', value: String(GRADE) }])).toEqual([]);
  });
});
