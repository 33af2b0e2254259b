/**
 * Where a course's learners stand, as the instructor's pages say it: the dashboard counts one
 * evaluation's learners, each once, by their award as it is now (so the figures add up to the
 * learners, whatever was awarded since), a learner graded under the bar is in progress, and the
 * preview shows a revoked award as revoked rather than as qualifying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';

let laurel: RunningLaurel;
let c: Connected;
let ltik: string;
let badgeId: string;
/** Ada passed Quiz 1, Bo was graded under the bar, Cy has no grade. */
let ada: string, bo: string, cy: string;

const api = {
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
};
const page = (path: string) => request(laurel.url).get(`${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');

async function evaluate() {
  const started = await api.post('/api/course/evaluations');
  expect(started.status).toBe(202);
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    const job = (await api.get(started.headers.location)).body;
    if (job.status === 'done') return job;
    if (job.status === 'failed') throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the evaluation did not finish');
}

/** The dashboard's figures for the badge, as read on the page. */
async function figures(): Promise<string> {
  const res = await page('/course');
  expect(res.status).toBe(200);
  const row = res.text.slice(res.text.indexOf('Quiz 1 passed'));
  return htmlText(row.slice(row.indexOf('<ul class="figures">'), row.indexOf('</ul>'))).replace(/\s+/g, ' ').replace(/ Quiz 1 passed/, '').trim();
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const course = c.emulator.course;
  const instructor = course.users.find((u) => u.role === 'Instructor')!;
  const learners = course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').slice(0, 3);
  [ada, bo, cy] = learners.map((u) => u.id) as [string, string, string];
  course.users = [instructor, ...learners];
  const quiz1 = course.activities.find((a) => a.label === 'Quiz 1')!;
  const at = '2025-01-10T14:00:00.000Z';
  course.results = [
    { userId: ada, lineItemId: quiz1.id, score: 8, timestamp: at, activityProgress: 'Completed', gradingProgress: 'FullyGraded' },
    { userId: bo, lineItemId: quiz1.id, score: 3, timestamp: at, activityProgress: 'Completed', gradingProgress: 'FullyGraded' },
  ];
  const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  const columns = (await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const created = await api.post('/api/course/badges', {
    name: 'Quiz 1 passed', description: 'Six out of ten or more on the first quiz.',
    rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.find((l) => l.label === 'Quiz 1')!.id, percent: 60 }] },
  });
  expect(created.status).toBe(201);
  badgeId = created.body.id;
  await evaluate();
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

describe('the dashboard\'s figures', () => {
  it('count a learner graded under the bar as in progress: they have started', async () => {
    expect(await figures()).toBe('1 earned 1 in progress 1 not started of 3 learners');
  });

  it('add up to the learners after an award by hand, counting the new holder once', async () => {
    const awarded = await api.post('/api/course/awards', { badgeId, userId: bo });
    expect(awarded.status).toBe(201);
    expect(await figures()).toBe('2 earned 0 in progress 1 not started of 3 learners');
  });
});

describe('a revoked award', () => {
  it('shows in the preview as revoked, when, by whom and why, not as qualifying', async () => {
    const award = ((await api.get('/api/course/awards')).body.awards as { id: string; userId: string }[]).find((a) => a.userId === ada)!;
    expect((await api.post(`/api/course/awards/${award.id}/revoke`, { reason: 'Copied the quiz' })).status).toBe(200);
    const preview = await page('/course/preview');
    expect(preview.status).toBe(200);
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const row = htmlText(preview.text.slice(preview.text.indexOf(c.emulator.course.users.find((u) => u.id === ada)!.name))).replace(/\s+/g, ' ');
    expect(row).toMatch(new RegExp(`^\\S+ \\S+ revoked on .+ by ${instructor.name}: Copied the quiz`));
    expect(htmlText(preview.text)).toContain('Quiz 1 passed: 0 of 3 qualify');
    expect(await figures()).toBe('1 earned 1 revoked 0 in progress 1 not started of 3 learners');
  });
});
