/**
 * Load benchmark (issue: rate limits and load): Laurel as `npm start` runs it (NODE_ENV=production,
 * a process of its own, rate limits off: all the load comes from one address over loopback), the
 * emulated Canvas in another, FerretDB in a third. Two kinds of traffic, each stepped up in
 * concurrency until errors or saturation (stepUp.ts):
 *  - the public verification page of issued badges, opened from share links, as employers do;
 *  - complete LTI launches of learners: course link, login initiation, authorization, launch
 *    POST, landing page (which re-evaluates the learner against the LMS).
 * Reports the rate sustained with zero errors and p50/p99 there, and Laurel's peak memory.
 */
import type { ChildProcess } from 'node:child_process';
import { disconnectDatabase } from '../src/store/connect.js';
import { recordCourseLaunch } from '../src/store/course.js';
import { launchedCourse } from './knownCourse.js';
import { saveBadge } from '../src/store/badge.js';
import { createAwards } from '../src/store/award.js';
import { issueWaitingCredentials } from '../src/awards/issueCredential.js';
import { issuedInCourse } from '../src/store/issuedCredential.js';
import { launch, LAUNCH_STEPS } from './launchFlow.js';
import { eachBy, ferretdbPid, rssMB, startBenchPlatform, startLaurel, stopLaurel, verifyPage } from './processes.js';
import { percentile, stepUp, type Step } from './stepUp.js';

const CREDENTIALS = Number(process.env.BENCH_LOAD_CREDENTIALS ?? 300);
const LEARNERS = Number(process.env.BENCH_LOAD_LEARNERS ?? 200);
const ACTIVITIES = 5;
const STEP_SECONDS = Number(process.env.BENCH_LOAD_STEP_SECONDS ?? 5);
const PUBLIC_CLIENTS = [1, 2, 4, 8, 16, 32, 64, 128];
const LAUNCH_CLIENTS = [1, 2, 4, 8, 16, 32, 64];

const phase = (what: string) => process.stderr.write(`[load] ${what}\n`);

/** Awards of a course of their own, signed: the badges whose pages are opened. */
async function issuedBadges(base: string): Promise<string[]> {
  const course = await recordCourseLaunch({
    issuer: 'https://canvas.example.edu', clientId: 'bench-public', deploymentId: '1', contextId: 'course-public', title: 'Public course', label: 'P1', agsScopes: [], productFamily: 'canvas',
  });
  await saveBadge(course.courseKey, {
    id: 'lab', name: 'Lab Safety — Level 2', description: 'Handles the lab safely.', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false,
    validFor: 'P2Y', rules: { kind: 'all', rules: [{ kind: 'approval' }] },
  }, 'bench');
  await createAwards(Array.from({ length: CREDENTIALS }, (_, i) => ({
    courseKey: course.courseKey, badgeId: 'lab', userId: `learner-${i}`, status: 'awarded' as const, origin: 'instructor' as const,
    recipient: { email: `learner${i}@student.example.edu`, name: `Learner ${i}` },
  })));
  await issueWaitingCredentials(base, course.courseKey);
  return issuedInCourse(course.courseKey);
}

const cpu = (s: Step, name: string) => (s.cpuMsPerOp?.[name] ?? NaN).toFixed(1);
const row = (what: string, s: Step) => `  ${what.padEnd(8)} ${String(s.concurrency).padStart(7)} ${s.rps.toFixed(1).padStart(9)} ${s.p50ms.toFixed(1).padStart(8)} ${s.p99ms.toFixed(1).padStart(8)} ${String(s.errors).padStart(7)} ${cpu(s, 'laurel').padStart(10)} ${cpu(s, 'ferretdb').padStart(12)}${s.firstError ? `  ${s.firstError.slice(0, 120)}` : ''}`;

function figures(r: { steps: Step[]; sustained: Step | undefined }) {
  const s = r.sustained;
  return {
    rps: s ? Number(s.rps.toFixed(1)) : 0, p50ms: s ? Number(s.p50ms.toFixed(1)) : NaN, p99ms: s ? Number(s.p99ms.toFixed(1)) : NaN,
    concurrency: s?.concurrency ?? 0, errors: r.steps.reduce((n, step) => n + step.errors, 0),
    laurelCpuMs: s ? Number(cpu(s, 'laurel')) : NaN, ferretdbCpuMs: s ? Number(cpu(s, 'ferretdb')) : NaN,
  };
}

