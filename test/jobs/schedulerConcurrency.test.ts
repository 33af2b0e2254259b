/**
 * The scheduler evaluates several courses at once (SYNC_CONCURRENCY), against the emulated
 * Moodle over HTTP with a distant LMS's latency: one instance runs that many courses side by
 * side and never more; two instances sharing the database (the second `npm start`'s server, a
 * process of its own) split the due courses between them and never run one course twice at once,
 * nor again once the other has done it; an LMS that throttles (429 with Retry-After) slows the
 * pass down and fails nothing, and the bound on requests to it comes down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/store/localFerret.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { installInEmulator } from '../demo/installInEmulator.js';
import { CourseModel, recordCourseLaunch, type CourseRecord } from '../../src/store/course.js';
import { saveBadge } from '../../src/store/badge.js';
import { AwardModel } from '../../src/store/award.js';
import { lmsClientFor } from '../../src/lms/forCourse.js';
import { processGates } from '../../src/lms/hostGate.js';
import { evaluateDueCourses } from '../../src/jobs/scheduler.js';

/** Every LMS request takes this long: a course's evaluation is a few round trips, mostly waiting. */
const LATENCY_MS = 120;
const COURSES = 9;

let laurel: RunningLaurel;
let emulator: Emulator;
let courses: CourseRecord[];

/** A scheduler's log: what it says of each course it evaluated, and any failure. */
function schedulerLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  return { logger: createLogger('info', sink), lines };
}

interface Run { courseKey: string; from: number; to: number; instance: string }

const runsIn = (lines: Record<string, unknown>[], instance: string): Run[] => lines
  .filter((l) => l.msg === 'course evaluated in the background')
  .map((l) => ({ courseKey: l.courseKey as string, from: l.startedAt as number, to: (l.startedAt as number) + (l.ms as number), instance }));

/** The most runs under way at one moment. */
function mostAtOnce(runs: Run[]): number {
  const edges = runs.flatMap((r) => [[r.from, 1], [r.to, -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of edges) most = Math.max(most, (now += d));
  return most;
}

async function allDue(): Promise<void> {
  await CourseModel.updateMany({}, { $set: { lastEvaluatedAt: new Date(Date.now() - 2 * 3600_000) } });
  await AwardModel.deleteMany({});
}

/** `npm start`'s server on the same database, its scheduler looking every second, its log on stdout. */
async function secondInstance(concurrency: number): Promise<{ child: ChildProcess; lines: Record<string, unknown>[] }> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(__dirname, '../../dist/src/server.js')], {
    env: {
      PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: String(port), MONGODB_URI: laurel.config.mongodbUri!, LAUREL_SECRET: laurel.config.secret,
      SYNC_INTERVAL_MINUTES: '60', SYNC_TICK_SECONDS: '1', SYNC_CONCURRENCY: String(concurrency), LOG_LEVEL: 'info', NODE_ENV: 'test',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = rest + chunk.toString();
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const p of parts) if (p.startsWith('{')) lines.push(JSON.parse(p));
  });
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return { child, lines };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('the second instance did not start');
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  emulator = await startEmulator({ flavour: 'moodle', latencyMs: LATENCY_MS });
  const tool = await installInEmulator(emulator, laurel.url);
  const instructor = emulator.course.users.find((u) => u.role === 'Instructor')!;
  const claims = emulator.idTokenClaims({ userId: instructor.id, clientId: tool.clientId, nonce: 'n' }) as Record<string, any>;
  const ags = claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'];
  const nrps = claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'];
  // Courses of one platform, each its own record with its own badge, reading the emulated course.
  // The badge waits for an instructor's approval: the pass is the evaluations alone, no signing.
  courses = [];
  for (let i = 0; i < COURSES; i++) {
    courses.push(await recordCourseLaunch({
      issuer: emulator.issuer, clientId: tool.clientId, deploymentId: tool.deploymentId, contextId: `${emulator.course.contextId}-${i}`,
      title: `Course ${i}`, label: `C${i}`, lineItemsUrl: ags.lineitems, agsScopes: ags.scope, membershipsUrl: nrps.context_memberships_url, productFamily: 'moodle',
    }));
  }
  const [column] = await (await lmsClientFor(courses[0]!)).lineItems(ags.lineitems);
  for (const c of courses) {
    await saveBadge(c.courseKey, {
      id: 'passed', name: 'Passed', description: 'Passed', tags: [], alignments: [], issueMode: 'approval', evidenceRequired: false,
      rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: column!.id, percent: 50 }] },
    }, instructor.id);
  }
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await laurel?.close();
});

