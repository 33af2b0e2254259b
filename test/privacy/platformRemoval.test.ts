/**
 * Removing a platform (issue 20, part 4), end to end: two platforms, a Moodle and a Canvas, each
 * with a course, badges, awards, credentials (one revoked), an awaiting approval, its learners'
 * launches and an administrator's settings. The Canvas's administrator removes it from the admin
 * page: a wrong confirmation removes nothing and says why; the right one removes it. Then the raw
 * database holds nothing of it but what its credentials need to verify, and that holds no name,
 * e-mail or LTI id of its people; the Moodle's documents are byte for byte as before; the kept
 * credentials answer as before, valid or revoked, with a note on their page; the LMS can no
 * longer launch Laurel; and removing again changes nothing. A third platform is removed from the
 * command line in a run cut three times (once while moving awards under their pseudonym) and
 * finished by running the command again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import mongoose from 'mongoose';
import sharp from 'sharp';
import { BSON } from 'mongodb';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { evaluated, instructorApi } from '../support/courseApi.js';
import { htmlText } from '../support/html.js';
import { verifyDataIntegrity } from '../support/outsideVerifier.js';
import { listPlatforms } from '../../src/lti/platforms.js';
import { removePlatform, type RemovalTarget } from '../../src/privacy/removal/removePlatform.js';
import { allRemovals } from '../../src/store/platformRemoval.js';
import { requestErasure } from '../../src/store/erasureRequest.js';
import { issuerKeyOf } from '../../src/store/issuerProfile.js';
import { releaseLease, takeLease } from '../../src/store/lease.js';
import { AwardModel, awardKey } from '../../src/store/award.js';
import { credentialByPublicId } from '../../src/store/issuedCredential.js';

const run = promisify(execFile);
const cli = resolve(__dirname, '../../dist/src/cli/platform.js');

/** What stays of a removed platform, so its credentials verify: nothing else may. */
const KEPT = new Set(['issuedcredentials', 'awards', 'renewals', 'issuerprofiles', 'issuerkeysets', 'statuslists', 'statusclaims', 'statusslots', 'platformremovals', 'badgeimages']);
/** Laurel's own bookkeeping, of no platform and no person, that comes and goes with any request. */
const VOLATILE = new Set(['leaseholds', 'writeclaims', 'storemigrations', 'usednonces', 'nonces', 'states']);

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

type Snapshot = Map<string, Map<string, string>>;

/** Every document of every collection, as canonical extended JSON by collection and _id. */
async function snapshot(): Promise<Snapshot> {
  const db = mongoose.connection.db!;
  const out: Snapshot = new Map();
  for (const { name } of await db.listCollections().toArray()) {
    const docs = await db.collection(name).find({}).toArray();
    out.set(name, new Map(docs.map((d) => [BSON.EJSON.stringify(d._id), BSON.EJSON.stringify(d, { relaxed: false })])));
  }
  return out;
}

/** The documents of `after` that `before` did not hold, or held otherwise, by collection. */
function added(before: Snapshot, after: Snapshot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, docs] of after) {
    if (VOLATILE.has(name)) continue;
    const was = before.get(name) ?? new Map();
    const fresh = [...docs].filter(([id, d]) => was.get(id) !== d).map(([, d]) => d);
    if (fresh.length) out.set(name, fresh);
  }
  return out;
}

/** `snap` without the volatile collections, for comparing whole. */
const steady = (snap: Snapshot) => new Map([...snap].filter(([name]) => !VOLATILE.has(name)).map(([name, docs]) => [name, new Map([...docs].sort())]));

/** The platform's removal once its background part marked it done, polled with a deadline. */
async function doneRemoval(t: RemovalTarget, deadlineMs = 60_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const found = (await allRemovals()).find((r) => r.issuer === t.issuer && r.clientId === t.clientId);
    if (found?.state === 'done') return found;
    if (Date.now() > until) throw new Error(`the removal of ${t.issuer} is still ${found?.state ?? 'not recorded'} after ${deadlineMs} ms`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

const q = (ltik: string) => `ltik=${encodeURIComponent(ltik)}`;

async function ltikOf(c: Connected, userId: string, locale?: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId, ...(locale ? { locale } : {}) }));
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

