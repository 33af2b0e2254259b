/**
 * Course benchmark (issue: badge rules over the course's real grades): 2,000 learners, 30
 * line items, 10 badges (three stacked), against the emulated Canvas serving 100 items a page
 * with 50 ms added to every request. Measures LMS requests against the least possible, the
 * time to a complete set of verdicts and award records, a repeated run, and peak memory.
 *
 * Then (issue 8) the same course with the LMS's own API connected, side by side: Canvas REST
 * (an API developer key and an instructor's OAuth grant) and, on a second emulated LMS of
 * flavour moodle, Moodle web services; each with badges on what only the API sees, first on
 * grades alone, then with a completion rule too (which costs a request per learner). Requests
 * are split by source from the LMS client's request log, and the time each kind of request
 * took is shown, so a slow run says where its time went.
 */
import { randomBytes, createPrivateKey } from 'node:crypto';
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
import { CourseModel, recordCourseLaunch, setLmsApiGrantedBy, type CourseRecord } from '../src/store/course.js';
import { connectCanvas, connectMoodle } from '../src/store/lmsConnection.js';
import { saveCanvasGrant } from '../src/store/canvasGrant.js';
import { emulatedCanvasGrant } from '../test/demo/demoConnection.js';
import { LmsClient } from '../src/lms/client.js';
import { RequestCounter, type LoggedRequest } from '../src/lms/http.js';
import { lti } from '../src/lti/provider.js';
import { runCourseUnderLease } from '../src/jobs/courseRun.js';
import type { Evaluation, Progress } from '../src/awards/evaluateCourse.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { BadgeDefinition, Rule } from '../src/rules/badge.js';

const LEARNERS = Number(process.env.BENCH_LEARNERS ?? 2000);
const LINE_ITEMS = 30;
const PAGE = 100;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
/**
 * What a Canvas REST request costs the token's bucket (700 units, 10 back a second). Canvas
 * charges a request's CPU time, a few hundredths of a unit for a light GET; the emulator's
 * default of 1 a request would be a Canvas about twenty times stricter than real ones.
 */
const CANVAS_REQUEST_COST = Number(process.env.BENCH_CANVAS_REQUEST_COST ?? 0.05);
/** Canvas REST's page (Laurel asks for per_page=100, Canvas's largest). */
const CANVAS_PAGE = 100;
/** Per-learner completion requests under way at once (readCanvasCourse's and readMoodleCourse's). */
const PER_LEARNER_CONCURRENCY = 8;

const TARGETS = { requestsRatio: 1.1, verdictsSeconds: 5, rerunSeconds: 3, peakRssMB: 300 };

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

/** Items only the LMS's API shows, as rules name them. */
interface ApiItems { participation: string; completion: string; completionLabel: string }

function apiItems(lms: EmulatorInfo): ApiItems {
  const { course } = lms;
  if (lms.flavour === 'canvas') {
    const week1 = course.modules[0]!;
    return { participation: `canvas:assignment:${course.participationId}`, completion: `canvas:module:${week1.id}`, completionLabel: `module "${week1.name}"` };
  }
  // Moodle: an activity's grade and its completion share the course module id.
  const cm = course.modules.flatMap((m) => m.items).find((i) => i.activityId === course.participationId)!;
  const briefing = course.modules[0]!.items[0]!;
  return { participation: `moodle:cm:${cm.id}`, completion: `moodle:cm:${briefing.id}`, completionLabel: `activity "${briefing.title}"` };
}

/** Two badges on grades only the API reads (one of them with an LTI column too), and, on request, one on completion. */
function apiBadges(items: ApiItems, ltiColumn: string, completion: boolean): BadgeDefinition[] {
  return [
    badge('api-participation', 'Participant', { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: items.participation, percent: 70 }] }),
    badge('api-mixed', 'Participant and Quiz', { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: items.participation, percent: 50 }, { kind: 'minGrade', lineItemId: ltiColumn, percent: 60 }] }),
    ...(completion ? [badge('api-completed', 'Week 1 done', { kind: 'all', rules: [{ kind: 'completed', lineItemId: items.completion }] })] : []),
  ];
}

