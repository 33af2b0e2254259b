/**
 * Staff are never learners (issue 13, 2.2), against the emulated Moodle, whose NRPS lists a
 * non-editing teacher as a Learner though it launches them as Instructor (as Moodle 4.5 does).
 * Someone who launched as staff, or whom Moodle's web services list as a teacher, is not
 * evaluated, counted, awarded (by rules, by hand, in bulk) or scored in the grade book. A
 * non-editing teacher grades and does not edit: they award and revoke, and are refused the
 * badge editor with what to do, in English and French.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import type { SeedUser } from '../emulator/index.js';
import { AwardModel } from '../../src/store/award.js';
import { courseStaffOf } from '../../src/store/courseStaff.js';
import { courseKeyOf } from '../../src/store/course.js';
import { standingOfCourse } from '../../src/store/courseStanding.js';
import { connectMoodle } from '../../src/store/lmsConnection.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

/** A rule every active learner meets: the course opened in 2000. */
const OPEN = { kind: 'dateWindow', from: '2000-01-01T00:00:00Z' };

async function launchAs(c: Connected, user: SeedUser, locale?: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id, locale }));
  expect(res.status, res.text?.slice(0, 300)).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

function apiFor(ltik: string) {
  return {
    get: (p: string) => request(laurel.url).get(p).set('Authorization', `Bearer ${ltik}`),
    post: (p: string, b: object = {}) => request(laurel.url).post(p).set('Authorization', `Bearer ${ltik}`).send(b),
    put: (p: string, b: object) => request(laurel.url).put(p).set('Authorization', `Bearer ${ltik}`).send(b),
    delete: (p: string) => request(laurel.url).delete(p).set('Authorization', `Bearer ${ltik}`),
    page: (p: string) => request(laurel.url).get(`${p}${p.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html'),
    form: (p: string, f: Record<string, string | string[]>) => request(laurel.url).post(p).type('form').set('Accept', 'text/html').send({ ltik, ...f }),
  };
}
type Api = ReturnType<typeof apiFor>;

async function evaluate(api: Api) {
  const started = await api.post('/api/course/evaluations');
  expect(started.status).toBe(202);
  for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
    const job = (await api.get(started.headers.location)).body;
    if (job.status === 'done') return job;
    if (job.status === 'failed') throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('evaluation did not finish');
}

const courseKey = (c: Connected) => courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
const activeLearners = (c: Connected) => c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');
/** Moodle's non-editing teacher in the seeded course. */
const teacherOf = (c: Connected) => c.emulator.course.users.find((u) => u.role === 'TeachingAssistant')!;

describe('a Moodle non-editing teacher who opened Laurel', () => {
  let c: Connected;
  let instructor: Api;
  let grader: Api;
  let welcome: string;
  let teacher: SeedUser;

  beforeAll(async () => {
    c = await connectEmulator(laurel, 'moodle');
    teacher = teacherOf(c);
    instructor = apiFor(await launchAs(c, c.emulator.course.users.find((u) => u.role === 'Instructor')!));
    const created = await instructor.post('/api/course/badges', { name: 'Welcome', gradebookColumn: true, rules: OPEN });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    welcome = created.body.id;
  });
  afterAll(async () => { await c?.emulator.close(); });

  it('is, before opening Laurel, a learner as far as Moodle\'s roster alone can tell', async () => {
    const preview = await instructor.post('/api/course/preview');
    expect(preview.body.verdicts.map((v: { userId: string }) => v.userId)).toContain(teacher.id);
  });

  it('launches as staff, is known as one who grades only, and is neither evaluated, counted, awarded nor scored', async () => {
    const home = await finishLaunch(await startLaunch(c, { userId: teacher.id }));
    expect(home.headers.location).toMatch(/^\/course\?ltik=/);
    grader = apiFor(new URL(home.headers.location, laurel.url).searchParams.get('ltik')!);
    const known = await courseStaffOf(courseKey(c));
    expect(known.launched).toContain(teacher.id);
    expect(known.graders).toEqual([teacher.id]); // Moodle's NRPS does not list them among the Instructors

    const preview = await instructor.post('/api/course/preview');
    const evaluated = new Set(preview.body.verdicts.map((v: { userId: string }) => v.userId));
    expect(evaluated.has(teacher.id)).toBe(false);
    expect([...evaluated].sort()).toEqual(activeLearners(c).map((u) => u.id).sort());

    const scoresBefore = c.emulator.requests.length;
    const job = await evaluate(instructor);
    expect(job.result.awarded).toBe(activeLearners(c).length);
    expect(await AwardModel.countDocuments({ badgeId: welcome, userId: teacher.id })).toBe(0);
    const standing = (await standingOfCourse(courseKey(c)))!.badges[welcome];
    expect(standing.earned).toHaveLength(activeLearners(c).length);
    expect([...standing.earned, ...standing.inProgress, ...standing.notStarted]).not.toContain(teacher.id);
    // The "Badge: Welcome" column: a score for each learner, none for the teacher, and nothing Moodle refused.
    const column = c.emulator.course.activities.find((a) => a.label === 'Badge: Welcome')!;
    const scored = c.emulator.course.results.filter((r) => r.lineItemId === column.id).map((r) => r.userId);
    expect(scored.sort()).toEqual(activeLearners(c).map((u) => u.id).sort());
    expect(c.emulator.requests.slice(scoresBefore).filter((r) => r.status >= 400)).toEqual([]);
  });

  it('is not listed among the learners, and an award to them by hand, through the API or in bulk, is refused saying why', async () => {
    const learners = await instructor.page('/course/learners');
    expect(learners.status).toBe(200);
    expect(learners.text).not.toContain(teacher.name);
    expect(learners.text).toContain(activeLearners(c)[0]!.name);

    const helper = (await instructor.post('/api/course/badges', { name: 'Helper', rules: { kind: 'approval' } })).body.id as string;
    const byApi = await instructor.post('/api/course/awards', { badgeId: helper, userId: teacher.id });
    expect(byApi.status).toBe(409);
    expect(byApi.body).toMatchObject({ error: 'not_a_learner' });
    expect(byApi.body.detail).toContain('non-editing teacher');

    const learner = activeLearners(c)[0]!;
    const confirm = await instructor.form('/course/bulk/award/confirm', { badgeId: helper, userId: [learner.id, teacher.id] });
    expect(confirm.status).toBe(409);
    expect(htmlText(confirm.text)).toContain(`These people are not learners of this course (staff, Canvas's Test Student or observers) and cannot be awarded a badge: ${teacher.name}.`);
    const bulk = await instructor.form('/course/bulk/award', { badgeId: helper, userId: [learner.id, teacher.id] });
    expect(bulk.status).toBe(409);
    expect(await AwardModel.countDocuments({ badgeId: helper })).toBe(0);
  });

  it('may see the course and award, approve and revoke, but not create, change or delete a badge', async () => {
    const dashboard = await grader.page('/course');
    expect(dashboard.status).toBe(200);
    const text = htmlText(dashboard.text);
    expect(text).toContain('Grader (awards, does not edit badges)');
    expect(text).toContain('an editing teacher creates and changes them');
    expect(dashboard.text).not.toContain('/course/badges/new');
    expect((await grader.page('/course/learners')).status).toBe(200);
    expect((await grader.page('/course/preview')).status).toBe(200);

    const helper = ((await grader.get('/api/course/badges')).body.badges as { id: string; name: string }[]).find((b) => b.name === 'Helper')!;
    const learner = activeLearners(c)[1]!;
    const awarded = await grader.post('/api/course/awards', { badgeId: helper.id, userId: learner.id });
    expect(awarded.status).toBe(201);
    const revoked = await grader.post(`/api/course/awards/${awarded.body.id}/revoke`, { reason: 'Awarded to the wrong learner.' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    // Evaluating and approving are grading acts too.
    const checked = (await instructor.post('/api/course/badges', { name: 'Checked', issueMode: 'approval', rules: OPEN })).body.id as string;
    expect((await evaluate(grader)).result.pending).toBe(activeLearners(c).length);
    const pending = ((await grader.get('/api/course/awards')).body.awards as { id: string; badgeId: string; userId: string }[]).filter((a) => a.badgeId === checked);
    expect(pending.map((a) => a.userId)).not.toContain(teacher.id);
    const approved = await grader.post(`/api/course/awards/${pending[0]!.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('awarded');

    const editor = await grader.page('/course/badges/new');
    expect(editor.status).toBe(403);
    expect(editor.headers['x-laurel-reason']).toBe('grader_cannot_edit');
    expect(htmlText(editor.text)).toContain('Ask an editing teacher of the course to make this change');
    expect((await grader.page(`/course/badges/${helper.id}`)).status).toBe(403);
    expect((await grader.form(`/course/badges/${helper.id}/delete`, {})).status).toBe(403);
    const created = await grader.post('/api/course/badges', { name: 'Mine', rules: OPEN });
    expect(created.status).toBe(403);
    expect(created.body).toMatchObject({ error: 'grader_cannot_edit' });
    expect((await grader.put(`/api/course/badges/${helper.id}`, { ...helper, name: 'Renamed' })).status).toBe(403);
    expect((await grader.delete(`/api/course/badges/${helper.id}`)).status).toBe(403);
    const badges = ((await instructor.get('/api/course/badges')).body.badges as { name: string }[]).map((b) => b.name).sort();
    expect(badges).toEqual(['Checked', 'Helper', 'Welcome']);
  });

  it('is told so in French when Moodle speaks French', async () => {
    const fr = apiFor(await launchAs(c, teacher, 'fr'));
    const editor = await fr.page('/course/badges/new');
    expect(editor.status).toBe(403);
    expect(htmlText(editor.text)).toContain('Demandez ce changement à un enseignant éditeur du cours');
  });
});

describe('a Moodle teacher whom only the web services list as staff', () => {
  let c: Connected;
  let instructor: Api;
  let teacher: SeedUser;

  beforeAll(async () => {
    c = await connectEmulator(laurel, 'moodle');
    teacher = teacherOf(c);
    await connectMoodle(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, token: c.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] }) }, 'admin');
    instructor = apiFor(await launchAs(c, c.emulator.course.users.find((u) => u.role === 'Instructor')!));
  });
  afterAll(async () => { await c?.emulator.close(); });

  it('is neither evaluated nor awarded, though they never opened Laurel and NRPS calls them a Learner', async () => {
    const welcome = (await instructor.post('/api/course/badges', { name: 'Welcome', rules: OPEN })).body.id as string;
    const preview = await instructor.post('/api/course/preview');
    expect(preview.body.verdicts.map((v: { userId: string }) => v.userId)).not.toContain(teacher.id);
    expect(preview.body.warnings.join(' ')).not.toContain(teacher.name);

    const job = await evaluate(instructor);
    expect(job.result.awarded).toBe(activeLearners(c).length);
    expect(await AwardModel.countDocuments({ badgeId: welcome, userId: teacher.id })).toBe(0);
    const known = await courseStaffOf(courseKey(c));
    expect(known.launched).not.toContain(teacher.id);
    expect(known.listed).toContain(teacher.id);
    expect(known.graders).toEqual([teacher.id]); // role `teacher`, no editing role
  });

  it('is left off the learners page and cannot be awarded by hand', async () => {
    const learners = await instructor.page('/course/learners');
    expect(learners.text).not.toContain(teacher.name);
    const helper = (await instructor.post('/api/course/badges', { name: 'Helper', rules: { kind: 'approval' } })).body.id as string;
    const byApi = await instructor.post('/api/course/awards', { badgeId: helper, userId: teacher.id });
    expect(byApi.status).toBe(409);
    expect(byApi.body.error).toBe('not_a_learner');
  });
});
