/**
 * Retention end to end, on the real FerretDB with the emulated Canvas: two courses of one
 * platform, both evaluated (awards with reasons, issued credentials, a standing, a bulk award's
 * job), one of them last launched longer ago than the platform keeps data. The pass removes from
 * the old course exactly what it says (every document of the database compared before and after)
 * and nothing of the recent one; the old course's credentials still answer byte for byte and
 * verify, its verification page still says valid, its learner still sees their badge; the audit
 * logs say what was removed in counts; a second pass, and two instances at once, remove nothing
 * more. The admin page sets the days, refuses what is not a number of days, and 0 removes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import mongoose from 'mongoose';
import { createHash } from 'node:crypto';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { verifyDataIntegrity, verifyJwt } from '../support/outsideVerifier.js';
import { htmlText } from '../support/html.js';
import { finishedJob } from '../support/courseApi.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';
import { CourseModel } from '../../src/store/course.js';
import { AuditEntryModel, registrationKey } from '../../src/store/auditLog.js';
import { PlatformSettingsModel } from '../../src/store/platformSettings.js';
import { hashedRecipient } from '../../src/credentials/hashedRecipient.js';
import { retainPlatform, retentionPass } from '../../src/privacy/retention/retentionPass.js';
import { createLogger } from '../../src/log.js';
import { addPlatformDeployment, listPlatforms } from '../../src/lti/platforms.js';
import { recordCourseLaunch } from '../../src/store/course.js';
import { AwardModel, createAwards } from '../../src/store/award.js';
import { trimCourse } from '../../src/privacy/retention/trimCourse.js';

const DAY = 24 * 3600_000;
const logger = createLogger('silent');

let laurel: RunningLaurel;
let c: Connected;
beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', RETENTION_DAYS: '365' });
  c = await connectEmulator(laurel, 'canvas');
  await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

const platform = () => ({ issuer: c.emulator.issuer, clientId: c.clientId });

async function launchAs(userId: string, o: { siteAdmin?: boolean; locale?: string } = {}) {
  const user = c.emulator.course.users.find((u) => u.id === userId)!;
  if (o.siteAdmin) user.siteAdmin = true;
  let res;
  try { res = await finishLaunch(await startLaunch(c, { userId, locale: o.locale })); } finally { if (o.siteAdmin) user.siteAdmin = false; }
  expect(res.status).toBe(303);
  const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  return {
    ltik,
    get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
    page: (path: string) => request(laurel.url).get(`${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html'),
    post: (path: string, body?: object) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body ?? {}),
    put: (path: string, body: object) => request(laurel.url).put(path).set('Authorization', `Bearer ${ltik}`).send(body),
    form: (path: string, form: Record<string, string | string[]>) => request(laurel.url).post(`${path}?ltik=${encodeURIComponent(ltik)}`).type('form').set('Accept', 'text/html').send({ ltik, ...form }),
  };
}
type Session = Awaited<ReturnType<typeof launchAs>>;

async function evaluate(staff: Session) {
  const started = await staff.post('/api/course/evaluations');
  expect(started.status).toBe(202);
  const job = await finishedJob(staff, started.body.id as string) as { status: string; error?: string; result: { awarded: number } };
  if (job.status !== 'done') throw new Error(job.error ?? `the evaluation ended ${job.status}`);
  return job;
}

async function untilJobDone(staff: Session, location: string) {
  for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
    const res = await staff.page(location);
    if (!/Status: <strong>(queued|running)/.test(res.text)) return res;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bulk job did not finish');
}

const instructor = () => c.emulator.course.users.find((u) => u.role === 'Instructor')!;
const learners = () => c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');

/** A course taught: a graded badge, one asking for evidence, one awarded in bulk; evaluated, so awards, credentials and a standing exist. */
async function teachCourse(): Promise<{ courseKey: string; staff: Session; badgeIds: string[] }> {
  const staff = await launchAs(instructor().id);
  const columns = (await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const quiz = columns.find((l) => l.label === 'Quiz 1')!;
  const graded = await staff.post('/api/course/badges', { name: 'Quiz 1 Mastery', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz.id, percent: 1 }] } });
  const report = await staff.post('/api/course/badges', { name: 'Lab report', evidenceRequired: true, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz.id, percent: 1 }] } });
  const bulk = await staff.post('/api/course/badges', { name: 'Participation', rules: { kind: 'approval' } });
  const approved = await staff.post('/api/course/badges', { name: 'Presentation', issueMode: 'approval', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz.id, percent: 1 }] } });
  for (const b of [graded, report, bulk, approved]) expect(b.status, JSON.stringify(b.body)).toBe(201);
  const job = await evaluate(staff);
  expect(job.result.awarded).toBeGreaterThan(1);
  const started = await staff.form('/course/bulk/award', { badgeId: bulk.body.id, userId: learners().slice(0, 2).map((u) => u.id) });
  expect(started.status).toBe(303);
  await untilJobDone(staff, new URL(started.headers.location, laurel.url).pathname + new URL(started.headers.location, laurel.url).search);
  const courseKey = (await CourseModel.findOne({ issuer: c.emulator.issuer, clientId: c.clientId }).sort({ lastLaunchAt: -1 }).lean())!.courseKey;
  return { courseKey, staff, badgeIds: [graded.body.id, report.body.id, bulk.body.id, approved.body.id] };
}

