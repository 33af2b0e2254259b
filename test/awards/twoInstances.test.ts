/**
 * Several Laurel instances share one database. Two of them asked to evaluate the same course at
 * the same moment award each badge exactly once; so do concurrent learner launches, and the
 * background scheduler.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import request from 'supertest';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/store/localFerret.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { AwardModel } from '../../src/store/award.js';
import { CourseModel } from '../../src/store/course.js';
import { evaluateCourse } from '../../src/awards/evaluateCourse.js';
import { evaluateDueCourses } from '../../src/jobs/scheduler.js';

let a: RunningLaurel;
let b: { url: string; child: ChildProcess };
let c: Connected;
let ltik: string;
let badgeId: string;

async function startSecondInstance(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(__dirname, '../../dist/src/server.js')], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: String(port), MONGODB_URI: a.config.mongodbUri!, LAUREL_SECRET: a.config.secret, SYNC_INTERVAL_MINUTES: '0', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('second instance did not start');
}

beforeAll(async () => {
  a = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  b = await startSecondInstance();
  c = await connectEmulator(a, 'moodle');
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  ltik = new URL(res.headers.location, a.url).searchParams.get('ltik')!;
  const columns = (await request(a.url).get('/api/course/line-items').set('Authorization', `Bearer ${ltik}`)).body.lineItems as { id: string; label: string }[];
  const badge = await request(a.url).post('/api/course/badges').set('Authorization', `Bearer ${ltik}`)
    .send({ name: 'Essay', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.find((l) => l.label === 'Essay')!.id, percent: 60 }] } });
  badgeId = badge.body.id;
});
afterAll(async () => {
  b?.child.kill('SIGTERM');
  await c?.emulator.close();
  await a?.close();
});

async function job(url: string, location: string) {
  let j;
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    j = (await request(url).get(location).set('Authorization', `Bearer ${ltik}`)).body;
    if (j.status === 'done' || j.status === 'failed') return j;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job did not finish: ${JSON.stringify(j)}`);
}

async function duplicates(): Promise<number> {
  const awards = await AwardModel.find({ badgeId }).lean();
  return awards.length - new Set(awards.map((x) => x.userId)).size;
}

describe('two Laurel instances', () => {
  it('evaluating the same course at the same moment award each badge exactly once', async () => {
    const [ja, jb] = await Promise.all([a.url, b.url].map((url) => request(url).post('/api/course/evaluations').set('Authorization', `Bearer ${ltik}`)));
    expect([ja.status, jb.status]).toEqual([202, 202]);
    const [ra, rb] = await Promise.all([job(a.url, ja.headers.location), job(b.url, jb.headers.location)]);
    expect([ra.status, rb.status]).toEqual(['done', 'done']);
    const total = await AwardModel.countDocuments({ badgeId });
    expect(total).toBeGreaterThan(0);
    expect(ra.result.awarded + rb.result.awarded).toBe(total); // one instance awarded them all, the other none
    expect(await duplicates()).toBe(0);
  });

  it('concurrent evaluations without a lease (learner launches) still award once', async () => {
    await AwardModel.deleteMany({ badgeId });
    const course = (await CourseModel.findOne({}).lean())!;
    const runs = await Promise.all([1, 2, 3].map(() => evaluateCourse(course, { apply: true })));
    const total = await AwardModel.countDocuments({ badgeId });
    expect(runs.reduce((n, r) => n + r.awarded, 0)).toBe(total);
    expect(await duplicates()).toBe(0);
  });
});

describe('the background scheduler', () => {
  it('evaluates a course whose last evaluation is older than the interval, then leaves it until the next one', async () => {
    await AwardModel.deleteMany({ badgeId });
    await CourseModel.updateMany({}, { $set: { lastEvaluatedAt: new Date(Date.now() - 2 * 3600_000) } });
    const logger = createLogger('silent');
    expect(await evaluateDueCourses(60, logger)).toBe(1);
    expect(await AwardModel.countDocuments({ badgeId })).toBeGreaterThan(0);
    expect(await evaluateDueCourses(60, logger)).toBe(0);
  });
});
