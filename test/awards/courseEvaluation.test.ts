/**
 * The instructor's flow against the emulated LMS, both flavours: list the grade columns,
 * define badges (one on a quiz, a three-level stack), preview, evaluate, evaluate again; and
 * the learner's page evaluating that learner alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import type { Flavour } from '../emulator/index.js';
import { AwardModel } from '../../src/store/award.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

async function launch(c: Connected, role: 'Instructor' | 'Learner', nth = 0) {
  const user = c.emulator.course.users.filter((u) => u.role === role && u.status === 'Active')[nth];
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status).toBe(303);
  return { user, ltik: new URL(res.headers.location, laurel.url).searchParams.get('ltik')! };
}

/** Who should earn "at least `percent` % on the activity", straight from the seeded grades. */
function expectedAtLeast(c: Connected, label: string, percent: number): string[] {
  const { course } = c.emulator;
  const activity = course.activities.find((a) => a.label === label)!;
  return course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').filter((u) => {
    const r = course.results.find((x) => x.userId === u.id && x.lineItemId === activity.id);
    return r?.score !== undefined && (r.score / (r.scoreMaximum ?? activity.scoreMaximum)) * 100 >= percent - 1e-9;
  }).map((u) => u.id).sort();
}

async function waitForJob(api: ReturnType<typeof apiFor>, location: string) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const job = (await api.get(location)).body;
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('evaluation did not finish');
}

const apiFor = (ltik: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body?: object) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body ?? {}),
  put: (path: string, body: object) => request(laurel.url).put(path).set('Authorization', `Bearer ${ltik}`).send(body),
  delete: (path: string) => request(laurel.url).delete(path).set('Authorization', `Bearer ${ltik}`),
});