/** Progress on stderr, so a slow phase shows where it is. */
const phase = (what: string) => process.stderr.write(`[course] ${what}\n`);

function startEmulatorProcess(laurelUrl: string, flavour: 'canvas' | 'moodle', pageSize: number) {
  const args = [String(LEARNERS), String(LINE_ITEMS), String(pageSize), String(LATENCY_MS), laurelUrl, flavour, String(CANVAS_REQUEST_COST)];
  const child = fork(fileURLToPath(new URL('./emulatorProcess.js', import.meta.url)), args);
  const info = new Promise<EmulatorInfo>((ok, fail) => { child.once('message', (m) => ok(m as EmulatorInfo)); child.once('exit', (code) => fail(new Error(`the emulator exited (${code})`))); });
  return { child, info };
}

/** The course's LTI columns (AGS line item ids), as each LMS shapes them. */
function ltiColumns(lms: EmulatorInfo, record: CourseRecord): string[] {
  return lms.course.activityIds.map((id) => {
    if (lms.flavour === 'canvas') return `${record.lineItemsUrl}/${id}`;
    // Moodle keeps the tool type in a query string after the item's path.
    const u = new URL(record.lineItemsUrl!);
    u.pathname += `/${id}/lineitem`;
    return u.toString();
  });
}

// ---- requests: which source, what for, and when ----

type Source = 'lti' | 'api';
interface Timed { source: Source; what: string; start: number; end: number; error?: string }

/** The source of a logged request, by its path alone: Canvas REST, Moodle web services, or LTI. */
function sourceOf(r: LoggedRequest): Source {
  const { pathname } = new URL(r.url);
  return pathname.startsWith('/api/v1/') || pathname.endsWith('/webservice/rest/server.php') ? 'api' : 'lti';
}

/** What a request was for, from its URL and (POSTs) its form body: only the bench's own fetch sees bodies. */
function describe(url: string, body: unknown, record: CourseRecord): { source: Source; what: string } {
  const u = new URL(url);
  const form = typeof body === 'string' ? new URLSearchParams(body) : undefined;
  if (u.pathname.startsWith('/api/v1/')) {
    const tail = u.pathname.split('/').slice(5).join('/');
    return { source: 'api', what: tail === 'modules' && u.searchParams.has('student_id') ? 'modules, a student a request' : tail };
  }
  if (u.pathname.endsWith('/webservice/rest/server.php')) return { source: 'api', what: form?.get('wsfunction') ?? '?' };
  // Canvas's REST token and LTI's share /login/oauth2/token: the grant type tells them apart.
  if (form?.get('grant_type') === 'refresh_token') return { source: 'api', what: 'token refresh' };
  if (form?.get('grant_type') === 'client_credentials') return { source: 'lti', what: 'token' };
  if (record.membershipsUrl && url.startsWith(record.membershipsUrl.split('?')[0]!)) return { source: 'lti', what: 'roster (NRPS)' };
  if (/\/results$/.test(u.pathname)) return { source: 'lti', what: 'results (AGS)' };
  return { source: 'lti', what: 'line items (AGS)' };
}

/**
 * The course's LMS client as lmsClientFor makes it, with a fetch that notes what each request
 * was for and how long it took (to the answer's headers). Every request still goes through the
 * client's RequestCounter, whose log is what the counts below are taken from.
 */
