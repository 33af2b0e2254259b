/**
 * Renewing a badge that expires, end to end over real HTTP against the emulated Canvas and the
 * real FerretDB. A badge valid for a year, renewed by its own rules in its last 60 days: awards
 * made eleven months ago (the evaluation's clock set back, nothing waits) are renewed by today's
 * evaluation with a new credential of their own, verified by code Laurel did not write, while the
 * first stays valid until it expires; a wallet following the first one's refreshService with
 * plain fetch gets the renewed one. Outside the window nothing is renewed, two evaluations at
 * once renew once, a revocation reaches every credential of the award, and the badge's awards
 * page shows who renewed, whose window is open and who lapsed, in English and in French.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { isRevoked, ob3SchemaValidator, verifyDataIntegrity, verifyJwt } from '../support/outsideVerifier.js';
import { htmlText } from '../support/html.js';
import { testMailpit } from '../support/mailpit.js';
import { outboxMessage } from '../../src/store/outbox.js';
import { aboutMessage } from '../../src/messages/about.js';
import { saveIssuerProfile, issuerKeyOf } from '../../src/store/issuerProfile.js';
import { CourseModel, type CourseRecord } from '../../src/store/course.js';
import { AwardModel, awardOf, createAwards } from '../../src/store/award.js';
import { RenewalModel } from '../../src/store/renewal.js';
import { evaluateCourse } from '../../src/awards/evaluateCourse.js';
import { issueWaitingCredentials } from '../../src/awards/issueCredential.js';
import { credentialByPublicId } from '../../src/store/issuedCredential.js';
import { verifyIssued } from '../../src/awards/verifyAward.js';
import type { SeedUser } from '../emulator/index.js';

const DAY = 86_400_000;
/** Today, and the clock of the evaluation that first awarded the badge: eleven months ago, so its renewal window (the last 60 days of a year) is open today. */
const NOW = new Date();
const AWARDED = new Date(NOW.getTime() - 330 * DAY);

let laurel: RunningLaurel;
let c: Connected;
let course: CourseRecord;
let badgeId: string;
let staff: ReturnType<typeof api>;
/** Quiz 1 at 50 % or more: awarded eleven months ago, and renewed today. */
let holders: SeedUser[];
/** Met the rules, but was awarded 400 days ago: the badge expired 35 days ago, before its window was used. */
let lapsed: SeedUser;
/** Awarded by hand eleven months ago; its Quiz 1 is under 50 % now: in the window, not renewed. */
let waiting: SeedUser;

