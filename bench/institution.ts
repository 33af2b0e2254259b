/**
 * Institution benchmark (issue 17): does any cost grow with the institution? Laurel as `npm start`
 * runs it (its own process), the emulated Canvas in another, FerretDB in a third. The same figures
 * are measured twice in one run: on an empty platform (one live course), then after years of an
 * institution are put straight into the database beside it (500 courses, 50,000 learners,
 * 150,000 awards and credentials, the ltijs records of 50,000 people's launches). Reported as the
 * large platform's cost over the empty one's; targets ≤ 1.2 (flat), public page p99 < 50 ms.
 *
 * The institution is copied from a real course: a template course whose awards Laurel signs,
 * and the records ltijs keeps of the live course's launches, each copied with new ids (EJSON, so
 * dates and binary stay what they are). What a copy says is never verified: the copies weigh
 * what real documents weigh, which is what the reading paths pay for.
 */
import type { ChildProcess } from 'node:child_process';
import mongoose from 'mongoose';
import { BSON, type Document } from 'mongodb';
import { recordCourseLaunch, findCourse, CourseModel } from '../src/store/course.js';
import { saveBadge } from '../src/store/badge.js';
import { createAwards } from '../src/store/award.js';
import { issueWaitingCredentials } from '../src/awards/issueCredential.js';
import { issuedInCourse } from '../src/store/issuedCredential.js';
import { recordAudit } from '../src/store/auditLog.js';
import { setPublicBase } from '../src/publicBase.js';
import { runCourseUnderLease } from '../src/jobs/courseRun.js';
import { evaluateDueCourses } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/log.js';
import type { EmulatorInfo } from './emulatorProcess.js';
import { launchedCourse } from './knownCourse.js';
import { launch } from './launchFlow.js';
import { eachBy, ferretdbPid, rssMB, startBenchPlatform, startLaurel, stopLaurel, verifyPage } from './processes.js';
import { ratio, round } from './figures.js';
import { percentile, runStep, type Step } from './stepUp.js';
import { instancesSpeedup } from './schedulerThroughput.js';

export const COURSES = Number(process.env.BENCH_INSTITUTION_COURSES ?? 500);
export const LEARNERS_PER_COURSE = 100;
export const BADGES_PER_COURSE = 3;
/** The live course Laurel launches and evaluates, on the emulated Canvas. */
const LIVE_LEARNERS = 200;
const STEP_SECONDS = Number(process.env.BENCH_INSTITUTION_STEP_SECONDS ?? 15);
const LAUNCH_CLIENTS = 2;
const PUBLIC_CLIENTS = 8;
const EVALUATIONS = 3;

const phase = (what: string) => process.stderr.write(`[institution] ${what}\n`);

interface Side {
  launch: Step;
  public: Step;
  /** A live course's evaluation (200 learners, AGS and NRPS), the median of a few, seconds. */
  evaluationSeconds: number;
  /** The scheduler's pass over the due courses (the live one), as courses an hour. */
  schedulerCoursesPerHour: number;
  peakRssMB: number;
}

/** Where a template course is made, and the prefix its context and learner ids carry (what seedInstitution's copies rename). */
export interface TemplateOptions {
  issuer?: string; clientId?: string; deploymentId?: string; prefix?: string;
  /** The audit log an instructor's awards leave, an entry per award naming its learner (as bulk awards record them). */
  auditEntries?: boolean;
}

/** The template course: 100 learners, each with 3 signed badges, as a course of the institution holds. */
export async function templateCourse(base: string, o: TemplateOptions = {}): Promise<{ courseKey: string; credentialIds: string[] }> {
  const prefix = o.prefix ?? 'tmpl';
  const course = await recordCourseLaunch({
    issuer: o.issuer ?? 'https://canvas.example.edu', clientId: o.clientId ?? 'bench-institution', deploymentId: o.deploymentId ?? '1', contextId: `${prefix}-course`, title: 'Template course', label: 'T1', agsScopes: [], productFamily: 'canvas',
  });
  for (let b = 0; b < BADGES_PER_COURSE; b++) {
    await saveBadge(course.courseKey, {
      id: `tmpl-badge-${b}`, name: `Lab Safety — Level ${b + 1}`, description: 'Handles the lab safely.', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false,
      validFor: 'P2Y', rules: { kind: 'all', rules: [{ kind: 'approval' }] },
    }, 'bench');
  }
  await createAwards(Array.from({ length: LEARNERS_PER_COURSE * BADGES_PER_COURSE }, (_, i) => ({
    courseKey: course.courseKey, badgeId: `tmpl-badge-${i % BADGES_PER_COURSE}`, userId: `${prefix}-learner-${Math.floor(i / BADGES_PER_COURSE)}`, status: 'awarded' as const, origin: 'instructor' as const,
    recipient: { email: `${prefix}-learner${Math.floor(i / BADGES_PER_COURSE)}@student.example.edu`, name: `Learner ${i}` },
  })));
  await issueWaitingCredentials(base, course.courseKey);
  if (o.auditEntries) {
    await recordAudit(Array.from({ length: LEARNERS_PER_COURSE * BADGES_PER_COURSE }, (_, i) => ({
      courseKey: course.courseKey, actor: 'tmpl-instructor', actorName: 'Template Instructor', action: 'award.manual' as const, badgeId: `tmpl-badge-${i % BADGES_PER_COURSE}`,
      userId: `${prefix}-learner-${Math.floor(i / BADGES_PER_COURSE)}`, detail: `Learner ${i}`,
    })));
  }
  await pastTerm({ courseKey: course.courseKey });
  return { courseKey: course.courseKey, credentialIds: await issuedInCourse(course.courseKey) };
}