async function benchClient(course: CourseRecord): Promise<{ client: LmsClient; timed: Timed[] }> {
  const platform = await lti.getPlatform(course.issuer, course.clientId);
  if (!platform) throw new Error(`the platform ${course.issuer} is not registered`);
  const timed: Timed[] = [];
  const timedFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const start = performance.now();
    let error: string | undefined;
    try {
      return await fetch(input, init);
    } catch (err) {
      const cause = (err as Error & { cause?: Error & { code?: string } }).cause;
      error = cause?.code ?? cause?.message ?? (err as Error).message;
      throw err;
    } finally {
      timed.push({ ...describe(url, init?.body, course), start, end: performance.now(), ...(error ? { error } : {}) });
    }
  };
  const client = new LmsClient({
    issuer: course.issuer, clientId: course.clientId, tokenEndpoint: await platform.platformAccessTokenEndpoint(),
    kid: await platform.platformKid(), privateKey: createPrivateKey(await platform.platformPrivateKey()),
  }, { fetch: timedFetch, counter: new RequestCounter() });
  return { client, timed };
}

interface Split {
  total: number; lti: number; api: number; ltiTokens: number; apiRefreshes: number;
  /** Attempts that got no answer, or a throttling or server error, and were tried again: what each was for, and its status. */
  retried: string[];
}

function split(client: LmsClient, timed: Timed[]): Split {
  const log = client.requestLog;
  if (log.length !== timed.length) throw new Error(`the request log has ${log.length} requests but ${timed.length} were sent`);
  const apiRefreshes = timed.filter((t) => t.what === 'token refresh').length;
  // A Canvas token refresh goes to the token path LTI uses too: moved to the API by its grant type.
  const api = log.filter((r) => sourceOf(r) === 'api').length + apiRefreshes;
  const retried = log.flatMap((r, i) => (r.status === undefined || r.status === 429 || r.status >= 500 || (r.status === 403 && sourceOf(r) === 'api')
    ? [`${timed[i]!.source === 'api' ? 'API' : 'LTI'} ${timed[i]!.what} (${r.status ?? `no answer: ${timed[i]!.error ?? '?'}`})`] : []));
  return { total: log.length, lti: log.length - api, api, ltiTokens: timed.filter((t) => t.source === 'lti' && t.what === 'token').length, apiRefreshes, retried };
}

/** Each kind of request: how many, and from when to when in the run (seconds from its start). */
function phases(timed: Timed[], t0: number): { source: Source; what: string; count: number; from: number; to: number; meanMs: number }[] {
  const groups = new Map<string, Timed[]>();
  for (const t of timed) groups.set(`${t.source} ${t.what}`, [...(groups.get(`${t.source} ${t.what}`) ?? []), t]);
  return [...groups.values()].map((g) => ({
    source: g[0]!.source, what: g[0]!.what, count: g.length,
    from: (Math.min(...g.map((t) => t.start)) - t0) / 1000,
    to: (Math.max(...g.map((t) => t.end)) - t0) / 1000,
    meanMs: g.reduce((s, t) => s + t.end - t.start, 0) / g.length,
  })).sort((a, b) => a.from - b.from);
}

// ---- the least possible ----

const pages = (n: number, size: number) => (size ? Math.max(1, Math.ceil(n / size)) : 1);

/** The roster's pages, the line items' pages, each line item's results pages; and one token, unless one is still cached. */
function ltiMinimum(lms: EmulatorInfo, withToken: boolean): number {
  const resultPages = lms.course.resultsPerActivity.reduce((n, count) => n + pages(count, lms.pageSize), 0);
  return (withToken ? 1 : 0) + pages(lms.course.members, lms.pageSize) + pages(LINE_ITEMS, lms.pageSize) + resultPages;
}

/**
 * Canvas: the assignments' pages, the students' grouped submissions, the student enrolments,
 * and (completion) a modules request per student: Canvas reports progress one student at a time.
 * Moodle: enrolled users, the grade report of every learner at once (userid 0), the course's
 * contents, and (completion) a completion call per learner. Plus any Canvas token refresh.
 */
function apiMinimum(lms: EmulatorInfo, completion: boolean, refreshes: number): number {
  const students = lms.course.apiStudents;
  if (lms.flavour === 'canvas') return Math.ceil(lms.course.assignments / CANVAS_PAGE) + 2 * Math.ceil(students / CANVAS_PAGE) + (completion ? students : 0) + refreshes;
  return 3 + (completion ? students : 0);
}

