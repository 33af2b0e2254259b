/**
 * A learner's export and erasure (issue 20, part 3), end to end on an emulated Canvas and an
 * emulated Moodle (whose LTI user id is its own small user id, such as "5", found as a whole id): a course
 * where a distinctively named learner earns, is revoked, gives evidence, is bulk-awarded, publishes
 * a page and turns messages off and on, beside another learner with awards of their own. Their
 * export holds each of their records and nobody else's; after they ask and an administrator
 * confirms (right after they opened a badge's wallet page and started a login, whose records
 * expire in minutes), the raw database holds nothing of their name, e-mail or LMS id, the other learner's
 * data is as it was, and the public pages of their credentials answer as they chose. Then the
 * administrator's own path (erasing on a request received otherwise), cancelling, and who may confirm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { finishedJob } from '../support/courseApi.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { exactIdPaths, rawDatabaseSearch, rawDatabaseSearchExact, type RawHit } from '../support/rawDatabaseSearch.js';
import type { SeedUser } from '../emulator/index.js';
import { courseKeyOf } from '../../src/store/course.js';
import { personKey } from '../../src/store/lmsUser.js';
import { approve } from '../../src/store/approval.js';
import { wantScores } from '../../src/store/gradebookScore.js';
import { ErasureRecordModel } from '../../src/store/erasure.js';
import { AuditEntryModel, registrationKey } from '../../src/store/auditLog.js';
import { VcApiExchangeModel } from '../../src/store/vcApiExchange.js';
import { LaunchStateModel } from '../../src/store/launchState.js';
import { PublicProfileModel } from '../../src/store/publicProfile.js';
import { AwardModel } from '../../src/store/award.js';
import { exportPerson, isEmptyExport, type PersonExport } from '../../src/privacy/export/exportPerson.js';
import { erasePerson } from '../../src/privacy/erasure/erasePerson.js';
import { startErasure } from '../../src/privacy/erasure/confirmErasure.js';
import { requestErasure } from '../../src/store/erasureRequest.js';
import { releaseLease, takeLease } from '../../src/store/lease.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', RATE_LIMIT_PUBLIC: '10000' }); });
afterAll(async () => { await laurel?.close(); });

const form = (path: string, ltik: string, fields: Record<string, string | string[]> = {}) =>
  request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).redirects(0).type('form').set('Accept', 'text/html').send(fields);
const page = (path: string, ltik: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`).set('Accept', 'text/html');
/** The export without the moment it was made. */
const stable = (e: PersonExport) => ({ ...e, exportedAt: undefined });

describe('the raw database search', () => {
  const db = async () => (await import('mongoose')).default.connection.db!;

  it('finds a planted string, whatever its case, and names the collection and document', async () => {
    await (await db()).collection('plantedfortest').insertOne({ _id: 'planted' as never, note: { deep: ['Hidden Needle-7391 here'] } });
    const hits = await rawDatabaseSearch(['hidden needle-7391', 'nothing-like-this-anywhere']);
    expect(hits.map((h) => [h.collection, h._id, h.found])).toEqual([['plantedfortest', 'planted', 'hidden needle-7391']]);
    await (await db()).collection('plantedfortest').drop();
  });

  it('finds a small id as a whole id, in a field or list of ids or in JSON kept as text, and not inside "13", "30" or a sentence', async () => {
    const planted = (await db()).collection('plantedfortest');
    await planted.insertMany([
      { _id: 'field' as never, course: { userId: '3' } },
      { _id: 'list' as never, staff: { launched: ['13', '3'] } },
      { _id: 'json' as never, factsJson: JSON.stringify({ recipient: { ltiUserId: '3', name: 'x' } }) },
      { _id: 'hint' as never, initiation: { login_hint: '3', iss: 'https://lms.example' } },
      { _id: 'number' as never, user: 3 },
      { _id: 'near' as never, userId: '13', user: '30', lmsUserId: '33', launched: ['31', '23'], factsJson: '{"ltiUserId":"13"}', note: 'user 3 of 3' },
      // The same value where it is no person: a course, a line item, a resource link.
      { _id: 'other' as never, contextId: '3', lineItemId: '3', resource: { id: '3' }, reasonJson: '{"lineItemId":"3","score":3}' },
    ] as never[]);
    const hits = await rawDatabaseSearchExact(['3']);
    expect(hits.map((h) => [h._id, h.excerpt]).sort()).toEqual([
      ['field', 'course.userId'], ['hint', 'initiation.login_hint'], ['json', 'factsJson(json).recipient.ltiUserId'], ['list', 'staff.launched[1]'], ['number', 'user'],
    ]);
    expect(await rawDatabaseSearchExact(['13'])).toEqual([
      expect.objectContaining({ _id: 'list' }), expect.objectContaining({ _id: 'near', excerpt: 'userId, factsJson(json).ltiUserId' }),
    ]);
    expect(exactIdPaths({ user: '30' }, '3')).toEqual([]);
    await planted.drop();
  });
});