/** Courses of past terms: launched years ago and ended, so the scheduler leaves them alone (as the copies are). */
export async function pastTerm(filter: object): Promise<void> {
  await CourseModel.updateMany(filter, { $set: { lastLaunchAt: new Date(Date.now() - 2 * 365 * 86400_000), concludedAt: new Date() } });
}

/** Copies every document of `collection` that names one of `markers`, `times` over, each marker and `_id` made new. */
async function copyDocuments(collection: string, markers: string[], times: number, rename: (marker: string, copy: number) => string): Promise<number> {
  const c = mongoose.connection.db!.collection(collection);
  const source = markers.map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const pattern = new RegExp(source, 'g');
  const originals = (await c.find({}).toArray()).map((d) => BSON.EJSON.stringify(d, { relaxed: false })).filter((json) => new RegExp(source).test(json));
  // Fields a unique index holds (an award's public id, say) are made new like `_id`.
  const unique = ['_id', ...(await c.indexes()).filter((i) => i.unique).flatMap((i) => Object.keys(i.key))];
  const before = originals.map((json) => BSON.EJSON.parse(json, { relaxed: false }) as Document);
  let written = 0;
  for (let copy = 1; copy <= times; copy++) {
    const docs = originals.map((json, i) => {
      const doc = BSON.EJSON.parse(json.replace(pattern, (m) => rename(m, copy)), { relaxed: false }) as Document;
      for (const field of unique) {
        // A key the renaming already made new (a course's, which is its course key) stays as renamed, so it names its copy.
        if (typeof doc[field] === 'string' && doc[field] === before[i]![field]) doc[field] = `${doc[field]}~${copy}`;
        else if (doc[field] instanceof BSON.ObjectId) doc[field] = new BSON.ObjectId();
      }
      return doc;
    });
    for (let i = 0; i < docs.length; i += 1000) {
      const r = await c.insertMany(docs.slice(i, i + 1000), { ordered: false }).catch((err: { insertedCount?: number; result?: { insertedCount?: number } }) => ({ insertedCount: err.result?.insertedCount ?? err.insertedCount ?? 0 }));
      written += r.insertedCount;
    }
  }
  return written;
}

/** Years of an institution beside the live course: the template course and the live course's ltijs records, copied. */
export async function seedInstitution(templateKey: string, liveLearners: string[]): Promise<Record<string, number>> {
  const written: Record<string, number> = {};
  const collections = (await mongoose.connection.db!.listCollections().toArray()).map((c) => c.name);
  // Laurel's own: the course, its badges, awards, credentials, audit; status lists are the
  // issuer's (one per issuer, not per course) and stay as they are.
  for (const name of collections.filter((n) => !n.startsWith('status') && !n.startsWith('system'))) {
    const n = await copyDocuments(name, [templateKey, 'tmpl-course', 'tmpl-learner-'], COURSES - 1, (m, copy) => (m === 'tmpl-learner-' ? `c${copy}-learner-` : `${m}~${copy}`));
    if (n) written[name] = n;
  }
  // What ltijs keeps of each person's launches: the live course's learners, copied until the
  // platform has as many people as the institution.
  const copies = Math.ceil((COURSES * LEARNERS_PER_COURSE) / liveLearners.length);
  for (const name of ['idtoken', 'contexttoken', 'idtokens', 'contexttokens'].filter((n) => collections.includes(n))) {
    written[name] = await copyDocuments(name, liveLearners, copies, (m, copy) => `${m}~${copy}`);
  }
  return written;
}