// ---- one measurement ----

/**
 * A full garbage collection before each measurement, so what one left in the heap does not count
 * against the next (they share Laurel's process, as the courses of one server do).
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function collectGarbage(): void {
  gc();
  gc();
}

interface Measured {
  label: string;
  badges: number;
  verdicts: number;
  split: Split;
  rerunSplit: Split;
  ltiMin: number;
  apiMin: number;
  rerunLtiMin: number;
  rerunApiMin: number;
  verdictsSeconds: number;
  rerunSeconds: number;
  awards: number;
  apiAwards: Record<string, number>;
  peakMB: number;
  /** Laurel's RSS when the measurement started (after a full garbage collection): what earlier measurements left. */
  startMB: number;
  phases: ReturnType<typeof phases>;
  /** From the last LMS answer to the end of the run: rules, award writes, standing. */
  afterLmsSeconds: number;
  /** That time split: merging and the rules; writing the awards; the standing, the lease. */
  tail: { rules: number; awards: number; rest: number };
}

let peak = process.memoryUsage().rss;
let variantPeak = peak;

async function measure(label: string, lms: EmulatorInfo, record: CourseRecord, list: BadgeDefinition[], completion: boolean): Promise<Measured> {
  for (const b of list) await saveBadge(record.courseKey, b, lms.course.instructorId);
  const hasApi = list.some((b) => b.id.startsWith('api-'));
  collectGarbage();
  const startRss = process.memoryUsage().rss;
  variantPeak = startRss;
  phase(`${label}: first evaluation`);
  const one = await benchClient(record);
  let started = performance.now();
  // evaluateCourse says when it starts and ends recording awards: the rules are done by then.
  const marks: { awardsFrom?: number; awardsTo?: number } = {};
  const onProgress = (p: Progress) => {
    if (p.phase !== 'recording awards') return;
    if (p.done === 0 && marks.awardsFrom === undefined) marks.awardsFrom = performance.now();
    if (p.done === p.total) marks.awardsTo = performance.now();
  };
  // Only what the checks below read is kept: the run's snapshot and verdicts are let go, as a
  // server lets them go, and do not count against the repeated run's memory.
  const first = summary(await runCourseUnderLease(record, { client: one.client, onProgress }));
  const ended = performance.now();
  const verdictsSeconds = (ended - started) / 1000;
  const ph = phases(one.timed, started);
  const lastAnswer = Math.max(...one.timed.map((t) => t.end));
  const awards = await AwardModel.countDocuments({ courseKey: record.courseKey });
  phase(`${label}: repeated evaluation`);
  const two = await benchClient(record);
  started = performance.now();
  const second = summary(await runCourseUnderLease(record, { client: two.client }));
  const rerunSeconds = (performance.now() - started) / 1000;
  if (!first || !second) throw new Error('the course lease was not available');
  if (second.awarded !== 0) throw new Error(`${label}: the repeated run awarded ${second.awarded} again`);
  if (first.awarded !== awards) throw new Error(`${label}: the run reported ${first.awarded} awards but ${awards} are stored`);
  const apiSources = first.sources.filter((s) => s.state !== 'read');
  if (hasApi && apiSources.length) throw new Error(`${label}: the LMS API was not read: ${apiSources.map((s) => s.message).join('; ')}`);
  const apiAwards: Record<string, number> = {};
  for (const b of list.filter((x) => x.id.startsWith('api-'))) apiAwards[b.id] = await AwardModel.countDocuments({ courseKey: record.courseKey, badgeId: b.id });
  for (const w of first.warnings) phase(`${label}: warning: ${w}`);
  // Each measurement starts from a database holding no other course's awards, as the first one does:
  // the award writes and lookups of the next are not slowed by this one's (FerretDB scans more than MongoDB).
  await AwardModel.deleteMany({ courseKey: record.courseKey });
  const s1 = split(one.client, one.timed);
  const s2 = split(two.client, two.timed);
  return {
    label, badges: list.length, verdicts: first.verdicts, split: s1, rerunSplit: s2,
    ltiMin: ltiMinimum(lms, s1.ltiTokens > 0), apiMin: hasApi ? apiMinimum(lms, completion, s1.apiRefreshes) : 0,
    rerunLtiMin: ltiMinimum(lms, s2.ltiTokens > 0), rerunApiMin: hasApi ? apiMinimum(lms, completion, s2.apiRefreshes) : 0,
    verdictsSeconds, rerunSeconds, awards, apiAwards, peakMB: variantPeak / 2 ** 20, startMB: startRss / 2 ** 20, phases: ph, afterLmsSeconds: (ended - lastAnswer) / 1000,
    tail: { rules: ((marks.awardsFrom ?? ended) - lastAnswer) / 1000, awards: ((marks.awardsTo ?? ended) - (marks.awardsFrom ?? ended)) / 1000, rest: (ended - (marks.awardsTo ?? ended)) / 1000 },
  };
}

