/**
 * Bulk work survives the death of the instance doing it: the job carries its input and a lease,
 * and another instance takes it over once the lease runs out, finishing with every award made
 * exactly once and every credential valid. Shown in-process with a job left stalled, and for
 * real with a second Laurel process killed by SIGKILL in the middle of a bulk award.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { startEmulator } from '../emulator/index.js';
import { seedCourse } from '../emulator/course.js';
import { installInEmulator } from '../demo/installInEmulator.js';
import { freePort } from '../../src/store/localFerret.js';
import { AwardModel, awardKey } from '../../src/store/award.js';
import { IssuedCredentialModel } from '../../src/store/issuedCredential.js';
import { createJob, findJob, type BulkAwardInput } from '../../src/store/evaluationJob.js';
import { resumeStalledJobs } from '../../src/jobs/resumeJobs.js';
import { lostDatabase, runJob } from '../../src/jobs/jobRunner.js';
import { courseKeyOf, findCourse } from '../../src/store/course.js';
import { verifyAward } from '../../src/awards/verifyAward.js';
import { createLogger } from '../../src/log.js';

const LEARNERS = 240;
let a: RunningLaurel;
let c: Connected;
let ltik: string;

beforeAll(async () => {
  a = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', JOB_LEASE_SECONDS: '2' });
  const emulator = await startEmulator({ flavour: 'moodle', course: seedCourse({ flavour: 'moodle', learners: LEARNERS }) });
  const tool = await installInEmulator(emulator, a.url);
  await a.running.laurel.platformOrigins.refresh();
  c = { emulator, ...tool };
  const instructor = emulator.course.users.find((u) => u.role === 'Instructor')!;
  ltik = new URL((await finishLaunch(await startLaunch(c, { userId: instructor.id }))).headers.location, a.url).searchParams.get('ltik')!;
});
afterAll(async () => {
  await c?.emulator.close();
  await a?.close();
});

async function newBadge(name: string): Promise<string> {
  const res = await request(a.url).post('/api/course/badges').set('Authorization', `Bearer ${ltik}`).send({ name, rules: { kind: 'all', rules: [{ kind: 'approval' }] } });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Every award of the badge once, each with one stored credential that verifies. */
async function expectAwardedOnce(badgeId: string, userIds: string[]) {
  const awards = await AwardModel.find({ badgeId }).lean();
  expect(awards.map((x) => x.userId).sort()).toEqual([...userIds].sort());
  const issued = await IssuedCredentialModel.find({ badgeId }, { _id: 1 }).lean();
  expect(issued.map((d) => d._id).sort()).toEqual(awards.map((x) => x.id).sort());
  for (const award of awards.slice(0, 3)) expect((await verifyAward(a.url, award.id))!.verification.status).toBe('valid');
}

/**
 * Takes the stalled job over and waits for it to finish. The running Laurel's own resumer may get
 * there first (it looks twice per lease); either way the job must end done. (On FerretDB two
 * takers at the same instant may both win, as its conditional updates are not atomic; the work is
 * idempotent, so the awards still come out once.)
 */