async function adminLtikOf(c: Connected, locale?: string): Promise<string> {
  const admin = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  admin.siteAdmin = true;
  try { return await ltikOf(c, admin.id, locale); } finally { admin.siteAdmin = false; }
}

interface Seeded {
  c: Connected;
  target: RemovalTarget;
  /** An issued credential that stays valid, and one revoked. */
  valid: { id: string; links: Record<string, string> };
  revoked: { id: string; links: Record<string, string> };
  pending: number;
  issued: number;
}

/** A course with two badges (one awarded and signed, one awaiting approval), a revocation, learners' launches and admin settings. */
async function seedPlatform(flavour: 'canvas' | 'moodle'): Promise<Seeded> {
  const c = await connectEmulator(laurel, flavour);
  const api = await instructorApi(laurel, c);
  const columns = (await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const rule = { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.find((l) => l.label === 'Quiz 1')!.id, percent: 10 }] };
  const badge = await api.post('/api/course/badges', { name: `Quiz 1 (${flavour})`, description: 'Passed Quiz 1.', rules: rule });
  expect(badge.status).toBe(201);
  // An uploaded image, which the credentials then show.
  const png = await sharp({ create: { width: 64, height: 64, channels: 4, background: flavour === 'canvas' ? '#2e6b3a' : '#6b2e3a' } }).png().toBuffer();
  const uploaded = await request(laurel.url).post(`/course/badges/${badge.body.id}/image`).set('Authorization', `Bearer ${api.ltik}`).attach('image', png, { filename: 'badge.png', contentType: 'image/png' });
  expect(uploaded.status).toBe(303);
  expect((await api.post('/api/course/badges', { name: `Reviewed (${flavour})`, description: 'Passed Quiz 1, reviewed.', issueMode: 'approval', rules: rule })).status).toBe(201);
  await evaluated(api);
  const awards = (await api.get('/api/course/awards')).body.awards as { id: string; userId: string; status: string; links?: Record<string, string> }[];
  const signed = awards.filter((a) => a.links);
  expect(signed.length).toBeGreaterThanOrEqual(2);
  const pending = awards.filter((a) => a.status === 'pending').length;
  expect(pending).toBeGreaterThan(0);
  expect((await api.post(`/api/course/awards/${signed[1]!.id}/revoke`, { reason: 'Awarded on a mis-graded quiz' })).status).toBe(200);
  // Learners launch (their courses, their contact for messages, their LMS id), the administrator sets things.
  for (const a of signed.slice(0, 3)) await ltikOf(c, a.userId);
  const admin = await adminLtikOf(c);
  expect((await request(laurel.url).get(`/admin?${q(admin)}`)).status).toBe(200);
  expect((await request(laurel.url).post(`/admin/sync-interval?${q(admin)}`).type('form').send({ syncIntervalMinutes: '45' })).status).toBe(200);
  expect((await request(laurel.url).post(`/admin/administrators?${q(admin)}`).type('form').send({ userId: '424242', action: 'grant' })).status).toBe(200);
  expect((await request(laurel.url).post(`/admin/frame-origins?${q(admin)}`).type('form').send({ origin: `https://${flavour}.school.example.edu`, action: 'add' })).status).toBe(200);
  const p = (await listPlatforms()).find((x) => x.issuer === c.emulator.issuer && x.clientId === c.clientId)!;
  // A learner waiting for their erasure: the request names them until an administrator confirms it.
  const waiting = c.emulator.course.users.find((u) => u.id === signed[2]?.userId) ?? c.emulator.course.users.find((u) => u.role === 'Learner')!;
  await requestErasure({ issuer: p.issuer, clientId: p.clientId, userId: waiting.id }, { name: waiting.name, choice: 'keep', by: 'learner' });
  return {
    c, target: { issuer: p.issuer, clientId: p.clientId, platformId: p.platformId, platformName: p.name },
    valid: { id: signed[0]!.id, links: signed[0]!.links! }, revoked: { id: signed[1]!.id, links: signed[1]!.links! }, pending, issued: signed.length,
  };
}

/** What the people of a platform are known by: none of it may stay once it is removed. */
function personalOf(c: Connected): string[] {
  return c.emulator.course.users.flatMap((u) => [u.id, u.name, u.email]).filter((s) => s && s.length >= 4);
}

