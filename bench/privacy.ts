/**
 * Privacy benchmark (issue 20): what a learner's export, an erasure, a retention pass and a
 * platform's removal cost on an empty platform and on an institution's (the institution
 * benchmark's builder: 500 courses, 50,000 learners, 150,000 credentials, here with the audit log
 * an instructor's awards leave), side by side in one run. Laurel as `npm start` runs it, the
 * emulated Canvas and FerretDB each in a process of its own.
 *
 * The export is the learner's own download (`GET /me/data`, over HTTP), and its queries counted
 * on the same function in the benchmark's process. The erasure: the learner asks from their page,
 * the administrator confirms (`POST /admin/erasure/requests/…/confirm`), whose answer waits for the
 * erasure up to WAIT_MS, which then goes on in the background; timed to its answer and to the
 * erasure's end (its record done, read every quarter second); its subject holds signed credentials in
 * three courses of the platform and launched the live one, and chose revocation (the longer path).
 * Two such learners: one erased on each side. Retention: one pass over a platform with one course
 * in ten overdue, then a second pass that finds nothing left to trim (the rest's cost). Removal
 * comes last, as it destroys the platform; the empty side's is a platform of its own holding one
 * course like the institution's.
 */
import http from 'node:http';
import type { ChildProcess } from 'node:child_process';
import mongoose from 'mongoose';
import { recordCourseLaunch, CourseModel } from '../src/store/course.js';
import { saveBadge } from '../src/store/badge.js';
import { AwardModel, createAwards } from '../src/store/award.js';
import { issueWaitingCredentials } from '../src/awards/issueCredential.js';
import { IssuedCredentialModel } from '../src/store/issuedCredential.js';
import { setPublicBase } from '../src/publicBase.js';
import { grantAdministrator } from '../src/store/platformAdministrators.js';
import { personKey } from '../src/store/lmsUser.js';
import { ErasureRecordModel } from '../src/store/erasure.js';
import { WAIT_MS } from '../src/privacy/erasure/erasureInBackground.js';
import { listPlatforms } from '../src/lti/platforms.js';
import { exportPerson } from '../src/privacy/export/exportPerson.js';
import { retainPlatform } from '../src/privacy/retention/retentionPass.js';
import { removePlatform } from '../src/privacy/removal/removePlatform.js';
import { createLogger } from '../src/log.js';
import type { EmulatorInfo } from './emulatorProcess.js';
import { launchedCourse } from './knownCourse.js';
import { launch } from './launchFlow.js';
import { eachBy, startBenchPlatform, startLaurel, stopLaurel } from './processes.js';
import { ratio, round } from './figures.js';
import { BADGES_PER_COURSE, COURSES, LEARNERS_PER_COURSE, seedInstitution, templateCourse } from './institution.js';

/** Live learners who launch (the ltijs records the institution's people's are copied from). */
const LIVE_LEARNERS = 20;
/** Courses in which each erased learner holds signed credentials. */
const SUBJECT_COURSES = 3;
/** Exports over HTTP on each side, the median reported (BENCH_PRIVACY_EXPORTS: fewer on a slow run). */
const EXPORTS = Number(process.env.BENCH_PRIVACY_EXPORTS ?? 3);
/** BENCH_PRIVACY_REMOVAL=0 leaves the removals out (a run after a change that touches no removal). */
const REMOVAL = process.env.BENCH_PRIVACY_REMOVAL !== '0';
/** The retention days the platform keeps; overdue courses were last launched two years ago. */
const RETENTION_DAYS = 365;
const DAY_MS = 86400_000;
/** What a proxy in front of Laurel usually waits for an answer. */
const PROXY_SECONDS = 60;

const phase = (what: string) => process.stderr.write(`[privacy] ${what}\n`);