async function takenOverAndFinished(courseKey: string, jobId: string) {
  await resumeStalledJobs(createLogger('silent'));
  for (const deadline = Date.now() + 20_000; ;) {
    const job = (await findJob(courseKey, jobId))!;
    if (job.status === 'done' || job.status === 'failed' || Date.now() > deadline) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const learners = () => c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');

describe('a job whose instance stopped', () => {
  it('is taken over once its lease has run out, finishing what was left without doubling what was done', async () => {
    const badgeId = await newBadge('Taken over');
    const course = (await findCourse(courseKey()))!;
    const members = learners().slice(0, 20).map((u) => ({ userId: u.id, status: 'Active' as const, roles: ['Learner'], name: u.name, source: 'nrps' as const }));
    const input: BulkAwardInput = { badgeId, badgeName: 'Taken over', members, actorName: 'An instructor' };
    // A dead instance's job: created, its lease already over, and half its awards made before it died.
    const job = await createJob(course.courseKey, 'instructor', { kind: 'award', total: members.length, input, leaseMs: -1 });
    await AwardModel.insertMany(members.slice(0, 10).map((m, i) => ({ _id: awardKey(course.courseKey, badgeId, m.userId), id: `pre-award-${i}`, courseKey: course.courseKey, badgeId, userId: m.userId, status: 'awarded', origin: 'instructor', createdAt: new Date(), awardedAt: new Date() })));

    const after = await takenOverAndFinished(course.courseKey, job.id);
    expect(after).toMatchObject({ status: 'done' });
    expect(after.attempts).toBeGreaterThanOrEqual(2);
    expect(after.result!.awarded).toBe(10);
    await expectAwardedOnce(badgeId, members.map((m) => m.userId));
    expect(await resumeStalledJobs(createLogger('silent'))).toBe(0); // nothing left to take over
  });
});

describe('a Laurel process killed during a bulk award', () => {
  let b: ChildProcess;

  async function startSecondInstance(): Promise<string> {
    const port = await freePort();
    b = spawn(process.execPath, [resolve(__dirname, '../../dist/src/server.js')], {
      env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: String(port), MONGODB_URI: a.config.mongodbUri!, LAUREL_SECRET: a.config.secret, SYNC_INTERVAL_MINUTES: '0', JOB_LEASE_SECONDS: '2', LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const url = `http://127.0.0.1:${port}`;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return url;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('second instance did not start');
  }
  afterAll(() => { b?.kill('SIGKILL'); });

  it('is finished by the instance still running: every award exactly once, every credential valid', async () => {
    const badgeId = await newBadge('Survives a crash');
    const url = await startSecondInstance();
    const chosen = learners().map((u) => u.id);
    const started = await request(url).post(`/course/bulk/award?ltik=${encodeURIComponent(ltik)}`).type('form').set('Accept', 'text/html').send({ ltik, badgeId, userId: chosen });
    expect(started.status).toBe(303);
    b.kill('SIGKILL');
    const jobPath = new URL(started.headers.location, url).pathname;
    const jobId = jobPath.split('/').pop()!;

    let job;
    for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
      job = (await findJob(courseKey(), jobId))!;
      if (job.status === 'done' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(job).toMatchObject({ status: 'done' });
    expect(job!.attempts).toBeGreaterThanOrEqual(2); // the killed instance's run did not finish it
    await expectAwardedOnce(badgeId, chosen);
  }, 120_000);
});

function courseKey(): string {
  return courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
}

describe('a job that loses the database', () => {
  it('is left to be taken over rather than marked failed, and finishes once the database answers again', async () => {
    const course = (await findCourse(courseKey()))!;
    const job = await createJob(course.courseKey, 'instructor', { kind: 'award', total: 1, input: { badgeId: 'x', badgeName: 'x', members: [], actorName: 'x' }, leaseMs: 1000 });
    const gone = Object.assign(new Error('connection refused'), { name: 'MongoNetworkError' });
    await runJob(job, createLogger('silent'), async () => { throw gone; });
    expect(['queued', 'running']).toContain((await findJob(course.courseKey, job.id))!.status);
    await new Promise((r) => setTimeout(r, 1100)); // its lease runs out
    const after = await takenOverAndFinished(course.courseKey, job.id);
    expect(after).toMatchObject({ status: 'done' });
    expect(after.attempts).toBeGreaterThanOrEqual(2);

    // Any other error fails the job at once, saying why.
    const broken = await createJob(course.courseKey, 'instructor', { kind: 'award', total: 1, leaseMs: 60_000 });
    await runJob(broken, createLogger('silent'), async () => { throw new Error('the badge has no rules'); });
    expect((await findJob(course.courseKey, broken.id))!).toMatchObject({ status: 'failed', error: 'the badge has no rules' });
  });
});

describe('what counts as losing the database', () => {
  it('is the driver\'s and mongoose\'s errors for an unreachable server, not any error', () => {
    const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
    for (const e of [named('MongoNetworkError'), named('MongoServerSelectionError'), named('MongooseServerSelectionError'), named('MongooseError', 'Operation `awards.insertMany()` buffering timed out after 10000ms')]) expect(lostDatabase(e)).toBe(true);
    for (const e of [named('MongooseError', 'Cast to ObjectId failed'), named('MongoServerError'), new Error('the badge has no rules')]) expect(lostDatabase(e)).toBe(false);
  });
});