export async function loadBenchmark(): Promise<Record<string, number | Record<string, number>>> {
  phase('starting FerretDB and the emulator (a process of its own)');
  const platform = await startBenchPlatform({ folder: 'laurel-bench-', learners: LEARNERS, activities: ACTIVITIES });
  const { base, dir, emulator } = platform;
  let laurel: ChildProcess | undefined;
  try {
    phase(`signing ${CREDENTIALS} badges to open`);
    const ids = await issuedBadges(base);
    const lms = await emulator.info;
    await launchedCourse(lms);
    await disconnectDatabase();

    phase('starting Laurel as npm start runs it (NODE_ENV=production, rate limits off)');
    laurel = await startLaurel(platform.env, base);

    // First views: each badge checked in full once (proofs, status list), then kept.
    phase(`first view of each of the ${ids.length} badges`);
    const first: number[] = [];
    await eachBy(2, ids, async (id) => {
      const t = performance.now();
      await verifyPage(base, id);
      first.push(performance.now() - t);
    });
    first.sort((a, b) => a - b);

    const watch = { laurel: laurel.pid!, ferretdb: ferretdbPid(dir)! };
    phase(`public verification page, stepping up (Laurel's RSS ${rssMB(laurel.pid!, 'VmRSS')} MB)`);
    const publicLoad = await stepUp({ concurrencies: PUBLIC_CLIENTS, seconds: STEP_SECONDS, once: (i) => verifyPage(base, ids[i % ids.length]!), watch, onStep: (s) => phase(row('public', s)) });

    // A learner's first launch records their course and pending awards; the steps measure the launches after it.
    phase(`first launch of each of the ${lms.course.learnerIds.length} learners (Laurel's RSS ${rssMB(laurel.pid!, 'VmRSS')} MB)`);
    await eachBy(4, lms.course.learnerIds, (userId) => launch(lms, userId));
    phase(`complete LTI launches, stepping up (Laurel's RSS ${rssMB(laurel.pid!, 'VmRSS')} MB)`);
    const launchLoad = await stepUp({ concurrencies: LAUNCH_CLIENTS, seconds: STEP_SECONDS, once: (i) => launch(lms, lms.course.learnerIds[i % lms.course.learnerIds.length]!), watch, onStep: (s) => phase(row('launch', s)) });
    // Where one launch's time goes, with nothing else running.
    const stepTimes: number[][] = LAUNCH_STEPS.map(() => []);
    for (const userId of lms.course.learnerIds.slice(0, 20)) await launch(lms, userId, (ms) => ms.forEach((t, i) => stepTimes[i]!.push(t)));
    const stepMedians = stepTimes.map((times) => percentile(times.sort((a, b) => a - b), 0.5));
    const peak = rssMB(laurel.pid!, 'VmHWM');

    const pub = figures(publicLoad);
    const lti = figures(launchLoad);
    console.log(`load: Laurel (NODE_ENV=production, own process) + emulated Canvas + FerretDB on loopback, ${STEP_SECONDS} s a step, clients doubled until errors or two steps without gain;`);
    console.log('  sustained = the first error-free step within 10% of the best rate (past it only the latency grows)');
    console.log(`  public = verification page of ${ids.length} badges opened from share links; launch = complete LTI launch of ${lms.course.learnerIds.length} learners (6 requests; the landing page re-evaluates the learner)`);
    console.log(`  ${'traffic'.padEnd(8)} ${'clients'.padStart(7)} ${'rate/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'Laurel CPU'.padStart(10)} ${'FerretDB CPU'.padStart(12)}  (ms an operation)`);
    for (const s of publicLoad.steps) console.log(row('public', s));
    for (const s of launchLoad.steps) console.log(row('launch', s));
    console.log(`  public page first view (full check)  p50 ${percentile(first, 0.5).toFixed(1)} ms, p99 ${percentile(first, 0.99).toFixed(1)} ms`);
    console.log(`  public page sustained  ${pub.rps}/s at ${pub.concurrency} clients, p50 ${pub.p50ms} ms, p99 ${pub.p99ms} ms, ${pub.errors} errors (target: 0 errors, p99 < 50 ms)`);
    console.log(`  launches sustained     ${lti.rps}/s at ${lti.concurrency} clients, p50 ${lti.p50ms} ms, p99 ${lti.p99ms} ms, ${lti.errors} errors (target: 0 errors)`);
    console.log(`  one launch, median of 20 alone: ${LAUNCH_STEPS.map((name, i) => `${name} ${stepMedians[i]!.toFixed(1)} ms`).join(', ')}`);
    console.log(`  peak RSS               ${peak} MB, Laurel's process`);
    return {
      public: { ...pub, firstViewP50ms: Number(percentile(first, 0.5).toFixed(1)) },
      launch: lti,
      peakRssMB: peak,
    };
  } finally {
    await stopLaurel(laurel);
    await platform.stop();
  }
}