const api = (ltik: string) => ({
  ltik,
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
  page: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`).set('Accept', 'text/html'),
  form: (path: string, form: Record<string, string>) => request(laurel.url).post(path).type('form').set('Accept', 'text/html').send({ ltik, ...form }),
});

async function launchAs(user: SeedUser, locale?: string) {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id, locale }));
  expect(res.status).toBe(303);
  return api(new URL(res.headers.location, laurel.url).searchParams.get('ltik')!);
}

const path = (url: string) => new URL(url).pathname;
type CredentialJson = Record<string, any> & { credentialStatus: { id: string; statusListCredential: string; statusListIndex: string } };
const json = async (url: string) => (await request(laurel.url).get(path(url))).body as CredentialJson;

interface AwardView { id: string; userId: string; links?: Record<string, string>; renewal?: { period: number; publicId: string }; renewals?: { id: string; period: number; renews: string; links?: Record<string, string> }[] }
const awardsOfBadge = async () => ((await staff.get('/api/course/awards')).body.awards as AwardView[]).filter((a) => a.userId && (a as { badgeId?: string }).badgeId === badgeId);

beforeAll(async () => {
  // With an SMTP server, so that awards and renewals put their messages in the outbox (none is sent: no sender runs).
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', SMTP_URL: testMailpit().smtpUrl, SMTP_FROM: 'badges@example.edu', MESSAGES_TICK_SECONDS: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const seed = c.emulator.course;
  const quiz1 = seed.activities.find((a) => a.label === 'Quiz 1')!;
  const setQuiz1 = (user: SeedUser, score: number) => {
    seed.results = seed.results.filter((r) => !(r.userId === user.id && r.lineItemId === quiz1.id));
    seed.results.push({ userId: user.id, lineItemId: quiz1.id, score, scoreMaximum: quiz1.scoreMaximum, timestamp: AWARDED.toISOString() });
  };
  const learners = seed.users.filter((u) => u.role === 'Learner' && u.status === 'Active');
  // Three learners with 90 %, one that lapsed with 90 %, one with 20 %; the others without Quiz 1.
  holders = learners.slice(0, 3);
  [lapsed, waiting] = [learners[3]!, learners[4]!];
  for (const u of learners) seed.results = seed.results.filter((r) => !(r.userId === u.id && r.lineItemId === quiz1.id));
  for (const u of [...holders, lapsed]) setQuiz1(u, quiz1.scoreMaximum * 0.9);
  setQuiz1(waiting, quiz1.scoreMaximum * 0.2);

  const instructor = seed.users.find((u) => u.role === 'Instructor')!;
  staff = await launchAs(instructor);
  await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
  const columns = (await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const created = await staff.post('/api/course/badges', {
    name: 'Lab safety', description: 'Works safely in the lab.', validFor: 'P1Y', renewal: { windowDays: 60 },
    rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.find((l) => l.label === 'Quiz 1')!.id, percent: 50 }] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.renewal).toEqual({ windowDays: 60 });
  badgeId = created.body.id;
  course = (await CourseModel.findOne({}).lean())!;

  // The lapsed learner's award is from 400 days ago; the waiting learner's was given by hand eleven months ago.
  await createAwards([{ courseKey: course.courseKey, badgeId, userId: lapsed.id, status: 'awarded', origin: 'instructor', awardedBy: instructor.id }], new Date(NOW.getTime() - 400 * DAY));
  await createAwards([{ courseKey: course.courseKey, badgeId, userId: waiting.id, status: 'awarded', origin: 'instructor', awardedBy: instructor.id }], AWARDED);
  const first = await evaluateCourse(course, { apply: true, now: AWARDED });
  expect(first.awarded).toBe(holders.length);
  await issueWaitingCredentials(laurel.config.publicUrl, course.courseKey);
}, 60_000);
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

describe('a badge that is renewed, before its renewal', () => {
  it('names a refreshService in its credential, which 1EdTech\'s schema accepts and @digitalbazaar/vc verifies, answering the same credential', async () => {
    const award = (await awardsOfBadge()).find((a) => a.userId === holders[0]!.id)!;
    const credential = await json(award.links!.credential);
    expect(credential.refreshService).toEqual({ id: `${laurel.url}/credentials/${award.id}/latest`, type: '1EdTechCredentialRefresh' });
    const validate = ob3SchemaValidator();
    expect(validate(credential), JSON.stringify(validate.errors)).toBe(true);
    expect((await verifyDataIntegrity(credential)).verified).toBe(true);
    const refreshed = await fetch(credential.refreshService.id);
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toEqual(credential);
  });
});

describe('outside the renewal window', () => {
  it('nothing is renewed: long before expiry, nor after it (the lapsed learner meets the rules, yet is not renewed)', async () => {
    const early = await evaluateCourse(course, { apply: true, now: new Date(AWARDED.getTime() + 200 * DAY) });
    expect(early.renewed).toBe(0);
    expect(early.verdicts.filter((v) => v.renewal)).toEqual([]);
    expect(await RenewalModel.countDocuments({ badgeId })).toBe(0);
  });
});

describe('inside it, today', () => {
  let before: Map<string, CredentialJson>;

  it('two evaluations at once renew each holder once; one more renews nothing', async () => {
    before = new Map(await Promise.all((await awardsOfBadge()).filter((a) => a.links).map(async (a) => [a.id, await json(a.links!.credential)] as const)));
    const runs = await Promise.all([evaluateCourse(course, { apply: true }), evaluateCourse(course, { apply: true })]);
    expect(runs[0]!.renewed + runs[1]!.renewed).toBe(holders.length);
    // The waiting learner's window is open but Quiz 1 is short; the lapsed learner's window has closed.
    const waitingVerdict = runs[0]!.verdicts.find((v) => v.userId === waiting.id)!;
    expect(waitingVerdict.renewal).toMatchObject({ met: false });
    expect(runs[0]!.verdicts.find((v) => v.userId === lapsed.id)!.renewal).toBeUndefined();
    const renewals = await RenewalModel.find({ badgeId }).lean();
    expect(renewals.map((r) => r.userId).sort()).toEqual(holders.map((h) => h.id).sort());
    expect(renewals.every((r) => r.period === 1)).toBe(true);
    for (const h of holders) expect((await awardOf(course.courseKey, badgeId, h.id))!.renewal).toMatchObject({ period: 1 });
    expect((await evaluateCourse(course, { apply: true })).renewed).toBe(0);
    expect(await RenewalModel.countDocuments({ badgeId })).toBe(holders.length);
  });

  it('issues a second credential, valid a year from today, that verifies (outside verifier) while the first still does, unchanged', async () => {
    expect(await issueWaitingCredentials(laurel.config.publicUrl, course.courseKey)).toBe(holders.length);
    const award = (await awardsOfBadge()).find((a) => a.userId === holders[0]!.id)!;
    expect(award.renewals).toHaveLength(1);
    const renewal = award.renewals![0]!;
    expect(renewal).toMatchObject({ period: 1, renews: award.id });
    const [first, renewed] = [await json(award.links!.credential), await json(renewal.links!.credential)];
    expect(first).toEqual(before.get(award.id)); // never edited
    expect(renewed.id).toBe(`${laurel.url}/credentials/${renewal.id}`);
    expect(renewed.id).not.toBe(first.id);
    expect(renewed.credentialStatus.id).not.toBe(first.credentialStatus.id); // a status entry of its own
    expect(renewed.awardedDate).toBe(first.awardedDate); // awarded once; renewed today
    expect(Math.abs(Date.parse(renewed.validFrom) - NOW.getTime())).toBeLessThan(10 * 60_000);
    expect(Date.parse(renewed.validUntil) - Date.parse(renewed.validFrom)).toBeGreaterThanOrEqual(365 * DAY);
    expect(renewed.refreshService).toEqual(first.refreshService); // the same award's latest
    const validate = ob3SchemaValidator();
    expect(validate(renewed), JSON.stringify(validate.errors)).toBe(true);
    for (const credential of [first, renewed]) expect((await verifyDataIntegrity(credential)).verified).toBe(true);
    for (const id of [award.id, renewal.id]) expect((await verifyIssued(laurel.config.publicUrl, (await credentialByPublicId(id))!)).status).toBe('valid');
    // The first expires on its own date: then it alone is expired.
    const afterFirst = new Date(Date.parse(first.validUntil) + DAY);
    expect((await verifyIssued(laurel.config.publicUrl, (await credentialByPublicId(award.id))!, afterFirst)).status).toBe('expired');
    expect((await verifyIssued(laurel.config.publicUrl, (await credentialByPublicId(renewal.id))!, afterFirst)).status).toBe('valid');
  });

  it('moves the learner\'s expiry reminder to the renewed credential: the first one\'s gives way, the renewal\'s is due 30 days before its end', async () => {
    const award = (await awardsOfBadge()).find((a) => a.userId === holders[0]!.id)!;
    const renewal = award.renewals![0]!;
    const renewed = await json(renewal.links!.credential);
    const [first, next] = [await outboxMessage(`expiring ${award.id}`), await outboxMessage(`expiring ${award.id} 1`)];
    expect(first, 'the reminder enqueued with the award').not.toBeNull();
    expect(next, 'the reminder enqueued with the renewal').not.toBeNull();
    expect(Math.abs(next!.nextAttemptAt!.getTime() - (Date.parse(renewed.validUntil) - 30 * DAY))).toBeLessThan(1000);
    const options = { base: laurel.config.publicUrl, expiryReminderDays: 30, now: new Date(next!.nextAttemptAt!.getTime() + 1000) };
    expect(await aboutMessage(first!, null, options)).toMatchObject({ skip: expect.anything() });
    expect(await aboutMessage(next!, null, options)).toMatchObject({ tell: { kind: 'expiring', link: `${laurel.url}/verify/${renewal.id}` } });
  });

  it('a wallet that follows the first credential\'s refreshService with plain fetch gets the renewed one, and verifies it', async () => {
    const award = (await awardsOfBadge()).find((a) => a.userId === holders[1]!.id)!;
    const held = await (await fetch(award.links!.credential)).json() as { refreshService: { id: string; type: string } };
    expect(held.refreshService.type).toBe('1EdTechCredentialRefresh');
    const res = await fetch(held.refreshService.id, { headers: { accept: 'application/vc+ld+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/vc\+ld\+json/);
    const latest = await res.json() as Record<string, any>;
    expect(latest.id).toBe(award.renewals![0]!.links!.credential);
    expect(res.headers.get('content-location')).toBe(latest.id);
    expect((await verifyDataIntegrity(latest)).verified).toBe(true);
    // As a VC-JWT for a wallet that asks for one, verified against the issuer's published keys.
    const jwt = await (await fetch(held.refreshService.id, { headers: { accept: 'application/vc+jwt' } })).text();
    const { payload } = await verifyJwt(jwt, `${laurel.url}/issuers/${issuerKeyOf({ issuer: c.emulator.issuer, clientId: c.clientId })}/jwks.json`);
    expect(payload.jti).toBe(latest.id);
    // The renewed credential's own refreshService answers itself, as the latest.
    expect((await (await fetch(latest.refreshService.id)).json()).id).toBe(latest.id);
  });

  it('revoking the award revokes every credential of it, in the status lists and the OB 2.0 revocation list', async () => {
    const award = (await awardsOfBadge()).find((a) => a.userId === holders[2]!.id)!;
    const [first, renewed] = [await json(award.links!.credential), await json(award.renewals![0]!.links!.credential)];
    expect((await staff.post(`/api/course/awards/${award.id}/revoke`, { reason: 'Unsafe in the lab' })).status).toBe(200);
    expect(await isRevoked(first)).toBe(true);
    expect(await isRevoked(renewed)).toBe(true);
    const list = (await request(laurel.url).get(`/ob2/issuers/${issuerKeyOf({ issuer: c.emulator.issuer, clientId: c.clientId })}/revocations`)).body as { revokedAssertions: { id: string }[] };
    const ids = list.revokedAssertions.map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([`${laurel.url}/ob2/assertions/${award.id}`, `${laurel.url}/ob2/assertions/${award.renewals![0]!.id}`]));
    // A revoked award is never renewed again, and the others' credentials are untouched.
    const other = (await awardsOfBadge()).find((a) => a.userId === holders[0]!.id)!;
    expect(await isRevoked(await json(other.renewals![0]!.links!.credential))).toBe(false);
  });
});

describe('what people see', () => {
  it('the badge\'s awards page says who renewed, whose window is open and who lapsed', async () => {
    const res = await staff.page(`/course/badges/${badgeId}/awards`);
    expect(res.status).toBe(200);
    const text = htmlText(res.text);
    expect(text).toContain('Expiry and renewal');
    expect(text).toContain('renewal opens 60 days before it expires');
    expect(text).toContain('2 learners renewed'); // the third was revoked since
    expect(text).toContain('1 learner can renew now');
    expect(text).toContain('1 learner let it lapse');
    const row = (user: SeedUser) => htmlText(res.text.split('<tr>').find((r) => r.includes(`/course/learners/${encodeURIComponent(user.id)}`))!);
    expect(row(lapsed)).toMatch(/lapsed on \w+ \d+, \d{4}/);
    expect(row(waiting)).toMatch(/renewal open since \w+ \d+, \d{4}/);
    expect(row(holders[0]!)).toMatch(/renewed on \w+ \d+, \d{4}/);
  });

  it('says the same in French', async () => {
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const text = htmlText((await (await launchAs(instructor, 'fr-CA')).page(`/course/badges/${badgeId}/awards`)).text);
    expect(text).toContain('Expiration et renouvellement');
    expect(text).toContain('1 apprenant l\'a laissé expirer');
    expect(text).toMatch(/expiré le \d+ \S+ \d{4}/);
    expect(text).toMatch(/renouvelé le \d+ \S+ \d{4}/);
  });

  it('the learner\'s page shows the renewed credential, and the earlier one beside it', async () => {
    const me = await launchAs(holders[0]!);
    const page = await request(laurel.url).get(`/me?ltik=${encodeURIComponent(me.ltik)}`).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    const award = (await awardsOfBadge()).find((a) => a.userId === holders[0]!.id)!;
    expect(page.text).toContain(award.renewals![0]!.links!.page); // the latest, to share and download
    expect(htmlText(page.text)).toMatch(/Renewed on \w+ \d+, \d{4}\. Earlier credentials, each valid until it expires:/);
    expect(page.text).toContain(award.links!.page);
  });

  it('a learner in the window who does not meet the rules is told by when, and what is missing', async () => {
    const me = await launchAs(waiting);
    const text = htmlText((await request(laurel.url).get(`/me?ltik=${encodeURIComponent(me.ltik)}`).set('Accept', 'text/html')).text);
    expect(text).toMatch(/Renew it before \w+ \d+, \d{4}: meet these conditions\. .*Not met: Quiz 1: 20 % of the 50 % needed/);
  });

  it('the verification page of the first credential points to the current one', async () => {
    const award = (await awardsOfBadge()).find((a) => a.userId === holders[0]!.id)!;
    const page = htmlText((await request(laurel.url).get(path(award.links!.page))).text);
    expect(page).toMatch(/Renewed on \w+ \d+, \d{4}: the current credential is valid until/);
  });
});

describe('the badge editor and the JSON API', () => {
  const form = (extra: Record<string, string>) => ({ name: 'Forklift', combinator: 'all', kind_0: 'approval', issueMode: 'automatic', ...extra });

  it('keep a renewal by the badge\'s own rules, with a refresher within the last 90 days', async () => {
    const columns = (await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
    const quiz2 = columns.find((l) => l.label === 'Quiz 2')!.id;
    const saved = await staff.form('/course/badges', form({ validFor: 'P2Y', renewal: 'own', renewalWindowDays: '90', renewalCombinator: 'all', rkind_0: 'minGrade', ritem_0: quiz2, rvalue_0: '80', runit_0: 'percent', rwithin_0: '90' }));
    expect(saved.status, htmlText(saved.text).slice(0, 500)).toBe(303);
    const badge = ((await staff.get('/api/course/badges')).body.badges as { id: string; name: string; renewal?: unknown }[]).find((b) => b.name === 'Forklift')!;
    expect(badge.renewal).toEqual({ windowDays: 90, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz2, percent: 80, withinDays: 90 }] } });
    const editor = await staff.page(`/course/badges/${badge.id}`);
    expect(editor.text).toMatch(/<option value="own" selected>/);
    expect(editor.text).toContain('id="rwithin_0" name="rwithin_0" inputmode="numeric" size="4" value="90"');
    expect(editor.text).toContain('id="renewalWindowDays" name="renewalWindowDays" inputmode="numeric" size="4" value="90"');
    // "Never" renewed, and no expiry: both are gone from the badge, not kept from before.
    expect((await staff.form(`/course/badges/${badge.id}`, form({ renewal: '' }))).status).toBe(303);
    const after = (await staff.get(`/api/course/badges/${badge.id}`)).body as { validFor?: string; renewal?: unknown };
    expect([after.validFor, after.renewal]).toEqual([undefined, undefined]);
  });

  it('refuse a renewal that cannot work, saying what to do, in English and in French', async () => {
    const noExpiry = await staff.form('/course/badges', form({ renewal: 'same', renewalWindowDays: '60' }));
    expect(noExpiry.status).toBe(400);
    expect(htmlText(noExpiry.text)).toContain('A badge that never expires is never renewed: give it a validity period (such as P1Y), or no renewal');
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const french = await (await launchAs(instructor, 'fr-CA')).form('/course/badges', form({ validFor: 'P1M', renewal: 'same', renewalWindowDays: '60' }));
    expect(french.status).toBe(400);
    expect(htmlText(french.text)).toContain('Une période de renouvellement de 60 jours n\'est pas plus courte que la validité du badge (P1M, 28 jours au plus court)');
    const byApi = await staff.post('/api/course/badges', { name: 'Forklift', validFor: 'P1Y', renewal: { windowDays: 30, rules: { kind: 'approval' } }, rules: { kind: 'approval' } });
    expect(byApi.status).toBe(400);
    expect(byApi.body.problems).toEqual([expect.stringContaining('renewal.rules: A renewal cannot wait for an instructor\'s approval')]);
    const shape = await staff.post('/api/course/badges', { name: 'Forklift', validFor: 'P1Y', renewal: { windowDays: 'sixty' }, rules: { kind: 'approval' } });
    expect(shape.status).toBe(400);
    expect(shape.body.problems).toEqual(['renewal.windowDays must be a number of days, such as 60']);
    expect(await AwardModel.countDocuments({ badgeId: { $ne: badgeId } })).toBe(0);
  });
});