describe('the scheduler, several courses at once', () => {
  it('one instance evaluates SYNC_CONCURRENCY courses side by side, never more, and every due course once', async () => {
    await allDue();
    const { logger, lines } = schedulerLog();
    expect(await evaluateDueCourses(60, logger, new Date(), { concurrency: 3 })).toBe(COURSES);
    const runs = runsIn(lines, 'a');
    expect(runs.map((r) => r.courseKey).sort()).toEqual(courses.map((c) => c.courseKey).sort());
    expect(mostAtOnce(runs)).toBe(3);
    // Side by side: the evaluations took well under their time one after another.
    const oneAfterAnother = runs.reduce((s, r) => s + r.to - r.from, 0);
    const span = Math.max(...runs.map((r) => r.to)) - Math.min(...runs.map((r) => r.from));
    expect(span).toBeLessThan(0.6 * oneAfterAnother);
    const awarded = await AwardModel.countDocuments({ status: 'pending' });
    expect(awarded).toBeGreaterThan(0);
    expect(awarded % COURSES).toBe(0); // each course awarded the same learners, waiting for approval
    expect(lines.filter((l) => l.level as number >= 40)).toEqual([]);
  });

  it('two instances sharing the database split the courses and never evaluate one twice at once, nor twice', async () => {
    const b = await secondInstance(3);
    try {
      await allDue();
      const { logger, lines } = schedulerLog();
      // The other instance's scheduler (looking every second) starts on the due courses; once it has
      // done one, this instance's pass joins in on the rest, while the other is still at them.
      for (const deadline = Date.now() + 30_000; runsIn(b.lines, 'b').length === 0 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
      let ranHere = 0;
      for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
        ranHere += await evaluateDueCourses(60, logger, new Date(), { concurrency: 3 });
        const due = await CourseModel.countDocuments({ lastEvaluatedAt: { $lt: new Date(Date.now() - 3600_000) } });
        if (due === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      // The other instance's last runs may still be logging.
      await new Promise((r) => setTimeout(r, 1500));
      const runs = [...runsIn(lines, 'a'), ...runsIn(b.lines, 'b')];
      expect(runs.filter((r) => r.instance === 'a')).toHaveLength(ranHere);
      expect(runs.filter((r) => r.instance === 'a').length).toBeGreaterThan(0);
      expect(runs.filter((r) => r.instance === 'b').length).toBeGreaterThan(0);
      // Every course once: none twice at once, and none again after the other instance did it.
      expect(runs.map((r) => r.courseKey).sort()).toEqual(courses.map((c) => c.courseKey).sort());
      for (const c of courses) expect(mostAtOnce(runs.filter((r) => r.courseKey === c.courseKey))).toBe(1);
      expect([...lines, ...b.lines].filter((l) => (l.level as number) >= 40)).toEqual([]);
      const awards = await AwardModel.find({}, { courseKey: 1, userId: 1 }).lean();
      expect(new Set(awards.map((a) => `${a.courseKey} ${a.userId}`)).size).toBe(awards.length);
    } finally {
      b.child.kill('SIGTERM');
    }
  }, 90_000);

  it('an LMS that throttles slows the pass down and fails nothing: the bound on requests to it comes down', async () => {
    await allDue();
    const { logger, lines } = schedulerLog();
    const before = emulator.requests.length;
    emulator.throttle({ times: 12, retryAfterSeconds: 1 });
    const started = Date.now();
    expect(await evaluateDueCourses(60, logger, new Date(), { concurrency: 4 })).toBe(COURSES);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const statuses = emulator.requests.slice(before).map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(12);
    expect(lines.filter((l) => (l.level as number) >= 40)).toEqual([]);
    expect(runsIn(lines, 'a')).toHaveLength(COURSES);
    expect(await AwardModel.countDocuments({})).toBeGreaterThan(0);
    expect(processGates.of(emulator.url).limit).toBeLessThan(32);
  }, 60_000);
});