describe('removing a platform from its admin page', () => {
  let moodle: Seeded;
  let canvas: Seeded;
  let beforeCanvas: Snapshot;
  let beforeRemoval: Snapshot;
  let afterRemoval: Snapshot;
  const publicDocs: Record<string, { status: number; text: string }> = {};
  const publicUrls = () => ({
    credential: canvas.valid.links.credential, jwt: canvas.valid.links.jwt, ob2: canvas.valid.links.ob2Assertion,
    revokedCredential: canvas.revoked.links.credential, revokedOb2: canvas.revoked.links.ob2Assertion,
  });
  const fetchPublic = async (url: string) => { const r = await request(url).get(''); return { status: r.status, text: r.text }; };

  beforeAll(async () => {
    moodle = await seedPlatform('moodle');
    beforeCanvas = await snapshot();
    canvas = await seedPlatform('canvas');
    for (const [name, url] of Object.entries(publicUrls())) publicDocs[name] = await fetchPublic(url);
    expect(htmlText((await request(canvas.valid.links.page).get('')).text)).toMatch(/Valid: the signatures check out/);
    beforeRemoval = await snapshot();
  }, 240_000);
  afterAll(async () => { await moodle?.c.emulator.close(); await canvas?.c.emulator.close(); });

  it('shows what will be lost, naming the course, before anything is deleted', async () => {
    const ltik = await adminLtikOf(canvas.c);
    const index = await request(laurel.url).get(`/admin?${q(ltik)}`);
    expect(index.text).toContain(`href="/admin/removal?${q(ltik)}"`);
    expect(htmlText(index.text)).toContain('Remove this platform from Laurel');
    const page = await request(laurel.url).get(`/admin/removal?${q(ltik)}`);
    expect(page.status).toBe(200);
    const text = htmlText(page.text);
    expect(text).toContain(`Remove ${canvas.target.platformName} (${canvas.target.issuer}) from Laurel?`);
    expect(text).toContain('1 course: “Introduction to Chemistry”');
    expect(text).toContain('2 badges, with their rules');
    expect(text).toContain(`${canvas.issued} credentials issued stay verifiable. The 1 revoked among them stays revoked.`);
    expect(text).toContain(`${canvas.pending} award${canvas.pending === 1 ? '' : 's'} never issued`);
    expect(text).toContain('The admin settings: the sync interval, 1 granted administrator(s), 1 site(s) added to show Laurel');
    expect(text).toContain(`To confirm, type this platform's issuer (${canvas.target.issuer}) or its name (${canvas.target.platformName})`);
    // In French too.
    const fr = await request(laurel.url).get(`/admin/removal?${q(await adminLtikOf(canvas.c, 'fr'))}`);
    expect(htmlText(fr.text)).toContain('Un cours : “Introduction to Chemistry”');
    expect(htmlText(fr.text)).toContain(`Pour confirmer, saisissez l'émetteur de cette plateforme (${canvas.target.issuer})`);
  });

  it('removes nothing on a wrong confirmation, and says what to type', async () => {
    const ltik = await adminLtikOf(canvas.c);
    const before = await snapshot();
    for (const typed of ['', 'https://other.example.edu', 'yes']) {
      const res = await request(laurel.url).post(`/admin/removal?${q(ltik)}`).type('form').send({ confirm: typed });
      expect(res.status).toBe(400);
      const text = htmlText(res.text);
      expect(text).toContain('Nothing was removed');
      expect(text).toContain(canvas.target.issuer);
    }
    expect(steady(await snapshot())).toEqual(steady(before));
    expect((await listPlatforms()).some((p) => p.platformId === canvas.target.platformId)).toBe(true);
  });

  it('removes the platform on the right confirmation, and says so', async () => {
    const ltik = await adminLtikOf(canvas.c);
    beforeRemoval = await snapshot();
    const res = await request(laurel.url).post(`/admin/removal?${q(ltik)}`).type('form').send({ confirm: `${canvas.target.issuer}/` });
    expect(res.status).toBe(200);
    const text = htmlText(res.text);
    expect(text).toContain(`${canvas.target.platformName} (${canvas.target.issuer}) is being removed from Laurel: it can no longer launch Laurel`);
    expect(text).toContain(`The ${canvas.issued} credentials it issued stay verifiable at their links.`);
    expect(text).toContain('"npm run platform -- list" shows when it is done');
    // The session went with the platform at once; the rest finishes in the background.
    expect((await request(laurel.url).get(`/admin?${q(ltik)}`)).status).not.toBe(200);
    const removal = await doneRemoval(canvas.target);
    afterRemoval = await snapshot();
    expect(removal).toMatchObject({ state: 'done', by: 'admin', deleted: { courses: 1, badges: 2 }, kept: { credentials: canvas.issued, revokedCredentials: 1 } });
    expect(JSON.stringify(removal)).not.toContain('Introduction to Chemistry');
  });

  it('leaves nothing of the platform in any collection but what verification needs, and no name, e-mail or LTI id in it', () => {
    const stayed = added(beforeCanvas, afterRemoval);
    expect([...stayed.keys()].filter((name) => !KEPT.has(name))).toEqual([]);
    const kept = [...stayed.values()].flat().join('\n');
    for (const personal of personalOf(canvas.c)) expect(kept.includes(personal), personal).toBe(false);
    // The kept awards and credentials are known by the pseudonym only; awards never issued are gone.
    const awards = [...stayed.get('awards')!].map((d) => BSON.EJSON.parse(d) as { userId: string; id: string; reasonJson?: string; recipient?: unknown });
    expect(awards).toHaveLength(canvas.issued);
    for (const a of awards) expect(a).toMatchObject({ userId: `removed:${a.id}` });
    for (const a of awards) expect([a.reasonJson, a.recipient]).toEqual([undefined, undefined]);
    // The uploaded image stays, as the credentials show it, without who uploaded it.
    expect(stayed.get('badgeimages')!.map((d) => (BSON.EJSON.parse(d) as { createdBy: string }).createdBy)).toEqual(['removed']);
    expect(JSON.parse(publicDocs.credential!.text).credentialSubject.achievement.image.id).toMatch(/\/images\/[0-9a-f]{64}$/);
    const credentials = [...stayed.get('issuedcredentials')!].map((d) => BSON.EJSON.parse(d) as { userId: string; factsJson: string });
    expect(credentials).toHaveLength(canvas.issued);
    for (const c of credentials) expect(c.userId).toMatch(/^removed:/);
    // Nothing of it with its issuer or client id in any collection but the kept ones.
    for (const [name, docs] of afterRemoval) {
      if (KEPT.has(name) || VOLATILE.has(name)) continue;
      for (const d of docs.values()) expect(d.includes(canvas.target.issuer) && d.includes(canvas.target.clientId), `${name}: ${d.slice(0, 200)}`).toBe(false);
    }
  });

  it('leaves the other platform\'s documents byte for byte as they were', () => {
    for (const [name, docs] of beforeCanvas) {
      if (VOLATILE.has(name)) continue;
      for (const [id, doc] of docs) expect([name, id, afterRemoval.get(name)?.get(id)]).toEqual([name, id, doc]);
    }
    // And every document the removal touched was the removed platform's.
    for (const [name, docs] of beforeRemoval) {
      if (VOLATILE.has(name)) continue;
      for (const [id, doc] of docs) if (afterRemoval.get(name)?.get(id) !== doc) expect(beforeCanvas.get(name)?.get(id), `${name} ${id}`).toBeUndefined();
    }
  });

  it('keeps the credentials answering as before: the same documents, valid or revoked, with a note on their page', async () => {
    for (const [name, url] of Object.entries(publicUrls())) expect([name, await fetchPublic(url)]).toEqual([name, publicDocs[name]]);
    const credential = JSON.parse(publicDocs.credential!.text);
    expect((await verifyDataIntegrity(credential)).verified).toBe(true);
    expect((await verifyDataIntegrity(JSON.parse(publicDocs.revokedCredential!.text))).verified).toBe(false);
    expect(publicDocs.revokedOb2!.status).toBe(410);

    const page = await request(canvas.valid.links.page).get('');
    expect(page.status).toBe(200);
    const text = htmlText(page.text);
    expect(text).toMatch(/Valid: the signatures check out/);
    expect(text).toMatch(/The platform that issued this badge removed its course data from Laurel on [A-Z][a-z]+ \d{1,2}, \d{4}\. The credential remains valid/);
    const revoked = htmlText((await request(canvas.revoked.links.page).get('')).text);
    expect(revoked).toContain('Revoked: Awarded on a mis-graded quiz');
    expect(revoked).toContain('The credential remains revoked, as it was.');
    const fr = htmlText((await request(canvas.valid.links.page).get('').set('Accept-Language', 'fr')).text);
    expect(fr).toContain('L\'attestation reste valide');

    // The status list, the issuer's profile, DID document and OB 2.0 documents still answer.
    const statusUrl = [credential.credentialStatus].flat()[0].statusListCredential as string;
    expect((await request(statusUrl).get('')).status).toBe(200);
    const issuerKey = issuerKeyOf(canvas.target);
    for (const path of [`/issuers/${issuerKey}`, `/issuers/${issuerKey}/did.json`, `/issuers/${issuerKey}/jwks.json`, `/ob2/issuers/${issuerKey}`, `/ob2/issuers/${issuerKey}/revocations`]) {
      expect([path, (await request(laurel.url).get(path)).status]).toEqual([path, 200]);
    }
    const revocations = (await request(laurel.url).get(`/ob2/issuers/${issuerKey}/revocations`)).body;
    expect(JSON.stringify(revocations)).toContain('Awarded on a mis-graded quiz');
    const badgeClass = JSON.parse(publicDocs.ob2!.text).badge as string;
    expect((await request(badgeClass).get('')).status).toBe(200);
  });

  it('refuses a new launch from the removed platform, saying it is not registered', async () => {
    const learner = canvas.c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const refused = await startLaunch(canvas.c, { userId: learner.id }).then(() => 'launched', (err: Error) => err.message);
    expect(refused).toMatch(/login answered 4\d\d/);
    expect(refused).toMatch(/not registered/);
    // The other platform still launches.
    const other = moodle.c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    expect(await ltikOf(moodle.c, other.id)).toBeTruthy();
  });

  it('changes nothing when run again', async () => {
    const before = await snapshot();
    const again = await removePlatform(canvas.target, 'cli');
    expect(again.state).toBe('done');
    const after = await snapshot();
    // Only the removal's own record is written again (its end); the other platform's launch above aside.
    for (const [name, docs] of after) {
      if (VOLATILE.has(name) || name === 'platformremovals' || name === 'idtokens' || name === 'contexttokens') continue;
      expect([name, docs]).toEqual([name, before.get(name) ?? new Map()]);
    }
  });
});