/** What the checks read of a run. */
function summary(e: Evaluation | null) {
  return e && { awarded: e.awarded, verdicts: e.verdicts.length, sources: e.snapshot.sources ?? [], warnings: e.warnings };
}

/** Requests made once per learner. */
const PER_LEARNER = new Set(['modules, a student a request', 'core_completion_get_activities_completion_status']);

const ok = (good: boolean) => (good ? 'met' : 'MISSED');

function report(m: Measured, sourceName: string | undefined): void {
  const min = m.ltiMin + m.apiMin;
  const ratio = m.split.total / min;
  console.log(`  ${m.label} (${m.badges} badges)`);
  console.log(`    LMS requests        ${m.split.total} = LTI ${m.split.lti} + ${sourceName ?? 'API'} ${m.split.api}; least possible ${min} = LTI ${m.ltiMin} + ${sourceName ?? 'API'} ${m.apiMin}; ratio ${ratio.toFixed(3)} (target ≤ ${TARGETS.requestsRatio}: ${ok(ratio <= TARGETS.requestsRatio)})`);
  if (sourceName) {
    console.log(`      per source        LTI ${m.split.lti}/${m.ltiMin} = ${(m.split.lti / m.ltiMin).toFixed(3)}, ${sourceName} ${m.split.api}/${m.apiMin} = ${(m.split.api / m.apiMin).toFixed(3)}${m.split.apiRefreshes ? ` (${m.split.apiRefreshes} token refresh)` : ', no token refresh'}`);
  }
  console.log(`    verdicts + awards   ${m.verdictsSeconds.toFixed(2)} s for ${m.verdicts} verdicts, ${m.awards} awards${Object.keys(m.apiAwards).length ? ` (${Object.entries(m.apiAwards).map(([id, n]) => `${id} ${n}`).join(', ')})` : ''}; ratio to target ${(m.verdictsSeconds / TARGETS.verdictsSeconds).toFixed(2)} (target ≤ ${TARGETS.verdictsSeconds} s: ${ok(m.verdictsSeconds <= TARGETS.verdictsSeconds)})`);
  console.log(`    repeated run        ${m.rerunSeconds.toFixed(2)} s, ${m.rerunSplit.total} requests (least ${m.rerunLtiMin + m.rerunApiMin}), nothing awarded twice; ratio to target ${(m.rerunSeconds / TARGETS.rerunSeconds).toFixed(2)} (target ≤ ${TARGETS.rerunSeconds} s: ${ok(m.rerunSeconds <= TARGETS.rerunSeconds)})`);
  console.log(`    peak RSS            ${m.peakMB.toFixed(0)} MB, Laurel's process, ${m.startMB.toFixed(0)} MB when this measurement began (after a full GC); ratio to target ${(m.peakMB / TARGETS.peakRssMB).toFixed(2)} (target < ${TARGETS.peakRssMB} MB: ${ok(m.peakMB < TARGETS.peakRssMB)})`);
  timeTable(m, sourceName);
}