describe.each(['canvas', 'moodle'] as const)('on %s', (flavour) => {
  let lms: Connected;
  /** The learner who asks to be erased, the other learner of the course, and the one an administrator erases on request. */
  let learner: SeedUser;
  let other: SeedUser;
  let third: SeedUser;
  let instructor: SeedUser;
  let courseKey: string;
  const sessions = {} as Record<'instructor' | 'learner' | 'other' | 'third' | 'admin', string>;
  const awards = {} as Record<'kept' | 'revoked' | 'pending' | 'otherKept' | 'thirdKept', string>;
  /** The kept credential as the public read it before the erasure, and the learner's public page. */
  const before = {} as { credential: string; ob2: string; otherExport: PersonExport; profileId: string };

  const api = (ltik: string) => ({
    get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
    post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
  });

  async function launch(user: SeedUser): Promise<string> {
    const res = await finishLaunch(await startLaunch(lms, { userId: user.id }));
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  }

  const person = (u: SeedUser) => ({ issuer: lms.emulator.issuer, clientId: lms.clientId, userId: u.id });
  /** Their name and e-mail, anywhere; their LTI user id and LMS user id as whole ids (Moodle's is "5", Canvas's "1045"), and Canvas's LTI user id (a UUID) anywhere. */
  const needlesOf = (u: SeedUser) => [u.name, u.familyName, u.email, ...(flavour === 'canvas' ? [u.id] : [])];
  const searchFor = async (u: SeedUser): Promise<RawHit[]> => [...await rawDatabaseSearch(needlesOf(u)), ...await rawDatabaseSearchExact([u.id, u.lmsId])];
  /** Whether an export names them: their name or e-mail in its text, their ids as whole ids. */
  const names = (text: string, u: SeedUser) => needlesOf(u).some((n) => text.toLowerCase().includes(n.toLowerCase()))
    || [u.id, u.lmsId].some((id) => exactIdPaths(JSON.parse(text), id).length > 0);
  /** Names nothing else in a run holds, a set per flavour, so finding them anywhere means they were kept. */
  const NAMES = {
    canvas: [['Zéphyrine', 'Quillfeather', 'erasure'], ['Bartholomew', 'Vantongeren', 'keep'], ['Ottoline', 'Marchbanks', 'request']],
    moodle: [['Philippa', 'Thistlewaite', 'erasure'], ['Leopold', 'Oosterhuizen', 'keep'], ['Wilhelmina', 'Pennyfeather', 'request']],
  }[flavour];
  const rename = (u: SeedUser, [given, family, domain]: string[]) =>
    Object.assign(u, { name: `${given} ${family}`, givenName: given, familyName: family, email: `${given!.toLowerCase()}.${family!.toLowerCase()}@${domain}.example` });
  const platform = () => ({ issuer: lms.emulator.issuer, clientId: lms.clientId });

  beforeAll(async () => {
    lms = await connectEmulator(laurel, flavour);
    const users = lms.emulator.course.users;
    instructor = users.find((u) => u.role === 'Instructor')!;
    const quiz1 = lms.emulator.course.activities.find((a) => a.label === 'Quiz 1')!;
    const tookQuiz1 = new Set(lms.emulator.course.results.filter((r) => r.lineItemId === quiz1.id && r.score !== undefined).map((r) => r.userId));
    const active = users.filter((u) => u.role === 'Learner' && u.status === 'Active');
    [learner, other] = active.filter((u) => tookQuiz1.has(u.id));
    third = active.find((u) => u !== learner && u !== other)!;
    [learner, other, third].forEach((u, i) => rename(u, NAMES[i]!));

    sessions.instructor = await launch(instructor);
    const staff = api(sessions.instructor);
    const lineItemId = ((await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Quiz 1')!.id;
    const create = async (body: object) => {
      const res = await staff.post('/api/course/badges', body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const keptBadge = await create({ name: 'Helper', rules: { kind: 'approval' } });
    const revokedBadge = await create({ name: 'Lab safety', rules: { kind: 'approval' } });
    await create({ name: 'Reviewed quiz', issueMode: 'approval', rules: { kind: 'completed', lineItemId } });
    const bulkBadge = await create({ name: 'Field trip', rules: { kind: 'approval' } });
    courseKey = courseKeyOf(lms.emulator.issuer, lms.clientId, lms.deploymentId, lms.emulator.course.contextId);

    const award = async (badgeId: string, u: SeedUser) => {
      const res = await staff.post('/api/course/awards', { badgeId, userId: u.id });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    awards.kept = await award(keptBadge, learner);
    awards.revoked = await award(revokedBadge, learner);
    awards.otherKept = await award(keptBadge, other);
    awards.thirdKept = await award(keptBadge, third);
    expect((await staff.post(`/api/course/awards/${awards.revoked}/revoke`, { reason: `Given to ${learner.name} by mistake` })).status).toBe(200);

    // An evaluation: the approval-mode badge waits for the instructor (never issued), and the course's standing is kept.
    const job = (await staff.post('/api/course/evaluations')).body.id as string;
    expect((await finishedJob(api(sessions.instructor), job)).status).toBe('done');
    const listed = (await staff.get('/api/course/awards')).body.awards as { id: string; userId: string; status: string }[];
    awards.pending = listed.find((a) => a.userId === learner.id && a.status === 'pending')!.id;
    expect(listed.some((a) => a.userId === other.id && a.status === 'pending')).toBe(true);
    expect((await staff.post(`/api/course/awards/${awards.pending}/evidence`, { text: `Seen in class: ${learner.name} led the review` })).status).toBe(201);

    // A bulk award naming both learners (its job keeps their roster entries).
    const bulk = await form('/course/bulk/award', sessions.instructor, { badgeId: bulkBadge, userId: [learner.id, other.id] });
    expect(bulk.status, bulk.text.slice(0, 300)).toBe(303);
    const bulkJob = /\/course\/jobs\/([^?]+)/.exec(bulk.headers.location)![1]!;
    expect((await finishedJob(api(sessions.instructor), bulkJob)).status).toBe('done');
    // What no page writes yet: an approval and a grade-book score of each learner (Laurel's own store functions).
    await approve(courseKey, keptBadge, learner.id, instructor.id);
    await approve(courseKey, keptBadge, other.id, instructor.id);
    await wantScores(courseKey, [{ badgeId: keptBadge, userId: learner.id, awardId: awards.kept }, { badgeId: keptBadge, userId: other.id, awardId: awards.otherKept }]);

    // The learners: their pages (signing, "viewed"), evidence, a public page, messages off and on.
    sessions.learner = await launch(learner);
    expect((await page('/me', sessions.learner)).status).toBe(200);
    expect((await form(`/me/awards/${awards.pending}/evidence`, sessions.learner, { text: `My notes, ${learner.name}, ${learner.email}` })).status).toBe(303);
    expect((await form('/me/all/profile', sessions.learner, { award: [awards.kept], showName: 'on' })).status).toBe(303);
    expect((await form('/me/messages', sessions.learner, { messages: 'off' })).status).toBe(303);
    expect((await form('/me/messages', sessions.learner, { messages: 'on' })).status).toBe(303);
    sessions.other = await launch(other);
    expect((await page('/me', sessions.other)).status).toBe(200);
    expect((await form('/me/all/profile', sessions.other, { award: [awards.otherKept], showName: 'on' })).status).toBe(303);
    sessions.third = await launch(third);
    expect((await page('/me', sessions.third)).status).toBe(200);

    instructor.siteAdmin = true;
    try { sessions.admin = await launch(instructor); } finally { instructor.siteAdmin = false; }

    // The public pages as shown before (and kept a few minutes by the verification cache).
    for (const id of [awards.kept, awards.revoked]) expect((await request(laurel.url).get(`/verify/${id}`)).status).toBe(200);
    before.credential = (await request(laurel.url).get(`/credentials/${awards.kept}`)).text;
    before.ob2 = (await request(laurel.url).get(`/ob2/assertions/${awards.kept}`)).text;
    expect(JSON.parse(before.credential).type).toContain('OpenBadgeCredential');
    before.otherExport = await exportPerson(person(other));
    before.profileId = String((await PublicProfileModel.findOne({ ...platform(), userId: learner.id }, { _id: 1 }).lean())!._id);
  }, 240_000);
  afterAll(async () => {
    await lms?.emulator.close();
  });

  describe('the raw database search', () => {
    it('finds the seeded learner before the erasure, in the collections the inventory names', async () => {
      const collections = new Set((await searchFor(learner)).map((h) => h.collection));
      // Canvas's own user id is learned from launches (lmsusers); Moodle's is its LTI user id.
      for (const c of ['awards', 'issuedcredentials', 'auditentries', 'evaluationjobs', 'learnercourses', 'messagerecipients', 'publicprofiles', 'idtokens', 'contexttokens', 'coursestandings', ...(flavour === 'canvas' ? ['lmsusers'] : [])]) {
        expect(collections, c).toContain(c);
      }
    });
  });

  describe("the learner's export", () => {
    let file: request.Response;
    let data: PersonExport & { courses: Record<string, unknown[]>[] };

    beforeAll(async () => {
      file = await request(laurel.url).get('/me/data').set('Authorization', `Bearer ${sessions.learner}`);
      data = JSON.parse(file.text);
    });

    it('is one JSON file to download, never cached', () => {
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toMatch(/^application\/json/);
      expect(file.headers['content-disposition']).toBe('attachment; filename="laurel-my-data.json"');
      expect(file.headers['cache-control']).toBe('no-store');
    });

    it('holds each of their records, per collection', () => {
      expect(data.person).toEqual(flavour === 'canvas' ? { userId: learner.id, lmsUserId: learner.lmsId } : { userId: learner.id });
      expect(data.courses).toHaveLength(1);
      const [course] = data.courses as unknown as Record<string, { [k: string]: unknown }[]>[];
      const ids = (list: { id?: unknown }[]) => list.map((a) => a.id).sort();
      expect(ids(course!.awards!)).toEqual(expect.arrayContaining([awards.kept, awards.revoked, awards.pending].sort()));
      expect(course!.awards!.length).toBe(4); // and the bulk award
      expect(course!.credentials!.map((c) => c.publicId)).toEqual(expect.arrayContaining([awards.kept, awards.revoked]));
      const kept = course!.credentials!.find((c) => c.publicId === awards.kept)!;
      expect(kept.credential).toEqual(JSON.parse(before.credential));
      expect(typeof kept.jwt).toBe('string');
      expect(course!.approvals).toHaveLength(1);
      expect(course!.gradebookScores).toHaveLength(1);
      expect(course!.engagements!.length).toBeGreaterThan(0);
      expect(course!.auditEntries!.map((e) => e.action)).toEqual(expect.arrayContaining(['award.manual', 'award.revoked']));
      expect(course!.standing!.length).toBeGreaterThan(0);
      expect(course!.bulkJobs).toHaveLength(1);
      expect(course!.bulkJobs![0]!.you).toEqual([expect.objectContaining({ userId: learner.id, name: learner.name })]);
      expect(data.launchedAsLearner).toBeDefined();
      expect(data.messages).toMatchObject({ email: learner.email, messagesOff: false });
      expect(data.publicPages).toHaveLength(1);
      expect(Array.isArray(data.outboxMessages)).toBe(true);
      expect(data.sessions.idTokens.length).toBeGreaterThan(0);
      expect(data.sessions.contextTokens.length).toBeGreaterThan(0);
      expect(file.text).toContain(learner.name);
    });

    it("holds nobody else's name, e-mail or id: others are a role word", () => {
      for (const u of [other, third, instructor]) expect(names(file.text, u), u.name).toBe(false);
      expect(file.text).toContain('"awardedBy": "an instructor"');
    });
  });

  describe("a staff member's export", () => {
    it('says what they did, not to whom: no learner they acted on is named', async () => {
      const text = JSON.stringify(await exportPerson(person(instructor)));
      expect(text).toContain('"action":"award.revoked"');
      expect(text).toContain('"launchedAsStaff"');
      for (const u of [learner, other, third]) expect(names(text, u), u.name).toBe(false);
    });
  });

  describe('asking for erasure', () => {
    const requestId = () => personKey(lms.emulator.issuer, lms.clientId, learner.id);

    it('the learner asks, sees it pending, and may cancel', async () => {
      expect((await form('/me/erasure', sessions.learner, {})).status).toBe(400); // the choice is required
      expect((await form('/me/erasure', sessions.learner, { choice: 'keep' })).status).toBe(303);
      expect(htmlText((await page('/me', sessions.learner)).text)).toContain('You asked for erasure on');
      expect((await form('/me/erasure/cancel', sessions.learner)).status).toBe(303);
      const after = htmlText((await page('/me', sessions.learner)).text);
      expect(after).not.toContain('You asked for erasure on');
      expect(after).toContain('Ask for erasure');
      expect(htmlText((await page('/admin', sessions.admin)).text)).toContain('No request waiting.');
    });

    it('only an administrator confirms: the instructor and the learner are refused, and nothing changes', async () => {
      expect((await form('/me/erasure', sessions.learner, { choice: 'keep' })).status).toBe(303);
      for (const who of ['instructor', 'learner', 'other'] as const) {
        expect((await form(`/admin/erasure/requests/${requestId()}/confirm`, sessions[who])).status, who).toBe(403);
      }
      expect((await rawDatabaseSearchExact([learner.id])).length).toBeGreaterThan(0);
      const admin = htmlText((await page('/admin', sessions.admin)).text);
      expect(admin).toContain(`${learner.name}, asked on`);
    });
  });

  describe('after an administrator confirms', () => {
    let confirmed: request.Response;
    let held: PersonExport;
    beforeAll(async () => {
      // Just before: the learner opens their badge's wallet page (a wallet exchange, ten minutes) and
      // starts a login they do not finish (its state, ten minutes; on Moodle it names them).
      const wallet = await form(`/me/awards/${encodeURIComponent(awards.kept)}/wallet`, sessions.learner);
      expect(wallet.status, wallet.text.slice(0, 300)).toBe(200);
      await startLaunch(lms, { userId: learner.id });
      held = await exportPerson(person(learner));
      confirmed = await form(`/admin/erasure/requests/${personKey(lms.emulator.issuer, lms.clientId, learner.id)}/confirm`, sessions.admin);
    });

    it('the administrator is told what went, in counts', () => {
      expect(confirmed.status, confirmed.text.slice(0, 500)).toBe(200);
      expect(htmlText(confirmed.text)).toMatch(/Erased \(Keep their credentials valid\): .*awards kept without the person: 3/);
      // Every kind of record in words, none by its name in the code.
      expect(htmlText(confirmed.text)).not.toMatch(/Erased \([^)]*\): [^.]*\b[a-z]+[A-Z]\w* \d/);
    });

    it('the records that expire in minutes held them, and their export listed them', async () => {
      expect(held.sessions.walletExchanges).toEqual([expect.objectContaining({ awardId: awards.kept, state: 'pending' })]);
      // Moodle's login hint is its user id; Canvas logs in through Platform Storage, whose login keeps no hint.
      expect(held.sessions.loginsInProgress).toEqual(flavour === 'moodle' ? [expect.objectContaining({ loginHint: learner.id })] : []);
      expect(htmlText(confirmed.text)).toMatch(/wallet exchanges deleted: 1\b/);
      expect(htmlText(confirmed.text).includes('logins in progress deleted: 1')).toBe(flavour === 'moodle');
      expect(await VcApiExchangeModel.countDocuments({ courseKey })).toBe(0);
      const logins = await LaunchStateModel.find({ issuer: lms.emulator.issuer }).lean();
      expect(logins.map((l) => [Boolean(l.storageTarget), l.initiation])).toEqual(flavour === 'moodle' ? [] : [[true, undefined]]);
    });

    it("the raw database holds nothing of the learner's name, e-mail or LMS id", async () => {
      expect(await searchFor(learner)).toEqual([]);
    });

    it("the other learner's data is as it was", async () => {
      expect(stable(await exportPerson(person(other)))).toEqual(stable(before.otherExport));
      expect((await rawDatabaseSearch([other.name])).length).toBeGreaterThan(0);
      expect((await rawDatabaseSearchExact([other.id])).length).toBeGreaterThan(0);
    });

    it('their kept credential verifies as valid, saying their data was erased, and reads byte for byte as before', async () => {
      const verify = await request(laurel.url).get(`/verify/${awards.kept}`);
      expect(verify.status).toBe(200);
      const text = htmlText(verify.text);
      expect(text).toContain('Valid');
      expect(text).toMatch(/The learner's data was erased at their request on .+; this credential remains theirs and valid\./);
      expect(text).not.toContain(learner.name);
      expect((await request(laurel.url).get(`/credentials/${awards.kept}`)).text).toBe(before.credential);
      expect((await request(laurel.url).get(`/ob2/assertions/${awards.kept}`)).text).toBe(before.ob2);
    });

    it('their revoked credential still answers revoked, with the reason, which no longer names them', async () => {
      const text = htmlText((await request(laurel.url).get(`/verify/${awards.revoked}`)).text);
      expect(text).toContain('Revoked: Given to a learner by mistake.');
      expect(text).toMatch(/The learner's data was erased at their request on/);
    });

    it('their public page of badges is gone, and their session with it', async () => {
      const theirs = await (await import('mongoose')).default.connection.db!.collection('publicprofiles').findOne({ _id: before.profileId as never });
      expect(Object.keys(theirs!).sort()).toEqual(['_id', 'withdrawnAt']);
      expect((await request(laurel.url).get(`/profiles/${before.profileId}`)).status).toBe(410);
      expect((await request(laurel.url).get('/me/data').set('Authorization', `Bearer ${sessions.learner}`)).status).toBe(401);
    });

    it('their export is empty, and the erasure is recorded once, without them', async () => {
      expect(isEmptyExport(await exportPerson(person(learner)))).toBe(true);
      const records = await ErasureRecordModel.find(platform()).lean();
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ choice: 'keep', requestedBy: 'learner', confirmedBy: instructor.id });
      expect(records[0]!.doneAt).toBeInstanceOf(Date);
      expect(await AuditEntryModel.countDocuments({ action: 'platform.erasure', platform: registrationKey(platform()) })).toBe(1);
    });

    it('a second run changes nothing and records nothing more', async () => {
      const dump = async () => JSON.stringify(await rawDatabaseSearch([courseKey]));
      const was = await dump();
      expect(await erasePerson({ person: person(learner), choice: 'keep', by: { userId: instructor.id, name: instructor.name } })).toEqual({});
      expect(await dump()).toBe(was);
      expect(await ErasureRecordModel.countDocuments(platform())).toBe(1);
      // Confirming the same request again: it is gone.
      const again = await form(`/admin/erasure/requests/${personKey(lms.emulator.issuer, lms.clientId, learner.id)}/confirm`, sessions.admin);
      expect(again.status).toBe(404);
      expect(htmlText(again.text)).toContain('That request is no longer waiting');
      expect(await AuditEntryModel.countDocuments({ action: 'platform.erasure', platform: registrationKey(platform()) })).toBe(1);
    });
  });

  describe('an administrator declining a request', () => {
    it('drops it, erasing nothing; the learner may ask again', async () => {
      expect((await form('/me/erasure', sessions.third, { choice: 'revoke' })).status).toBe(303);
      const id = personKey(lms.emulator.issuer, lms.clientId, third.id);
      expect(htmlText((await page('/admin', sessions.admin)).text)).toContain(`${third.name}, asked on`);
      const declined = await form(`/admin/erasure/requests/${id}/decline`, sessions.admin);
      expect(declined.status).toBe(200);
      expect(htmlText(declined.text)).toContain('The request was declined: nothing was erased.');
      expect(htmlText(declined.text)).not.toContain(`${third.name}, asked on`);
      expect(await AuditEntryModel.countDocuments({ action: 'platform.erasureDeclined', platform: registrationKey(platform()) })).toBe(1);
      expect(isEmptyExport(await exportPerson(person(third)))).toBe(false);
      expect(htmlText((await page('/me', sessions.third)).text)).toContain('Ask for erasure');
    });
  });

  describe('an administrator erasing on a request received otherwise', () => {
    it('asks for the choice and the ticked box naming what will be lost, and erases nothing without them', async () => {
      const noChoice = await form('/admin/erasure/erase', sessions.admin, { userId: third.lmsId, confirm: 'on' });
      expect(noChoice.status).toBe(400);
      expect(htmlText(noChoice.text)).toContain('Choose whether their credentials stay valid or are revoked.');
      const unticked = await form('/admin/erasure/erase', sessions.admin, { userId: third.lmsId, choice: 'revoke' });
      expect(unticked.status).toBe(400);
      expect(htmlText(unticked.text)).toContain('Tick the box saying what will be lost');
      const unknown = await form('/admin/erasure/erase', sessions.admin, { userId: '99999999', choice: 'revoke', confirm: 'on' });
      expect(unknown.status).toBe(400);
      // Canvas's user id is known from launches; Moodle's is its LTI user id, of whom Laurel holds nothing.
      expect(htmlText(unknown.text)).toContain(flavour === 'canvas' ? 'No one with LMS user id 99999999 launched Laurel on this platform.' : 'Laurel holds nothing about LMS user id 99999999 on this platform: nothing to erase.');
      expect((await rawDatabaseSearch([third.name])).length).toBeGreaterThan(0);
    });

    it('downloads the person\'s data by their LMS user id', async () => {
      const file = await request(laurel.url).get(`/admin/erasure/export?userId=${third.lmsId}`).set('Authorization', `Bearer ${sessions.admin}`);
      expect(file.status).toBe(200);
      expect(file.headers['content-disposition']).toBe('attachment; filename="laurel-my-data.json"');
      expect(JSON.parse(file.text).person.userId).toBe(third.id);
    });

    it('erases them with their credentials revoked, the public page saying why', async () => {
      const done = await form('/admin/erasure/erase', sessions.admin, { userId: third.lmsId, choice: 'revoke', confirm: 'on' });
      expect(done.status, done.text.slice(0, 500)).toBe(200);
      expect(htmlText(done.text)).toMatch(/Erased \(Revoke their credentials\): .*credentials revoked: 1/);
      expect(await searchFor(third)).toEqual([]);
      const text = htmlText((await request(laurel.url).get(`/verify/${awards.thirdKept}`)).text);
      expect(text).toContain('Revoked: Erased at the learner\'s request.');
      expect(await ErasureRecordModel.countDocuments({ ...platform(), requestedBy: 'admin', choice: 'revoke' })).toBe(1);
      // Again: nobody is there any more.
      const again = await form('/admin/erasure/erase', sessions.admin, { userId: third.lmsId, choice: 'revoke', confirm: 'on' });
      expect(again.status).toBe(400);
      expect(await ErasureRecordModel.countDocuments(platform())).toBe(2);
    });
  });

  describe('a run cut in the middle', () => {
    it('run again, finishes the job: one award under the pseudonym, none under the person', async () => {
      // The other learner's kept award re-keyed halfway, as a run stopped after inserting the new document leaves it.
      const stored = (await AwardModel.findOne({ courseKey, id: awards.otherKept }).lean())!;
      const { awardKey } = await import('../../src/store/award.js');
      await AwardModel.updateOne({ _id: stored._id }, { $set: { id: `erasing:${stored.id}` } });
      await AwardModel.collection.insertOne({ ...stored, _id: awardKey(courseKey, stored.badgeId, `erased:${stored.id}`) as never, userId: `erased:${stored.id}`, erasedAt: new Date() });
      const counts = await erasePerson({ person: person(other), choice: 'keep', by: { userId: instructor.id, name: instructor.name } });
      expect(counts.awardsPseudonymised).toBeGreaterThan(0);
      expect(await AwardModel.countDocuments({ courseKey, id: { $in: [awards.otherKept, `erasing:${awards.otherKept}`] } })).toBe(1);
      expect((await AwardModel.findOne({ courseKey, id: awards.otherKept }).lean())!.userId).toBe(`erased:${awards.otherKept}`);
      expect(await searchFor(other)).toEqual([]);
      expect((await request(laurel.url).get(`/verify/${awards.otherKept}`)).status).toBe(200);
    });
  });

  describe('an erasure another instance is running', () => {
    it('confirmed meanwhile, goes on without the administrator and is listed as not finished; confirmed once it is free, finishes', async () => {
      // The other learner asks again (nothing of them is left to erase): the request is confirmed on
      // another instance, which holds the erasure's lease while it runs.
      const asked = await requestErasure(person(other), { name: other.name, choice: 'keep', by: 'learner' });
      const erasureId = await startErasure(asked, { userId: instructor.id, name: instructor.name });
      const lease = `erasure ${erasureId}`;
      expect(await takeLease(lease, 60_000, 'another-instance')).toBe(true);
      const going = await form(`/admin/erasure/requests/${asked._id}/confirm`, sessions.admin);
      expect(going.status, going.text.slice(0, 300)).toBe(200);
      expect(htmlText(going.text)).toContain(`The erasure of ${other.name} is confirmed and goes on without you`);
      expect(htmlText(going.text)).toContain(`${other.name}: confirmed on`);
      expect((await ErasureRecordModel.findById(erasureId).lean())?.doneAt).toBeUndefined();

      await releaseLease(lease, 'another-instance');
      const done = await form(`/admin/erasure/requests/${asked._id}/confirm`, sessions.admin);
      expect(htmlText(done.text)).toContain(`Erased (Keep their credentials valid): nothing left to erase. The erasure is recorded as ${erasureId}`);
      expect(htmlText(done.text)).not.toContain(`${other.name}: confirmed on`);
      expect((await ErasureRecordModel.findById(erasureId).lean())?.doneAt).toBeInstanceOf(Date);
      expect(await searchFor(other)).toEqual([]);
    });
  });
});