/** One HTTP request without fetch's 300 s limit on the answer's headers (an erasure may take longer). */
function request(url: string, o: { method?: string; ltik: string; form?: Record<string, string> }): Promise<{ status: number; text: string }> {
  const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
  return new Promise((ok, fail) => {
    const req = http.request(url, {
      method: o.method ?? 'GET',
      headers: { authorization: `Bearer ${o.ltik}`, accept: 'text/html, application/json', ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Three courses of the live platform in which both erased learners hold signed credentials beside ten others. */
async function subjectCourses(base: string, lms: EmulatorInfo, subjects: string[]): Promise<void> {
  for (let k = 0; k < SUBJECT_COURSES; k++) {
    const course = await recordCourseLaunch({
      issuer: lms.issuer, clientId: lms.clientId, deploymentId: lms.deploymentId, contextId: `subject-course-${k}`, title: `Subject course ${k}`, label: `S${k}`, agsScopes: [], productFamily: 'canvas',
    });
    await saveBadge(course.courseKey, {
      id: 'subject-badge', name: 'Titration', description: 'Titrates safely.', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false,
      rules: { kind: 'all', rules: [{ kind: 'approval' }] },
    }, lms.course.instructorId);
    const learners = [...subjects, ...Array.from({ length: 10 }, (_, i) => `subject-other-${i}`)];
    await createAwards(learners.map((userId) => ({
      courseKey: course.courseKey, badgeId: 'subject-badge', userId, status: 'awarded' as const, origin: 'instructor' as const,
      recipient: { email: `${userId}@student.example.edu`, name: `Learner ${userId}` },
    })));
    await issueWaitingCredentials(base, course.courseKey);
  }
}

/** The platform's courses but the ones named, last launched `daysAgo` days ago. */
async function lastLaunched(filter: object, daysAgo: number): Promise<void> {
  await CourseModel.updateMany(filter, { $set: { lastLaunchAt: new Date(Date.now() - daysAgo * DAY_MS) } });
}

interface Side {
  exportMs: number;
  exportInProcessMs: number;
  exportQueries: number;
  exportBytes: number;
  erasureSeconds: number;
  erasureRequestSeconds: number;
  erasureInBackground: boolean;
  erasureCounts: Record<string, number>;
  retentionTrimmed: number;
  retentionSeconds: number;
  retentionPerTrimmedSeconds: number;
  retentionRestSeconds: number;
  retentionRestCourses: number;
  removalSeconds: number;
  removalCourses: number;
  removalCredentials: number;
}

/** Counts the queries mongoose sends while `fn` runs (in this process). */
async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; queries: number; ms: number }> {
  let queries = 0;
  mongoose.set('debug', () => { queries++; });
  const started = performance.now();
  try {
    const value = await fn();
    return { value, queries, ms: performance.now() - started };
  } finally {
    mongoose.set('debug', false);
  }
}

async function measureExportAndErasure(label: string, o: { base: string; lms: EmulatorInfo; subject: string; learnerLtik: string; adminLtik: string }) {
  const { base, lms, subject } = o;
  const person = { issuer: lms.issuer, clientId: lms.clientId, userId: subject };
  phase(`${label}: the learner's export, ${EXPORTS} times over HTTP`);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < EXPORTS; i++) {
    const started = performance.now();
    const res = await request(`${base}/me/data`, { ltik: o.learnerLtik });
    times.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`the export answered ${res.status}: ${res.text.slice(0, 200)}`);
    const data = JSON.parse(res.text) as { courses: unknown[] };
    if (data.courses.length < SUBJECT_COURSES) throw new Error(`the export holds ${data.courses.length} courses, not the ${SUBJECT_COURSES} of the learner's credentials`);
    bytes = res.text.length;
  }
  const inProcess = await counted(() => exportPerson(person));

  phase(`${label}: the learner asks for erasure, the administrator confirms (the request waits for the erasure up to ${WAIT_MS / 1000} s, then it goes on in the background)`);
  const asked = await request(`${base}/me/erasure`, { method: 'POST', ltik: o.learnerLtik, form: { choice: 'revoke' } });
  if (asked.status !== 303) throw new Error(`asking for erasure answered ${asked.status}: ${asked.text.slice(0, 200)}`);
  const credentialsBefore = await IssuedCredentialModel.countDocuments({ userId: subject });
  const started = performance.now();
  const confirmed = await request(`${base}/admin/erasure/requests/${personKey(lms.issuer, lms.clientId, subject)}/confirm`, { method: 'POST', ltik: o.adminLtik, form: {} });
  const erasureRequestSeconds = seconds(started);
  if (confirmed.status !== 200) throw new Error(`the confirmation answered ${confirmed.status}: ${confirmed.text.slice(0, 300)}`);
  const erasureInBackground = confirmed.text.includes('goes on without you');
  let record = null;
  while (!record?.doneAt) {
    record = await ErasureRecordModel.findOne({ issuer: lms.issuer, clientId: lms.clientId }).sort({ confirmedAt: -1 }).lean();
    if (!record?.doneAt) await new Promise((r) => setTimeout(r, 250));
  }
  // Until it is recorded done, read every quarter second.
  const erasureSeconds = seconds(started);
  const left = await AwardModel.countDocuments({ userId: subject }) + await IssuedCredentialModel.countDocuments({ userId: subject });
  if (left || credentialsBefore < SUBJECT_COURSES) throw new Error(`the erasure left ${left} awards and credentials of the learner (${credentialsBefore} credentials before)`);
  return { exportMs: [...times].sort((a, b) => a - b)[Math.floor(EXPORTS / 2)]!, exportInProcessMs: inProcess.ms, exportQueries: inProcess.queries, exportBytes: bytes, erasureSeconds, erasureRequestSeconds, erasureInBackground, erasureCounts: record.counts as Record<string, number> };
}

/** A retention pass over `r` (its due courses trimmed), then a second that finds nothing left to trim. */
async function measureRetention(label: string, r: { issuer: string; clientId: string }, rest: { issuer: string; clientId: string }) {
  const logger = createLogger('silent');
  phase(`${label}: a retention pass`);
  let started = performance.now();
  const pass = await retainPlatform(r, RETENTION_DAYS, logger);
  const retentionSeconds = seconds(started);
  if (pass.courses === 0) throw new Error('the retention pass trimmed no course');
  phase(`${label}: a retention pass with nothing due (the untouched rest)`);
  started = performance.now();
  const again = await retainPlatform(rest, RETENTION_DAYS, logger);
  const retentionRestSeconds = seconds(started);
  if (again.courses !== 0) throw new Error(`the second pass trimmed ${again.courses} courses`);
  return {
    retentionTrimmed: pass.courses, retentionSeconds, retentionPerTrimmedSeconds: retentionSeconds / pass.courses, retentionRestSeconds,
    retentionRestCourses: await CourseModel.countDocuments({ issuer: rest.issuer, clientId: rest.clientId }),
  };
}

async function measureRemoval(label: string, r: { issuer: string; clientId: string; platformId: string; platformName: string }) {
  const removalCourses = await CourseModel.countDocuments({ issuer: r.issuer, clientId: r.clientId });
  const keys = (await CourseModel.find({ issuer: r.issuer, clientId: r.clientId }, { courseKey: 1 }).lean()).map((c) => c.courseKey);
  const removalCredentials = await IssuedCredentialModel.countDocuments({ courseKey: { $in: keys } });
  phase(`${label}: removing a platform of ${removalCourses} courses and ${removalCredentials} credentials`);
  const started = performance.now();
  const removal = await removePlatform(r, 'admin');
  const removalSeconds = seconds(started);
  if (removal.state !== 'done' || (await CourseModel.countDocuments({ issuer: r.issuer, clientId: r.clientId }))) throw new Error(`the removal ended ${removal.state}, its courses not all gone`);
  return { removalSeconds, removalCourses, removalCredentials };
}

export async function privacyBenchmark(): Promise<Record<string, number | Record<string, number>>> {
  const benchStarted = performance.now();
  phase('starting FerretDB and the emulated Canvas (processes of their own)');
  const platform = await startBenchPlatform({ folder: 'laurel-privacy-', learners: LIVE_LEARNERS, activities: 5 });
  const { base, emulator, env } = platform;
  let laurel: ChildProcess | undefined;
  try {
    setPublicBase(base);
    const lms = await emulator.info;
    await launchedCourse(lms);
    const live = { issuer: lms.issuer, clientId: lms.clientId };
    const [subjectA, subjectB] = lms.course.learnerIds as [string, string];
    phase(`the live platform: the template course (${LEARNERS_PER_COURSE * BADGES_PER_COURSE} credentials), ${SUBJECT_COURSES} courses of the erased learners`);
    const template = await templateCourse(base, { ...live, deploymentId: lms.deploymentId, auditEntries: true });
    await subjectCourses(base, lms, [subjectA, subjectB]);
    await grantAdministrator(live, lms.course.instructorLmsId, 'bench');
    // Two platforms of one course like the institution's, for the empty side's retention and removal.
    const small = (clientId: string) => ({ issuer: 'https://canvas.example.edu', clientId });
    await templateCourse(base, { ...small('bench-retention'), prefix: 'rtn', auditEntries: true });
    await templateCourse(base, { ...small('bench-removal'), prefix: 'rmv', auditEntries: true });
    // Nothing of the live platform is due for retention yet (the template course was last launched in a past term).
    await lastLaunched(live, 10);

    const sessions = async () => {
      await stopLaurel(laurel);
      laurel = await startLaurel(env, base);
      const ltiks = new Map<string, string>();
      await eachBy(4, [...lms.course.learnerIds, lms.course.instructorId], async (userId) => { ltiks.set(userId, await launch(lms, userId)); });
      return ltiks;
    };
    phase('starting Laurel as npm start runs it; every live learner and the administrator launch');
    let ltiks = await sessions();
    const emptyPrivacy = await measureExportAndErasure('empty platform', { base, lms, subject: subjectA, learnerLtik: ltiks.get(subjectA)!, adminLtik: ltiks.get(lms.course.instructorId)! });
    const emptyRetention = await measureRetention('empty platform', small('bench-retention'), live);
    const noRemoval = { removalSeconds: NaN, removalCourses: 0, removalCredentials: 0 };
    const emptyRemoval = REMOVAL ? await measureRemoval('empty platform', { ...small('bench-removal'), platformId: 'bench-removal', platformName: 'bench removal' }) : noRemoval;
    const empty: Side = { ...emptyPrivacy, ...emptyRetention, ...emptyRemoval };

    phase(`seeding the institution: ${COURSES} courses, ${COURSES * LEARNERS_PER_COURSE} learners, ${COURSES * LEARNERS_PER_COURSE * BADGES_PER_COURSE} awards and credentials`);
    const seedStarted = performance.now();
    const seeded = await seedInstitution(template.courseKey, lms.course.learnerIds);
    const seedSeconds = seconds(seedStarted);
    phase(`seeded in ${seedSeconds.toFixed(0)} s: ${Object.entries(seeded).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    ltiks = await sessions();
    const largePrivacy = await measureExportAndErasure('large platform', { base, lms, subject: subjectB, learnerLtik: ltiks.get(subjectB)!, adminLtik: ltiks.get(lms.course.instructorId)! });
    // One course in ten of the institution overdue: the template's copies, as many as a tenth of the platform.
    const copies = (await CourseModel.find({ ...live, courseKey: { $ne: template.courseKey }, contextId: /^tmpl-course~/ }, { courseKey: 1 }).lean()).map((c) => c.courseKey);
    const overdue = copies.slice(0, Math.max(1, Math.round((await CourseModel.countDocuments(live)) / 10)));
    await lastLaunched({ courseKey: { $in: overdue } }, 2 * 365);
    const largeRetention = await measureRetention('large platform', live, live);
    await stopLaurel(laurel);
    const target = (await listPlatforms()).find((p) => p.issuer === lms.issuer && p.clientId === lms.clientId)!;
    const largeRemoval = REMOVAL ? await measureRemoval('large platform', { ...live, platformId: target.platformId, platformName: target.name }) : noRemoval;
    const large: Side = { ...largePrivacy, ...largeRetention, ...largeRemoval };

    const figures = {
      exportRatio: ratio(large.exportMs, empty.exportMs),
      exportMs: { empty: round(empty.exportMs, 1), large: round(large.exportMs, 1) },
      exportQueries: { empty: empty.exportQueries, large: large.exportQueries },
      erasureRatio: ratio(large.erasureSeconds, empty.erasureSeconds),
      erasureSeconds: { empty: round(empty.erasureSeconds), large: round(large.erasureSeconds) },
      erasureRequestSeconds: { empty: round(empty.erasureRequestSeconds), large: round(large.erasureRequestSeconds) },
      erasureRequestWithinProxy: large.erasureRequestSeconds < PROXY_SECONDS ? 1 : 0,
      retentionPerTrimmedCourseRatio: ratio(large.retentionPerTrimmedSeconds, empty.retentionPerTrimmedSeconds),
      retentionPerTrimmedCourseSeconds: { empty: round(empty.retentionPerTrimmedSeconds, 3), large: round(large.retentionPerTrimmedSeconds, 3) },
      retentionTrimmedCourses: { empty: empty.retentionTrimmed, large: large.retentionTrimmed },
      retentionRestRatio: ratio(large.retentionRestSeconds, empty.retentionRestSeconds),
      retentionRestSeconds: { empty: round(empty.retentionRestSeconds, 3), large: round(large.retentionRestSeconds, 3) },
      ...(REMOVAL ? {
        removalRatio: ratio(large.removalSeconds, empty.removalSeconds),
        removalSeconds: { empty: round(empty.removalSeconds), large: round(large.removalSeconds) },
        removalCredentials: { empty: empty.removalCredentials, large: large.removalCredentials },
      } : {}),
      seedSeconds: round(seedSeconds, 0),
    };
    const line = (what: string, e: string, l: string, r: number) => console.log(`  ${what.padEnd(44)} ${e.padStart(14)} ${l.padStart(14)} ${r.toFixed(2).padStart(8)}`);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    const s = (n: number) => `${n.toFixed(2)} s`;
    console.log('privacy: Laurel (npm start) + emulated Canvas + FerretDB, each its own process; the same operations on an empty platform');
    console.log(`  and on one of ${COURSES + SUBJECT_COURSES + 1} courses, ${COURSES * LEARNERS_PER_COURSE} learners and ${COURSES * LEARNERS_PER_COURSE * BADGES_PER_COURSE} credentials (seeded in ${seedSeconds.toFixed(0)} s)`);
    console.log(`  ${''.padEnd(44)} ${'empty'.padStart(14)} ${'large'.padStart(14)} ${'ratio'.padStart(8)}`);
    line(`export, GET /me/data (median of ${EXPORTS})`, ms(empty.exportMs), ms(large.exportMs), figures.exportRatio);
    line('export, its database queries', String(empty.exportQueries), String(large.exportQueries), ratio(large.exportQueries, empty.exportQueries));
    line(`erasure, to its end (${SUBJECT_COURSES} courses)`, s(empty.erasureSeconds), s(large.erasureSeconds), figures.erasureRatio);
    line('erasure, the admin\'s confirm answered', s(empty.erasureRequestSeconds), s(large.erasureRequestSeconds), ratio(large.erasureRequestSeconds, empty.erasureRequestSeconds));
    line('retention, a trimmed course', s(empty.retentionPerTrimmedSeconds), s(large.retentionPerTrimmedSeconds), figures.retentionPerTrimmedCourseRatio);
    line('retention, a pass over the untouched rest', `${s(empty.retentionRestSeconds)}`, `${s(large.retentionRestSeconds)}`, figures.retentionRestRatio);
    if (REMOVAL) line('removing a platform', s(empty.removalSeconds), s(large.removalSeconds), ratio(large.removalSeconds, empty.removalSeconds));
    console.log(`  retention trimmed ${empty.retentionTrimmed} / ${large.retentionTrimmed} courses (${s(empty.retentionSeconds)} / ${s(large.retentionSeconds)}); the rest: ${empty.retentionRestCourses} / ${large.retentionRestCourses} courses`);
    if (REMOVAL) console.log(`  removal: ${empty.removalCourses} course, ${empty.removalCredentials} credentials / ${large.removalCourses} courses, ${large.removalCredentials} credentials`);
    console.log(`  erasure counts, large: ${Object.entries(large.erasureCounts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  the erasure's request ${large.erasureRequestSeconds < PROXY_SECONDS ? 'is answered' : 'is NOT answered'} within a proxy's ${PROXY_SECONDS} s on the large platform (${s(large.erasureRequestSeconds)}; ${large.erasureInBackground ? 'the erasure went on in the background' : 'the erasure done within it'}); the whole benchmark took ${((performance.now() - benchStarted) / 60_000).toFixed(1)} min`);
    return figures;
  } finally {
    await stopLaurel(laurel);
    await platform.stop();
  }
}