/** Where the first run's time went, and any attempt that had to be made again. */
function timeTable(m: Measured, sourceName: string | undefined): void {
  for (const [run, sp] of [['first run', m.split], ['repeated run', m.rerunSplit]] as const) {
    if (!sp.retried.length) continue;
    const counts = new Map<string, number>();
    for (const r of sp.retried) counts.set(r, (counts.get(r) ?? 0) + 1);
    console.log(`    tried again         ${sp.retried.length} attempt(s) of the ${run}: ${[...counts].map(([r, n]) => `${n} × ${r}`).join(', ')}`);
  }
  console.log(`    where the first run's time went (seconds from its start; mean time to an answer's headers):`);
  for (const p of m.phases) {
    console.log(`      ${`${p.source === 'api' ? sourceName ?? 'API' : 'LTI'} ${p.what}`.padEnd(48)} ${String(p.count).padStart(5)} req  ${p.from.toFixed(2).padStart(6)} → ${p.to.toFixed(2).padStart(6)} s  ${p.meanMs.toFixed(0).padStart(4)} ms each`);
    if (PER_LEARNER.has(p.what)) {
      const floor = Math.ceil(p.count / PER_LEARNER_CONCURRENCY) * LATENCY_MS / 1000;
      console.log(`        a request per learner, ${PER_LEARNER_CONCURRENCY} at a time: ${(p.to - p.from).toFixed(2)} s; at ${LATENCY_MS} ms a request from an LMS answering instantly, still ≥ ${floor.toFixed(2)} s (${(p.meanMs - LATENCY_MS).toFixed(0)} ms of each answer beyond the ${LATENCY_MS} ms: the emulator's own work, queueing there and in Laurel)`);
    }
  }
  console.log(`      ${'after the last LMS answer (rules, awards, standing)'.padEnd(48)}            ${m.afterLmsSeconds.toFixed(2).padStart(6)} s: rules (and the last bodies) ${m.tail.rules.toFixed(2)} s, writing ${m.awards} awards ${m.tail.awards.toFixed(2)} s, standing and lease ${m.tail.rest.toFixed(2)} s`);
}

function figures(m: Measured): Record<string, number> {
  const round = (n: number) => Number(n.toFixed(3));
  return {
    badges: m.badges,
    lmsRequests: m.split.total,
    ltiRequests: m.split.lti,
    apiRequests: m.split.api,
    lmsRequestsMinimum: m.ltiMin + m.apiMin,
    ltiRequestsMinimum: m.ltiMin,
    apiRequestsMinimum: m.apiMin,
    apiTokenRefreshes: m.split.apiRefreshes,
    verdictsSeconds: round(m.verdictsSeconds),
    rerunSeconds: round(m.rerunSeconds),
    rerunLmsRequests: m.rerunSplit.total,
    awards: m.awards,
    afterLmsSeconds: round(m.afterLmsSeconds),
    awardWritesSeconds: round(m.tail.awards),
    peakRssMB: Math.round(m.peakMB),
    startRssMB: Math.round(m.startMB),
  };
}

/** Another record of the same LMS course (its own badges and awards), as a launch would record it, with the LMS's course id. */
async function courseCopy(lms: EmulatorInfo, base: CourseRecord, suffix: string): Promise<CourseRecord> {
  return recordCourseLaunch({
    issuer: base.issuer, clientId: base.clientId, deploymentId: base.deploymentId, contextId: `${base.contextId}#${suffix}`, title: base.title, label: base.label,
    lineItemsUrl: base.lineItemsUrl, agsScopes: base.agsScopes, membershipsUrl: base.membershipsUrl, productFamily: lms.flavour, lmsCourseId: lms.lmsCourseId,
  });
}