/** Every document of the database but what Laurel's other background work and the launches change on their own. */
const MOVING = new Set(['outboxmessages', 'leaseholds', 'writeclaims', 'idtokens', 'contexttokens', 'nonces', 'states', 'accesstokens', 'launchstates', 'usednonces', 'platformframeorigins']);
async function everyDocument(): Promise<Map<string, Record<string, unknown>>> {
  const db = mongoose.connection.db!;
  const all = new Map<string, Record<string, unknown>>();
  for (const { name } of await db.listCollections().toArray()) {
    if (MOVING.has(name)) continue;
    for (const doc of await db.collection(name).find({}).toArray()) all.set(`${name} ${String(doc._id)}`, JSON.parse(JSON.stringify(doc)));
  }
  return all;
}

const without = (o: Record<string, unknown>, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

describe('retention of a course no longer launched', () => {
  let old: Awaited<ReturnType<typeof teachCourse>>;
  let recent: Awaited<ReturnType<typeof teachCourse>>;
  let before: Map<string, Record<string, unknown>>;
  let after: Map<string, Record<string, unknown>>;
  let shown: { id: string; userId: string };
  let waiting: { id: string; userId: string };
  let publicBefore: Map<string, string>;
  let learnerOfOld: Session;
  const now = new Date();

  beforeAll(async () => {
    old = await teachCourse();
    // A learner shows their name on the public page; another gives the evidence the lab report asks for.
    const awards = (await old.staff.get('/api/course/awards')).body.awards as { id: string; userId: string; badgeId: string; status: string }[];
    shown = awards.find((a) => a.badgeId === old.badgeIds[0] && a.status === 'awarded')!;
    learnerOfOld = await launchAs(shown.userId);
    expect((await learnerOfOld.put(`/api/me/awards/${shown.id}/sharing`, { showName: true })).status).toBe(200);
    const report = awards.find((a) => a.badgeId === old.badgeIds[1] && a.userId === shown.userId)!;
    const evidence = await learnerOfOld.post(`/api/me/awards/${report.id}/evidence`, { url: 'https://example.edu/reports/1', text: 'My lab report on titration', name: 'Titration report' });
    expect(evidence.status, JSON.stringify(evidence.body)).toBe(201);
    // An award waiting for approval, never issued, with the evidence an instructor attached.
    waiting = awards.find((a) => a.badgeId === old.badgeIds[3] && a.status === 'pending')!;
    const attached = await old.staff.post(`/api/course/awards/${waiting.id}/evidence`, { text: 'Presented in week 3' });
    expect(attached.status, JSON.stringify(attached.body)).toBe(201);

    // The next term's course: the same LMS course through a new deployment, taught and evaluated too.
    const deployment = c.emulator.installByClientId(c.clientId);
    const registered = (await listPlatforms()).find((p) => p.issuer === c.emulator.issuer && p.clientId === c.clientId)!;
    expect(await addPlatformDeployment(registered.platformId, deployment)).toBe(true);
    recent = await teachCourse();
    expect(recent.courseKey).not.toBe(old.courseKey);

    // The old course was last launched 400 days ago (the clock, moved in the database).
    await CourseModel.updateOne({ _id: old.courseKey }, { $set: { lastLaunchAt: new Date(now.getTime() - 400 * DAY) } });
    publicBefore = await publicDocuments(old.courseKey);
    before = await everyDocument();
    const done = await retentionPass(365, logger, now);
    expect(done.map((d) => d.courses)).toEqual([1]);
    after = await everyDocument();
  });

  /** The old course's public documents as any verifier fetches them: OB 3.0 JSON, its JWT, the OB 2.0 assertion. */
  async function publicDocuments(courseKey: string): Promise<Map<string, string>> {
    const ids = (await mongoose.connection.db!.collection('issuedcredentials').find({ courseKey }).toArray()).map((d) => String(d._id));
    expect(ids.length).toBeGreaterThan(2);
    const docs = new Map<string, string>();
    for (const id of ids) {
      for (const path of [`/credentials/${id}`, `/credentials/${id}.jwt`, `/ob2/assertions/${id}`]) {
        const res = await request(laurel.url).get(path).buffer(true).parse((r, done) => { let s = ''; r.on('data', (d: Buffer) => { s += d.toString(); }); r.on('end', () => done(null, s)); });
        expect(res.status, path).toBe(200);
        docs.set(path, res.body as string);
      }
    }
    return docs;
  }

  it('removes from the old course exactly what it says, and nothing of the recent course or anywhere else', () => {
    const showsName = new Map<string, boolean>();
    for (const [key, doc] of before) if (key.startsWith('awards ')) showsName.set(doc.id as string, doc.showName === true);
    const issuedAwardIds = new Set([...before].filter(([k]) => k.startsWith('issuedcredentials ')).map(([, d]) => d._id as string));
    const expected = new Map<string, Record<string, unknown>>();
    let changedOfOld = 0;
    for (const [key, doc] of before) {
      const [collection] = key.split(' ');
      const ofOld = doc.courseKey === old.courseKey || doc._id === old.courseKey;
      if (!ofOld) { expected.set(key, doc); continue; }
      changedOfOld++;
      if (collection === 'awards') {
        const recipient = doc.recipient as { email?: string; name?: string } | undefined;
        const kept = { ...without(doc, 'reasonJson') } as Record<string, unknown>;
        if (recipient) kept.recipient = doc.showName && recipient.name ? { name: recipient.name } : {};
        const evidence = doc.evidence as { url?: string; addedAt: string }[] | undefined;
        if (evidence && issuedAwardIds.has(doc.id as string)) kept.evidence = evidence.map((e) => ({ ...(e.url ? { url: e.url } : {}), addedAt: e.addedAt }));
        expected.set(key, kept);
      } else if (collection === 'renewals') expected.set(key, without(doc, 'reasonJson'));
      else if (collection === 'issuedcredentials') {
        const facts = JSON.parse(doc.factsJson as string);
        const show = showsName.get((doc.awardId ?? doc._id) as string);
        facts.recipient = show ? { ...hashedRecipient(facts.recipient), name: facts.recipient.name } : hashedRecipient(facts.recipient);
        expected.set(key, { ...doc, factsJson: JSON.stringify(facts) });
      } else if (collection === 'coursestandings') { /* removed */ } else if (collection === 'evaluationjobs') expected.set(key, without(doc, 'input', 'error'));
      else if (collection === 'courses') expected.set(key, { ...doc, personalDataRemovedAt: now.toISOString() });
      else expected.set(key, doc);
    }
    expect(changedOfOld).toBeGreaterThan(10);
    // What the pass adds: two audit entries, and its record on the platform's settings.
    const settingsKey = [...after.keys()].find((k) => k.startsWith('platformsettings '))!;
    expect(after.get(settingsKey)!.lastRetention).toMatchObject({ courses: 1 });
    if (before.has(settingsKey)) after.set(settingsKey, without(after.get(settingsKey)!, 'lastRetention'));
    else {
      expect(Object.keys(after.get(settingsKey)!).sort()).toEqual(['__v', '_id', 'clientId', 'issuer', 'lastRetention']);
      after.delete(settingsKey);
    }
    const added = [...after.keys()].filter((k) => !before.has(k));
    expect(added.map((k) => k.split(' ')[0]).sort()).toEqual(['auditentries', 'auditentries']);
    for (const k of added) after.delete(k);
    expect(Object.fromEntries(after)).toEqual(Object.fromEntries(expected));
  });

  it('keeps the evidence of an award never issued, which its credential will be made from', () => {
    const award = [...after.values()].find((d) => d.id === waiting.id)!;
    expect(award.status).toBe('pending');
    expect(award.evidence).toMatchObject([{ text: 'Presented in week 3', addedBy: instructor().id }]);
    expect(award.reasonJson).toBeUndefined();
    const issued = [...after.values()].find((d) => d.id === shown.id && d.courseKey === old.courseKey && d.badgeId === old.badgeIds[0])!;
    expect(issued.reasonJson).toBeUndefined();
  });

  it('leaves no e-mail, no hidden name, no grade and no LTI id in the clear in the old course\'s credentials\' facts', () => {
    const facts = [...after].filter(([k, d]) => k.startsWith('issuedcredentials ') && d.courseKey === old.courseKey).map(([, d]) => JSON.parse(d.factsJson as string));
    for (const f of facts) {
      expect(f.recipient.ltiUserId).toBe('');
      expect(f.recipient.email).toBeUndefined();
      expect(f.recipient.hashed.identifiers.length).toBeGreaterThan(0);
    }
    const shownName = c.emulator.course.users.find((u) => u.id === shown.userId)!.name;
    expect(facts.filter((f) => f.recipient.name).map((f) => f.recipient.name)).toContain(shownName);
    expect(facts.filter((f) => f.recipient.name).every((f) => f.recipient.name === shownName)).toBe(true);
  });

  it('keeps the old course\'s credentials byte for byte at their public URLs, and they still verify', async () => {
    const now2 = await publicDocuments(old.courseKey);
    expect([...now2.keys()].sort()).toEqual([...publicBefore.keys()].sort());
    for (const [path, body] of now2) expect(body, path).toBe(publicBefore.get(path));
    const credential = JSON.parse(now2.get(`/credentials/${shown.id}`)!);
    expect((await verifyDataIntegrity(credential)).verified).toBe(true);
    const issuerKey = credential.issuer.id.split(':').at(-1);
    const profile = (await request(laurel.url).get(`/issuers/${issuerKey}`)).body;
    const { payload } = await verifyJwt(now2.get(`/credentials/${shown.id}.jwt`)!, profile.publicKeys.jwks);
    expect(payload.jti).toBe(credential.id);
    // The OB 2.0 assertion still names the learner by the hash of their e-mail address.
    const assertion = JSON.parse(now2.get(`/ob2/assertions/${shown.id}`)!);
    const email = c.emulator.course.users.find((u) => u.id === shown.userId)!.email.toLowerCase();
    expect(assertion.recipient.identity).toBe(`sha256$${createHash('sha256').update(email + assertion.recipient.salt).digest('hex')}`);
  });

  it('still answers the old course\'s verification page as valid, with the name the learner chose to show', async () => {
    const page = await request(laurel.url).get(`/verify/${shown.id}`).set('Accept-Language', 'en');
    expect(page.status).toBe(200);
    const text = htmlText(page.text);
    expect(text).toContain('✔ Valid');
    expect(text).toContain(c.emulator.course.users.find((u) => u.id === shown.userId)!.name);
  });

  it('still lists the learner\'s badge on their page in the old course', async () => {
    const page = await learnerOfOld.page('/me');
    expect(page.status).toBe(200);
    expect(htmlText(page.text)).toContain('Quiz 1 Mastery');
  });

  it('says in counts what it removed, in the course\'s log and the platform\'s, never the data', async () => {
    const ofCourse = await AuditEntryModel.find({ courseKey: old.courseKey, action: 'privacy.retention' }).lean();
    const ofPlatform = await AuditEntryModel.find({ platform: registrationKey(platform()), action: 'privacy.retention' }).lean();
    expect(ofCourse).toHaveLength(1);
    expect(ofPlatform).toHaveLength(1);
    const oldAwards = [...before].filter(([k, d]) => k.startsWith('awards ') && d.courseKey === old.courseKey).map(([, d]) => d);
    const withReasons = oldAwards.filter((a) => a.reasonJson !== undefined).length;
    const people = new Set(oldAwards.filter((a) => (a.recipient as { email?: string })?.email).map((a) => a.userId)).size;
    const since = new Date(now.getTime() - 400 * DAY).toISOString().slice(0, 10);
    expect(ofCourse[0]!.detail).toBe(ofPlatform[0]!.detail);
    expect(ofCourse[0]!.detail).toMatch(new RegExp(`^Retention: removed the reasons and grades of ${withReasons} awards, the names and e-mails of ${people} learners, the evidence texts of 1 award, the learner's identity in the facts of \\d+ issued credentials, 1 standing snapshot, the input and error of \\d+ finished jobs? from course “[^”]+”, not launched since ${since}$`));
    const detail = ofCourse[0]!.detail;
    for (const u of c.emulator.course.users) for (const personal of [u.email, u.id, u.name].filter(Boolean)) expect(detail).not.toContain(personal);
    const record = (await PlatformSettingsModel.findOne(platform()).lean())!.lastRetention!;
    expect(record).toMatchObject({ days: 365, courses: 1, reasons: withReasons, learners: people, evidence: 1, standings: 1 });
  });

  it('removes nothing more in a second pass, the next day or the same, and writes no audit entry', async () => {
    const entries = await AuditEntryModel.countDocuments({ action: 'privacy.retention' });
    const snapshot = await everyDocument();
    const again = await retentionPass(365, logger, new Date(now.getTime() + DAY));
    expect(again.map((r) => r.courses)).toEqual([0]);
    const sameDay = await retainPlatform(platform(), 365, logger, new Date(now.getTime() + 2 * DAY));
    expect(sameDay.courses).toBe(0);
    expect(await AuditEntryModel.countDocuments({ action: 'privacy.retention' })).toBe(entries);
    const later = await everyDocument();
    const settingsKey = [...later.keys()].find((k) => k.startsWith('platformsettings '))!;
    later.delete(settingsKey); snapshot.delete(settingsKey);
    expect(Object.fromEntries(later)).toEqual(Object.fromEntries(snapshot));
  });

  it('trims a course once when two instances run the pass at once: one audit entry', async () => {
    // The recent course grows old too; two passes at once, as two instances would run them.
    await CourseModel.updateOne({ _id: recent.courseKey }, { $set: { lastLaunchAt: new Date(now.getTime() - 400 * DAY) } });
    const at = new Date(now.getTime() + 3 * DAY);
    const [a, b, c1, d] = await Promise.all([retentionPass(365, logger, at), retentionPass(365, logger, at), retainPlatform(platform(), 365, logger, at), retainPlatform(platform(), 365, logger, at)]);
    const trimmed = [...a, ...b, c1, d].reduce((n, r) => n + r.courses, 0);
    expect(trimmed).toBe(1);
    expect(await AuditEntryModel.countDocuments({ courseKey: recent.courseKey, action: 'privacy.retention' })).toBe(1);
  });
});

describe('the retention setting on the admin page', () => {
  const adminPost = (ltik: string, retentionDays: string) => request(laurel.url).post(`/admin/retention?ltik=${encodeURIComponent(ltik)}`).type('form').set('Accept-Language', 'en').send({ retentionDays });
  const adminPage = (ltik: string, language = 'en') => request(laurel.url).get(`/admin?ltik=${encodeURIComponent(ltik)}`).set('Accept-Language', language);

  it('says what is removed and kept, the server\'s default, and what the last pass removed', async () => {
    const { ltik } = await launchAs(instructor().id, { siteAdmin: true });
    const text = htmlText((await adminPage(ltik)).text);
    expect(text).toContain('Retention of personal data');
    expect(text).toContain('Removed: the reasons awards were earned (with grades)');
    expect(text).toContain('Kept: the awards with their status and dates');
    expect(text).toContain('Now: kept 365 days after the last launch (the server\'s default)');
    expect(text).toMatch(/The last pass ran on .+ and (removed:|removed nothing)/);
    const french = htmlText((await adminPage((await launchAs(instructor().id, { siteAdmin: true, locale: 'fr' })).ltik)).text);
    expect(french).toContain('Conservation des données personnelles');
    expect(french).toContain('Actuellement : conservées 365 jours après le dernier lancement (réglage par défaut du serveur)');
  });

  it('saves the platform\'s days, refuses what is not a number of days with what to type, and warns that 0 removes nothing', async () => {
    const { ltik } = await launchAs(instructor().id, { siteAdmin: true });
    const saved = await adminPost(ltik, '730');
    expect(saved.status).toBe(200);
    expect(htmlText(saved.text)).toContain('Personal data of this platform\'s courses is now kept 730 days after the last launch.');
    expect((await PlatformSettingsModel.findOne(platform()).lean())!.retentionDays).toBe(730);

    for (const typed of ['30', 'a year', '4000']) {
      const bad = await adminPost(ltik, typed);
      expect(bad.status).toBe(400);
      expect(htmlText(bad.text)).toContain(`retention: "${typed}" is not a whole number of days from 90 to 3650 (0 keeps personal data forever; leave it empty for the server's default)`);
      expect(bad.text).toContain(`value="${typed}" aria-invalid="true"`);
    }
    expect((await PlatformSettingsModel.findOne(platform()).lean())!.retentionDays).toBe(730);

    const forever = await adminPost(ltik, '0');
    expect(htmlText(forever.text)).toContain('Nothing is removed: the personal data of courses no longer launched is kept forever.');
    // Under 0, a course not launched for ten years keeps everything.
    const course = await CourseModel.findOne(platform()).sort({ lastLaunchAt: -1 }).lean();
    await CourseModel.updateOne({ _id: course!.courseKey }, { $set: { lastLaunchAt: new Date(Date.now() - 3700 * DAY) }, $unset: { personalDataRemovedAt: 1 } });
    const kept = await everyDocument();
    const pass = await retainPlatform(platform(), 365, logger);
    expect(pass).toMatchObject({ days: 0, courses: 0 });
    const later = await everyDocument();
    for (const m of [kept, later]) m.delete([...m.keys()].find((k) => k.startsWith('platformsettings '))!);
    expect(Object.fromEntries(later)).toEqual(Object.fromEntries(kept));

    const back = await adminPost(ltik, '');
    expect(htmlText(back.text)).toContain('now follows the server\'s default (kept 365 days after the last launch)');
    expect((await PlatformSettingsModel.findOne(platform()).lean())!.retentionDays).toBeUndefined();
  });
});

describe('a course of 150 awards', () => {
  // FerretDB never answered an update command of 100 statements or more: the pass over such a course hung.
  it('is trimmed in one pass, every award losing its e-mail and reason', async () => {
    const course = await recordCourseLaunch({
      issuer: 'https://large.example.edu', clientId: 'retention-150', deploymentId: '1', contextId: 'large-course', title: 'Large course', label: 'L1', agsScopes: [], productFamily: 'canvas',
    });
    await createAwards(Array.from({ length: 150 }, (_, i) => ({
      courseKey: course.courseKey, badgeId: 'b', userId: `learner-${i}`, status: 'awarded' as const, origin: 'rules' as const,
      recipient: { email: `learner${i}@example.edu`, name: `Learner ${i}` }, reason: { kind: 'minGrade', met: true, seen: 70 + (i % 30), threshold: 70, text: `Quiz 1: ${70 + (i % 30)} %` },
    })));
    const trim = await trimCourse(course.courseKey);
    expect(trim).toMatchObject({ reasons: 150, learners: 150 });
    const left = await AwardModel.find({ courseKey: course.courseKey }, { recipient: 1, reasonJson: 1 }).lean();
    expect(left).toHaveLength(150);
    expect(left.filter((a) => a.recipient?.email || a.reasonJson !== undefined)).toEqual([]);
  }, 60_000);
});