describe.each(['canvas', 'moodle'] as const)('badges over the grades of an emulated %s course', (flavour: Flavour) => {
  let c: Connected;
  let api: ReturnType<typeof apiFor>;
  let columns: { id: string; label: string }[];
  const column = (label: string) => columns.find((l) => l.label === label)!.id;

  beforeAll(async () => {
    c = await connectEmulator(laurel, flavour);
    api = apiFor((await launch(c, 'Instructor')).ltik);
  });
  afterAll(async () => { await c?.emulator.close(); });

  it('lists the grade columns the LMS shows Laurel, and says why ordinary assignments are missing', async () => {
    const res = await api.get('/api/course/line-items');
    expect(res.status).toBe(200);
    columns = res.body.lineItems;
    const labels = columns.map((l) => l.label);
    expect(labels).toEqual(expect.arrayContaining(['Quiz 1', 'Lab: Safety', 'Essay', 'Quiz 2']));
    expect(labels).not.toContain('Participation'); // an ordinary assignment: invisible over AGS
    expect(res.body.hint).toMatch(/only the grade columns of Laurel's own links/);
  });

  it('refuses rules it cannot apply, saying what to fix', async () => {
    const res = await api.post('/api/course/badges', { name: 'Broken', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: 'https://nowhere/lineitem/9', percent: 120 }] } });
    expect(res.status).toBe(400);
    expect(res.body.problems.join(' ')).toMatch(/not a line item of this course/);
    expect(res.body.problems.join(' ')).toMatch(/0.*100/);
    expect((await api.post('/api/course/badges', { rules: { kind: 'all', rules: [] } })).body.problems).toEqual(expect.arrayContaining(['name is required']));
  });

  it('previews, awards exactly the learners who meet the rules, and awards nothing twice', async () => {
    const quiz = (await api.post('/api/course/badges', { name: 'Quiz 1 mastery', description: 'At least 70 % on Quiz 1', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: column('Quiz 1'), percent: 70 }] } })).body;
    expect(quiz.id).toBeTruthy();
    const expected = expectedAtLeast(c, 'Quiz 1', 70);
    expect(expected.length).toBeGreaterThan(0);

    const preview = await api.post('/api/course/preview');
    expect(preview.status).toBe(200);
    const earned = preview.body.verdicts.filter((v: { badgeId: string; earned: boolean }) => v.badgeId === quiz.id && v.earned).map((v: { userId: string }) => v.userId).sort();
    expect(earned).toEqual(expected);
    expect(await AwardModel.countDocuments({ badgeId: quiz.id })).toBe(0); // a preview awards nothing

    const started = await api.post('/api/course/evaluations');
    expect(started.status).toBe(202);
    const job = await waitForJob(api, started.headers.location);
    expect(job).toMatchObject({ status: 'done', result: { awarded: expected.length, pending: 0 } });
    const awarded = (await AwardModel.find({ badgeId: quiz.id }).lean()).map((a) => a.userId).sort();
    expect(awarded).toEqual(expected);

    const again = await waitForJob(api, (await api.post('/api/course/evaluations')).headers.location);
    expect(again.result.awarded).toBe(0);
    expect(await AwardModel.countDocuments({ badgeId: quiz.id })).toBe(expected.length);
  });

  it('earns a three-level stack in one pass', async () => {
    const l1 = (await api.post('/api/course/badges', { name: 'Lab level 1', group: 'lab', level: 1, rules: { kind: 'all', rules: [{ kind: 'completed', lineItemId: column('Lab: Safety') }] } })).body;
    const l2 = (await api.post('/api/course/badges', { name: 'Lab level 2', group: 'lab', level: 2, rules: { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: l1.id }, { kind: 'minGrade', lineItemId: column('Lab: Safety'), percent: 50 }] } })).body;
    const l3 = (await api.post('/api/course/badges', { name: 'Lab level 3', group: 'lab', level: 3, rules: { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: l2.id }, { kind: 'minGrade', lineItemId: column('Lab: Safety'), percent: 60 }] } })).body;
    const job = await waitForJob(api, (await api.post('/api/course/evaluations')).headers.location);
    expect(job.status).toBe('done');
    const holders = async (id: string) => (await AwardModel.find({ badgeId: id }).lean()).map((a) => a.userId).sort();
    expect(await holders(l3.id)).toEqual(expectedAtLeast(c, 'Lab: Safety', 60));
    expect(await holders(l2.id)).toEqual(expectedAtLeast(c, 'Lab: Safety', 50));
    const level1 = await holders(l1.id);
    expect((await holders(l2.id)).every((u) => level1.includes(u))).toBe(true); // stacked: level 2 only on top of level 1
  });

  it('refuses a prerequisite cycle', async () => {
    const badges = (await api.get('/api/course/badges')).body.badges as { id: string; name: string; rules: object }[];
    const l1 = badges.find((b) => b.name === 'Lab level 1')!;
    const l3 = badges.find((b) => b.name === 'Lab level 3')!;
    const res = await api.put(`/api/course/badges/${l1.id}`, { ...l1, rules: { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: l3.id }] } });
    expect(res.status).toBe(400);
    expect(res.body.problems.join(' ')).toMatch(/Lab level 1 → .*Lab level 1/);
  });

  it('shows a learner their badges and their progress beside the grades, evaluating them on launch', async () => {
    const { user, ltik } = await launch(c, 'Learner', 0);
    const page = await request(laurel.url).get(`/me?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    const holds = expectedAtLeast(c, 'Quiz 1', 70).includes(user.id);
    expect(page.text.includes('Quiz 1 mastery')).toBe(true);
    expect(page.text).toMatch(holds ? /Earned[\s\S]*Quiz 1 mastery[\s\S]*Progress/ : /Progress[\s\S]*Quiz 1 mastery/);
  });

  it('keeps learners out of the instructor API', async () => {
    const { ltik } = await launch(c, 'Learner', 1);
    expect((await apiFor(ltik).get('/api/course/badges')).status).toBe(403);
    expect((await apiFor(ltik).post('/api/course/evaluations')).status).toBe(403);
  });
});