async function measureSide(label: string, o: { base: string; lms: EmulatorInfo; liveKey: string; credentialIds: string[]; laurel: ChildProcess; dir: string }): Promise<Side> {
  const watch = { laurel: o.laurel.pid!, ferretdb: ferretdbPid(o.dir)! };
  const learners = o.lms.course.learnerIds;
  phase(`${label}: launches, ${LAUNCH_CLIENTS} clients, ${STEP_SECONDS} s`);
  const launchStep = await runStep(LAUNCH_CLIENTS, STEP_SECONDS, (i) => launch(o.lms, learners[i % learners.length]!), watch);
  phase(`${label}: public verification page, ${PUBLIC_CLIENTS} clients, ${STEP_SECONDS} s`);
  const publicStep = await runStep(PUBLIC_CLIENTS, STEP_SECONDS, (i) => verifyPage(o.base, o.credentialIds[i % o.credentialIds.length]!), watch);
  phase(`${label}: the live course evaluated ${EVALUATIONS} times`);
  const times: number[] = [];
  for (let i = 0; i < EVALUATIONS; i++) {
    const course = (await findCourse(o.liveKey))!;
    const started = performance.now();
    if (!(await runCourseUnderLease(course, {}))) throw new Error('the live course\'s lease was taken');
    times.push((performance.now() - started) / 1000);
  }
  phase(`${label}: the scheduler's pass`);
  await CourseModel.updateOne({ courseKey: o.liveKey }, { $unset: { lastEvaluatedAt: 1 } });
  const started = performance.now();
  const ran = await evaluateDueCourses(60, createLogger('silent'));
  const passSeconds = (performance.now() - started) / 1000;
  if (ran !== 1) throw new Error(`the scheduler evaluated ${ran} courses, not the live one alone`);
  return {
    launch: launchStep, public: publicStep,
    evaluationSeconds: percentile(times.sort((a, b) => a - b), 0.5),
    schedulerCoursesPerHour: 3600 / passSeconds,
    peakRssMB: rssMB(o.laurel.pid!, 'VmHWM'),
  };
}

