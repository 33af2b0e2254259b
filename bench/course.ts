/**
 * Course benchmark (issue: badge rules over the course's real grades): 2,000 learners, 30
 * line items, 10 badges (three stacked), against the emulated Canvas serving 100 items a page
 * with 50 ms added to every request. Measures LMS requests against the least possible, the
 * time to a complete set of verdicts and award records, a repeated run, and peak memory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { createLogger } from '../src/log.js';
import { boot } from '../src/boot.js';
import { freePort, startLocalFerret } from '../src/store/localFerret.js';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EmulatorInfo } from './emulatorProcess.js';
import { knownCourse } from './knownCourse.js';
import { saveBadge } from '../src/store/badge.js';
import { AwardModel } from '../src/store/award.js';
import { runCourseUnderLease } from '../src/jobs/courseRun.js';
import type { BadgeDefinition, Rule } from '../src/rules/badge.js';

const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 2000);
const LINE_ITEMS = 30;
const PAGE = 100;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);

function badge(id: string, name: string, rules: Rule, extra: Partial<BadgeDefinition> = {}): BadgeDefinition {
  return { id, name, description: name, tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false, rules, ...extra };
}

/** Seven single badges and a three-level stack, over the course's columns. */
function badges(columns: string[]): BadgeDefinition[] {
  const singles = columns.slice(0, 7).map((id, i) => badge(`single-${i}`, `Single ${i + 1}`, { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: id, percent: 60 + i * 3 }] }));
  return [
    ...singles,
    badge('level-1', 'Level 1', { kind: 'all', rules: [{ kind: 'completed', lineItemId: columns[7] }] }, { group: 'stack', level: 1 }),
    badge('level-2', 'Level 2', { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: 'level-1' }, { kind: 'minGrade', lineItemId: columns[8], percent: 60 }] }, { group: 'stack', level: 2 }),
    badge('level-3', 'Level 3', { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: 'level-2' }, { kind: 'average', items: columns.slice(9, 13).map((lineItemId) => ({ lineItemId })), percent: 65 }] }, { group: 'stack', level: 3 }),
  ];
}

/** Progress on stderr, so a slow phase shows where it is. */
const phase = (what: string) => process.stderr.write(`[course] ${what}\n`);

function startEmulatorProcess(laurelUrl: string) {
  const child = fork(fileURLToPath(new URL('./emulatorProcess.js', import.meta.url)), [String(LEARNERS), String(LINE_ITEMS), String(PAGE), String(LATENCY_MS), laurelUrl]);
  const info = new Promise<EmulatorInfo>((ok, fail) => { child.once('message', (m) => ok(m as EmulatorInfo)); child.once('exit', (code) => fail(new Error(`the emulator exited (${code})`))); });
  return { child, info };
}

export async function courseBenchmark(): Promise<Record<string, number>> {
  phase('starting FerretDB, the emulator (a process of its own) and Laurel');
  const dir = mkdtempSync(join(tmpdir(), 'laurel-bench-'));
  const db = await startLocalFerret(dir);
  const config = loadConfig({ NODE_ENV: 'test', PORT: String(await freePort()), MONGODB_URI: db.uri, LAUREL_SECRET: randomBytes(32).toString('hex'), SYNC_INTERVAL_MINUTES: '0', LOG_LEVEL: 'silent' });
  const emulator = startEmulatorProcess(config.publicUrl);
  const running = await boot(config, createLogger('silent'));
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
  try {
    const lms = await emulator.info;
    const record = await knownCourse(lms);
    phase('defining 10 badges');
    const columns = lms.course.activityIds.map((id) => `${record.lineItemsUrl}/${id}`);
    for (const b of badges(columns)) await saveBadge(record.courseKey, b, lms.course.instructorId);

    // The least possible: one token, the roster's pages, the line items' pages, each line item's results pages.
    const resultPages = lms.course.resultsPerActivity.reduce((n, count) => n + Math.max(1, Math.ceil(count / PAGE)), 0);
    const minimum = 1 + Math.ceil(lms.course.members / PAGE) + Math.ceil(LINE_ITEMS / PAGE) + resultPages;
    phase('first evaluation');
    let started = performance.now();
    const first = await runCourseUnderLease(record, {});
    const verdictsSeconds = (performance.now() - started) / 1000;
    const awards = await AwardModel.countDocuments({ courseKey: record.courseKey });
    phase('repeated evaluation');
    started = performance.now();
    const second = await runCourseUnderLease(record, {});
    const rerunSeconds = (performance.now() - started) / 1000;
    if (!first || !second) throw new Error('the course lease was not available');
    if (second.awarded !== 0) throw new Error(`the repeated run awarded ${second.awarded} again`);
    if (first.awarded !== awards) throw new Error(`the run reported ${first.awarded} awards but ${awards} are stored`);

    console.log(`course: ${LEARNERS} learners, ${LINE_ITEMS} line items, 10 badges (3 stacked), ${PAGE} a page, +${LATENCY_MS} ms a request`);
    console.log(`  LMS requests        ${first.lmsRequests} (least possible ${minimum}, ratio ${(first.lmsRequests / minimum).toFixed(3)}; target ≤ 1.1)`);
    console.log(`  verdicts + awards   ${verdictsSeconds.toFixed(2)} s for ${first.verdicts.length} verdicts, ${awards} awards (target ≤ 5 s)`);
    console.log(`  repeated run        ${rerunSeconds.toFixed(2)} s, nothing awarded twice (target ≤ 3 s)`);
    console.log(`  peak RSS            ${(peak / 2 ** 20).toFixed(0)} MB, Laurel's process (target < 300 MB)`);
    return {
      lmsRequests: first.lmsRequests,
      lmsRequestsMinimum: minimum,
      verdictsSeconds: Number(verdictsSeconds.toFixed(3)),
      rerunSeconds: Number(rerunSeconds.toFixed(3)),
      peakRssMB: Math.round(peak / 2 ** 20),
    };
  } finally {
    clearInterval(sampler);
    await running.stop();
    emulator.child.disconnect();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