/** An administrator's API developer key, and the instructor's "Connect Canvas": Canvas's authorize page (the emulator's, told who signs in), then the code exchange. */
async function connectCanvasApi(lms: EmulatorInfo): Promise<void> {
  const key = lms.canvasApi!;
  await connectCanvas(lms.issuer, lms.clientId, { baseUrl: key.baseUrl, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: false }, 'bench');
  const tokens = await emulatedCanvasGrant({ baseUrl: key.baseUrl, clientId: key.clientId, clientSecret: key.clientSecret, redirectUri: key.redirectUri }, lms.course.instructorLmsId);
  await saveCanvasGrant(lms.issuer, lms.clientId, lms.course.instructorId, tokens);
}

export async function courseBenchmark(): Promise<Record<string, number | Record<string, number | Record<string, number>>>> {
  phase('starting FerretDB, the emulated Canvas (a process of its own) and Laurel');
  const dir = mkdtempSync(join(tmpdir(), 'laurel-bench-'));
  const db = await startLocalFerret(dir);
  const config = loadConfig({ NODE_ENV: 'test', PORT: String(await freePort()), MONGODB_URI: db.uri, LAUREL_SECRET: randomBytes(32).toString('hex'), SYNC_INTERVAL_MINUTES: '0', LOG_LEVEL: 'silent', MESSAGES_TICK_SECONDS: process.env.BENCH_MESSAGES_TICK ?? '30' });
  const canvas = startEmulatorProcess(config.publicUrl, 'canvas', PAGE);
  let moodle: ReturnType<typeof startEmulatorProcess> | undefined;
  const running = await boot(config, createLogger('silent'));
  const sampler = setInterval(() => { const rss = process.memoryUsage().rss; peak = Math.max(peak, rss); variantPeak = Math.max(variantPeak, rss); }, 20);
  try {
    const lms = await canvas.info;
    const record = await knownCourse(lms);
    const columns = ltiColumns(lms, record);
    const ltiBadges = badges(columns);
    const ltiOnly = await measure('LTI only', lms, record, ltiBadges, false);
    const minimum = ltiOnly.ltiMin;
    const ltiOnlyPeak = ltiOnly.peakMB * 2 ** 20;
    const { verdictsSeconds, rerunSeconds, awards } = ltiOnly;

    console.log(`course: ${LEARNERS} learners, ${LINE_ITEMS} line items, 10 badges (3 stacked), ${PAGE} a page, +${LATENCY_MS} ms a request`);
    console.log(`  LMS requests        ${ltiOnly.split.total} (least possible ${minimum}, ratio ${(ltiOnly.split.total / minimum).toFixed(3)}; target ≤ 1.1)`);
    console.log(`  verdicts + awards   ${verdictsSeconds.toFixed(2)} s for ${ltiOnly.verdicts} verdicts, ${awards} awards (target ≤ 5 s)`);
    console.log(`  repeated run        ${rerunSeconds.toFixed(2)} s, nothing awarded twice (target ≤ 3 s)`);
    console.log(`  peak RSS            ${(ltiOnlyPeak / 2 ** 20).toFixed(0)} MB, Laurel's process (target < 300 MB)`);
    timeTable(ltiOnly, undefined);

    // ---- Canvas REST ----
    phase('connecting Canvas REST: the developer key, the instructor\'s OAuth grant');
    await connectCanvasApi(lms);
    const canvasItems = apiItems(lms);
    const canvasRuns: Measured[] = [];
    for (const completion of [false, true]) {
      const copy = await courseCopy(lms, record, completion ? 'canvas-completion' : 'canvas-grades');
      // As the instructor's "Connect Canvas" from the course page records it.
      await setLmsApiGrantedBy(copy.courseKey, lms.course.instructorId);
      const list = [...ltiBadges, ...apiBadges(canvasItems, columns[0]!, completion)];
      canvasRuns.push(await measure(completion ? `with a completion rule (${canvasItems.completionLabel})` : 'grades only through the API', lms, { ...copy, lmsApiGrantedBy: lms.course.instructorId }, list, completion));
    }
    const rl = lms.canvasApi!.rateLimit;
    console.log('');
    console.log(`course + Canvas REST (same course and latency, each measurement on a record of its own with its badges, the awards of the one before deleted; REST pages of ${CANVAS_PAGE};`);
    console.log(`  badges: the 10 above + 2 on "Participation", an assignment AGS never lists, and with completion 1 on a module;`);
    console.log(`  the emulated REST throttling bucket holds ${rl.capacity} units, refills ${rl.refillPerSecond}/s and charges ${rl.cost} a request, as real Canvas charges a light GET a fraction of a unit — the emulator's default is 1;`);
    console.log(`  per-student module requests ${PER_LEARNER_CONCURRENCY} at a time, as Laurel makes them)`);
    for (const m of canvasRuns) report(m, 'Canvas REST');
    canvas.child.disconnect();

    // ---- Moodle web services ----
    phase('starting the emulated Moodle (a process of its own)');
    moodle = startEmulatorProcess(config.publicUrl, 'moodle', 0);
    const mlms = await moodle.info;
    const base = await knownCourse(mlms);
    await CourseModel.updateOne({ courseKey: base.courseKey }, { $set: { lmsCourseId: mlms.lmsCourseId, productFamily: 'moodle' } });
    const mrecord = (await CourseModel.findOne({ courseKey: base.courseKey }).lean())!;
    const mcolumns = ltiColumns(mlms, mrecord);
    const mLtiBadges = badges(mcolumns);
    const moodleRuns: Measured[] = [await measure('LTI only, before the web service is connected', mlms, mrecord, mLtiBadges, false)];
    phase('connecting Moodle web services: the administrator\'s token');
    await connectMoodle(mlms.issuer, mlms.clientId, mlms.moodleWs!, 'bench');
    const moodleItems = apiItems(mlms);
    for (const completion of [false, true]) {
      const copy = await courseCopy(mlms, mrecord, completion ? 'moodle-completion' : 'moodle-grades');
      const list = [...mLtiBadges, ...apiBadges(moodleItems, mcolumns[0]!, completion)];
      moodleRuns.push(await measure(completion ? `with a completion rule (${moodleItems.completionLabel})` : 'grades only through the web service', mlms, copy, list, completion));
    }
    console.log('');
    console.log(`course on Moodle + Moodle web services (a second emulated LMS, flavour moodle: same course size and latency; Moodle pages no LTI list, so every list is one request;`);
    console.log(`  badges as for Canvas, "Participation" and the completion read through the web service; completion calls ${PER_LEARNER_CONCURRENCY} at a time, as Laurel makes them)`);
    for (const m of moodleRuns) report(m, m === moodleRuns[0] ? undefined : 'Moodle WS');
    console.log('');
    console.log(`  peak RSS over the whole benchmark: ${(peak / 2 ** 20).toFixed(0)} MB, Laurel's process`);

    return {
      lmsRequests: ltiOnly.split.total,
      afterLmsSeconds: Number(ltiOnly.afterLmsSeconds.toFixed(3)),
      lmsRequestsMinimum: minimum,
      verdictsSeconds: Number(verdictsSeconds.toFixed(3)),
      rerunSeconds: Number(rerunSeconds.toFixed(3)),
      peakRssMB: Math.round(ltiOnlyPeak / 2 ** 20),
      canvasRest: { requestCost: rl.cost, gradesOnly: figures(canvasRuns[0]!), withCompletion: figures(canvasRuns[1]!) },
      moodleWs: { ltiOnly: figures(moodleRuns[0]!), gradesOnly: figures(moodleRuns[1]!), withCompletion: figures(moodleRuns[2]!) },
      peakRssMBOverall: Math.round(peak / 2 ** 20),
    } as Record<string, number | Record<string, number | Record<string, number>>>;
  } finally {
    clearInterval(sampler);
    await running.stop();
    if (canvas.child.connected) canvas.child.disconnect();
    if (moodle?.child.connected) moodle.child.disconnect();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