export async function institutionBenchmark(): Promise<Record<string, number | Record<string, number>>> {
  const benchStarted = performance.now();
  phase('starting FerretDB and the emulated Canvas (processes of their own)');
  const platform = await startBenchPlatform({ folder: 'laurel-institution-', learners: LIVE_LEARNERS, activities: 5 });
  const { base, dir, db, secret, emulator, env } = platform;
  let laurel: ChildProcess | undefined;
  try {
    setPublicBase(base);
    phase(`signing the template course's ${LEARNERS_PER_COURSE * BADGES_PER_COURSE} credentials`);
    const template = await templateCourse(base);
    const lms = await emulator.info;
    const liveKey = await launchedCourse(lms);

    phase('starting Laurel as npm start runs it');
    laurel = await startLaurel(env, base);
    phase(`first launch of each of the ${lms.course.learnerIds.length} live learners, first view of each badge`);
    await eachBy(4, lms.course.learnerIds, (userId) => launch(lms, userId));
    await eachBy(2, template.credentialIds, (id) => verifyPage(base, id));
    // Each side is measured by a Laurel started afresh and warmed the same way.
    const fresh = async () => {
      await stopLaurel(laurel);
      laurel = await startLaurel(env, base);
      await eachBy(4, lms.course.learnerIds.slice(0, 20), (userId) => launch(lms, userId));
      // Every badge whose page is opened is seen once first (its full check, then kept), as in the load benchmark.
      await eachBy(2, template.credentialIds, (id) => verifyPage(base, id));
      return laurel;
    };
    const side = { base, lms, liveKey, credentialIds: template.credentialIds, dir };
    const empty = await measureSide('empty platform', { ...side, laurel: await fresh() });

    phase(`seeding the institution: ${COURSES} courses, ${COURSES * LEARNERS_PER_COURSE} learners, ${COURSES * LEARNERS_PER_COURSE * BADGES_PER_COURSE} awards and credentials`);
    const seedStarted = performance.now();
    const seeded = await seedInstitution(template.courseKey, lms.course.learnerIds);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    phase(`seeded in ${seedSeconds.toFixed(0)} s: ${Object.entries(seeded).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    const large = await measureSide('large platform', { ...side, laurel: await fresh() });
    await stopLaurel(laurel);
    // Last, as it adds a platform and its courses: the scheduler of two instances sharing this
    // database against one (bench/schedulerThroughput.ts), each a real `npm start` server.
    phase('two instances against one, sharing the large platform\'s database');
    // Its failure leaves the other figures standing: said, and reported as missing.
    const instances = await instancesSpeedup({ database: { uri: db.uri, secret } }).catch((err: Error) => {
      phase(`two instances could not be measured: ${err.message}`);
      return undefined;
    });

    const errors = empty.launch.errors + empty.public.errors + large.launch.errors + large.public.errors + (instances ? instances.many.evaluatedTwice + instances.many.twiceAtOnce : 0);
    const figures = {
      launchCostRatio: ratio(large.launch.p50ms, empty.launch.p50ms),
      launchP99Ratio: ratio(large.launch.p99ms, empty.launch.p99ms),
      launchDbCpuRatio: ratio(large.launch.cpuMsPerOp!.ferretdb!, empty.launch.cpuMsPerOp!.ferretdb!),
      publicCostRatio: ratio(large.public.p99ms, empty.public.p99ms),
      publicP99ms: round(large.public.p99ms, 1),
      evaluationRatio: ratio(large.evaluationSeconds, empty.evaluationSeconds),
      schedulerRatio: ratio(empty.schedulerCoursesPerHour, large.schedulerCoursesPerHour),
      peakRssMB: large.peakRssMB,
      peakRssRatio: ratio(large.peakRssMB, empty.peakRssMB),
      ...(instances ? { twoInstanceSpeedup: round(instances.speedup) } : {}),
      errors,
      seedSeconds: round(seedSeconds, 0),
    };
    const line = (what: string, e: string, l: string, r: number, target: string) => console.log(`  ${what.padEnd(34)} ${e.padStart(14)} ${l.padStart(14)} ${r.toFixed(2).padStart(7)}  ${target}`);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`institution: Laurel (npm start) + emulated Canvas + FerretDB, each its own process; the same measures on an empty platform`);
    console.log(`  and after ${COURSES} courses, ${COURSES * LEARNERS_PER_COURSE} learners and ${COURSES * LEARNERS_PER_COURSE * BADGES_PER_COURSE} awards and credentials were put beside it (seeded in ${seedSeconds.toFixed(0)} s)`);
    console.log(`  ${''.padEnd(34)} ${'empty'.padStart(14)} ${'large'.padStart(14)} ${'ratio'.padStart(7)}  target`);
    line(`launch p50 (${LAUNCH_CLIENTS} clients)`, ms(empty.launch.p50ms), ms(large.launch.p50ms), figures.launchCostRatio, '≤ 1.2');
    line('launch p99', ms(empty.launch.p99ms), ms(large.launch.p99ms), figures.launchP99Ratio, '≤ 1.2');
    line('FerretDB CPU a launch', ms(empty.launch.cpuMsPerOp!.ferretdb!), ms(large.launch.cpuMsPerOp!.ferretdb!), figures.launchDbCpuRatio, '≤ 1.2');
    line(`public page p99 (${PUBLIC_CLIENTS} clients)`, ms(empty.public.p99ms), ms(large.public.p99ms), figures.publicCostRatio, `≤ 1.2, and < 50 ms`);
    line('course evaluation (200 learners)', `${empty.evaluationSeconds.toFixed(2)} s`, `${large.evaluationSeconds.toFixed(2)} s`, figures.evaluationRatio, '≤ 1.2');
    line('scheduler, courses an hour', empty.schedulerCoursesPerHour.toFixed(0), large.schedulerCoursesPerHour.toFixed(0), figures.schedulerRatio, '≤ 1.2 (empty over large)');
    line('Laurel peak RSS', `${empty.peakRssMB} MB`, `${large.peakRssMB} MB`, figures.peakRssRatio, '≤ 1.2');
    console.log(instances
      ? `  scheduler, two instances sharing the large platform: ${instances.many.coursesPerHour.toFixed(0)} courses an hour against one's ${instances.one.coursesPerHour.toFixed(0)}: ${instances.speedup.toFixed(2)}× (target ≥ 1.7), ${instances.many.evaluatedTwice} evaluated twice`
      : '  scheduler, two instances sharing the large platform: not measured (see above); npm run bench -- scheduler measures it on a database of its own');
    console.log(`  errors: ${errors}${errors ? ` (first: ${[empty.launch, empty.public, large.launch, large.public].find((s) => s.firstError)?.firstError})` : ''}; the whole benchmark took ${((performance.now() - benchStarted) / 60_000).toFixed(1)} min`);
    return figures;
  } finally {
    await stopLaurel(laurel);
    await platform.stop();
  }

}