describe('removing a platform from the command line, cut and resumed', () => {
  let seeded: Seeded;
  const platformCli = (...args: string[]) => run(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH!, MONGODB_URI: laurel.config.mongodbUri!, LAUREL_SECRET: laurel.config.secret, NODE_ENV: 'test' },
  });
  let before: Snapshot;

  beforeAll(async () => {
    before = await snapshot();
    seeded = await seedPlatform('moodle');
  }, 180_000);
  afterAll(async () => { await seeded?.c.emulator.close(); });

  it('prints what would be lost and kept, and deletes nothing, without --confirm', async () => {
    const snap = await snapshot();
    const { stdout } = await platformCli('remove', seeded.target.platformId);
    expect(stdout).toContain(`Removing platform ${seeded.target.platformId}, ${seeded.target.platformName} (${seeded.target.issuer}, client ${seeded.target.clientId}), would delete for good:`);
    expect(stdout).toContain('  - 1 course: “Introduction to Chemistry”');
    expect(stdout).toContain(`${seeded.issued} credentials issued stay verifiable. The 1 revoked among them stays revoked.`);
    expect(stdout).toContain(`Nothing was deleted. To remove it: npm run platform -- remove ${seeded.target.platformId} --confirm ${seeded.target.issuer}`);
    expect(steady(await snapshot())).toEqual(steady(snap));
    await expect(platformCli('remove', seeded.target.platformId, '--confirm', 'https://wrong.example.edu')).rejects.toMatchObject({
      code: 2, stderr: expect.stringContaining(`is not platform ${seeded.target.platformId}'s issuer (${seeded.target.issuer}); nothing was removed`),
    });
    expect(steady(await snapshot())).toEqual(steady(snap));
    await expect(platformCli('remove', 'no-such-platform')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('no platform no-such-platform') });
  });

  it('finishes a removal cut after its first steps, and one cut midway, by running the command again, never beside an instance running it', async () => {
    // Cut right after ltijs's records went: the LMS can no longer launch, the rest is all there.
    await removePlatform(seeded.target, 'cli', { until: 'ltijs' });
    const learner = seeded.c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    await expect(startLaunch(seeded.c, { userId: learner.id })).rejects.toThrow(/login answered 4\d\d/);
    const listed = await platformCli('list');
    expect(listed.stdout).toContain(`${seeded.target.platformId}  REMOVAL UNFINISHED  ${seeded.target.issuer}`);
    // Cut inside the keeping of the credentials, as two awards were being moved under their pseudonym:
    // one set aside (its public id freed), one set aside with its minimal copy already made.
    const [a, b] = await Promise.all([seeded.valid.id, seeded.revoked.id].map(async (id) => (await credentialByPublicId(id))!));
    for (const c of [a!, b!]) await AwardModel.updateOne({ _id: awardKey(c.courseKey, c.badgeId, c.userId) }, { $set: { id: `${c.awardId}:moving` } });
    const old = (await AwardModel.findById(awardKey(b!.courseKey, b!.badgeId, b!.userId)).lean())!;
    await AwardModel.create({ _id: awardKey(b!.courseKey, b!.badgeId, `removed:${b!.awardId}`), id: b!.awardId, courseKey: b!.courseKey, badgeId: b!.badgeId, userId: `removed:${b!.awardId}`, status: old.status, origin: old.origin, createdAt: old.createdAt, revokedAt: old.revokedAt, revocationReason: old.revocationReason });
    // Run again, and cut again once the credentials are kept and the course data deleted.
    await removePlatform(seeded.target, 'cli', { until: 'courseData' });
    // While an instance's background removal holds the registration's lease, the command changes nothing.
    const lease = `platform-removal ${issuerKeyOf(seeded.target)}`;
    expect(await takeLease(lease, 60_000, 'another-instance')).toBe(true);
    const whileHeld = await snapshot();
    await expect(platformCli('remove', seeded.target.platformId, '--confirm', seeded.target.issuer)).rejects.toMatchObject({
      code: 2, stderr: expect.stringContaining(`a Laurel instance is removing platform ${seeded.target.platformId} now`),
    });
    expect(steady(await snapshot())).toEqual(steady(whileHeld));
    await releaseLease(lease, 'another-instance');
    const { stdout } = await platformCli('remove', seeded.target.platformId, '--confirm', seeded.target.issuer);
    expect(stdout).toContain(`platform ${seeded.target.platformId} (${seeded.target.issuer}, client ${seeded.target.clientId}) removed from Laurel`);
    const after = await snapshot();
    const stayed = added(before, after);
    expect([...stayed.keys()].filter((name) => !KEPT.has(name))).toEqual([]);
    const kept = [...stayed.values()].flat().join('\n');
    for (const personal of personalOf(seeded.c)) expect(kept.includes(personal), personal).toBe(false);
    expect(stayed.get('awards')).toHaveLength(seeded.issued);
    // Its counts are those of the summary before the first cut run, not of what was left.
    const listedAfter = (await platformCli('list')).stdout;
    expect(listedAfter).toMatch(new RegExp(`${seeded.target.platformId}  removed  ${seeded.target.issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  client ${seeded.target.clientId}  on \\S+ by the operator \\(npm run platform\\); deleted: courses 1, badges 2`));
    expect(listedAfter).toContain(`kept: credentials ${seeded.issued}, revokedCredentials 1`);
    const page = htmlText((await request(seeded.valid.links.page).get('')).text);
    expect(page).toMatch(/Valid: the signatures check out/);
    expect(page).toContain('The credential remains valid');
    // The two awards cut while moving stand under their own public id and pseudonym, once each.
    for (const c of [a!, b!]) {
      const kept = await AwardModel.find({ id: { $in: [c.awardId, `${c.awardId}:moving`] } }).lean();
      expect(kept.map((k) => [k._id, k.id, k.userId])).toEqual([[awardKey(c.courseKey, c.badgeId, `removed:${c.awardId}`), c.awardId, `removed:${c.awardId}`]]);
    }
    const revoked = htmlText((await request(seeded.revoked.links.page).get('')).text);
    expect(revoked).toContain('Revoked: Awarded on a mis-graded quiz');
  });
});
