/**
 * Scheduler throughput (issue 17): how many courses an hour the background scheduler evaluates
 * with one Laurel instance, and with several sharing one database. Each instance is `npm start`'s
 * server (NODE_ENV=production, a process of its own, its scheduler looking every second, several
 * courses at once); the emulated Canvas serves them from another process, with a distant LMS's
 * latency on every request; FerretDB (or the caller's database) holds everything.
 *
 * The courses are records of their own on one platform, each with its badges, all reading the
 * emulated course. A first pass evaluates and awards them all (credentials signed): not measured.
 * Then, for each number of instances, every course is made due at once and the pass is timed
 * until the last is evaluated again, as the scheduler does every interval: reading the LMS,
 * evaluating, nothing new to award. The instances' logs say which course each evaluated and when,
 * so a course evaluated twice, or by two instances at once, is counted (both must be 0).
 *
 * `schedulerThroughput` measures one number of instances; `instancesSpeedup` measures one and
 * several on the same platform, courses and database, one after the other, and their ratio (the
 * institution benchmark calls it with its own database).
 */
import { randomBytes } from 'node:crypto';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { freePort, startLocalFerret } from '../src/store/localFerret.js';
import { connectDatabase, disconnectDatabase } from '../src/store/connect.js';
import { ensureIndexes } from '../src/store/indexes.js';
import { configureSealing } from '../src/secrets/sealed.js';
import { setupProvider } from '../src/lti/provider.js';
import { CourseModel, recordCourseLaunch } from '../src/store/course.js';
import { saveBadge } from '../src/store/badge.js';
import { DEFAULT_SYNC_CONCURRENCY } from '../src/jobs/scheduler.js';
import type { EmulatorInfo } from './emulatorProcess.js';
import { knownCourse } from './knownCourse.js';
import { cpuMs } from './stepUp.js';
import { ferretdbPid, rssMB, stopLaurel } from './processes.js';

export interface ThroughputOptions {
  /** Laurel instances sharing the database. */
  instances: number;
  /** Courses evaluated in a pass. */
  courses?: number;
  learners?: number;
  /** Grade columns of the course; each badge reads one. */
  activities?: number;
  /** Added to every LMS request: a distant LMS. */
  latencyMs?: number;
  /** Each instance's SYNC_CONCURRENCY. */
  concurrency?: number;
  /**
   * A database that already holds an institution (its URI and LAUREL_SECRET): the platform and the
   * courses are added to it. Default: a FerretDB of the benchmark's own.
   */
  database?: { uri: string; secret: string };
}

export interface Throughput {
  instances: number;
  courses: number;
  seconds: number;
  coursesPerHour: number;
  /** Courses each instance evaluated. */
  byInstance: number[];
  /** Courses evaluated more than once in the pass, and evaluated by two instances at once: both 0. */
  evaluatedTwice: number;
  twiceAtOnce: number;
  /** CPU milliseconds a course cost, by process: Laurel (the instances together), the database (when the benchmark's own FerretDB), the emulated LMS. */
  cpuMsPerCourse: { laurel: number; database?: number; lms: number };
  /** Each instance's peak resident memory since it started (the first's includes the first pass, with its signing). */
  peakRssMB: number[];
}

const DEFAULTS = { courses: 96, learners: 250, activities: 12, latencyMs: 150, concurrency: DEFAULT_SYNC_CONCURRENCY };
const BADGES = 3;
/** A badge's grade: a tenth of the learners or so earn each, so the first pass signs a few thousand credentials, not tens of thousands. */
const PERCENT = 95;

const phase = (what: string) => process.stderr.write(`[scheduler] ${what}\n`);

/** One number of instances. */
export async function schedulerThroughput(o: ThroughputOptions): Promise<Throughput> {
  const rig = await startRig(o, o.instances);
  try {
    return await rig.pass(o.instances);
  } finally {
    await rig.stop();
  }
}

/** One instance, then `instances` (default 2), on the same courses and database: the ratio of their courses per hour. */
export async function instancesSpeedup(o: Omit<ThroughputOptions, 'instances'> & { instances?: number }): Promise<{ one: Throughput; many: Throughput; speedup: number }> {
  const n = o.instances ?? 2;
  const rig = await startRig(o, n);
  try {
    const one = await rig.pass(1);
    const many = await rig.pass(n);
    return { one, many, speedup: many.coursesPerHour / one.coursesPerHour };
  } finally {
    await rig.stop();
  }
}

interface Instance { child: ChildProcess; lines: Record<string, unknown>[]; url: string }

async function startRig(o: Omit<ThroughputOptions, 'instances'>, most: number) {
  const p = { ...DEFAULTS, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & Pick<ThroughputOptions, 'database'>;
  const dir = mkdtempSync(join(tmpdir(), 'laurel-bench-'));
  const db = p.database ? undefined : await startLocalFerret(dir);
  const uri = p.database?.uri ?? db!.uri;
  const secret = p.database?.secret ?? randomBytes(32).toString('hex');
  const ports = await Promise.all(Array.from({ length: most }, () => freePort()));
  // Every instance answers at the one public URL of a deployment (the first's port here): the
  // emulator fetches Laurel's keys there, and every instance signs as that issuer.
  const base = `http://localhost:${ports[0]}`;
  phase(`starting ${db ? 'FerretDB and ' : ''}the emulated Canvas (a process of its own): ${p.learners} learners, ${p.activities} columns, +${p.latencyMs} ms a request`);
  const emulator = fork(fileURLToPath(new URL('./emulatorProcess.js', import.meta.url)), [String(p.learners), String(p.activities), '100', String(p.latencyMs), base, 'canvas']);
  const ferretdb = db ? ferretdbPid(dir) : undefined;
  const lms = await new Promise<EmulatorInfo>((ok, fail) => { emulator.once('message', (m) => ok(m as EmulatorInfo)); emulator.once('exit', (code) => fail(new Error(`the emulator exited (${code})`))); });
  const instances: Instance[] = [];
  const stop = async () => {
    await Promise.all(instances.map(({ child }) => stopLaurel(child)));
    if (emulator.connected) emulator.disconnect();
    if (db) {
      await disconnectDatabase();
      await db.stop();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The platform and the courses, written as an install and first launches leave them.
    if (mongoose.connection.readyState !== 1) await connectDatabase(uri);
    await setupProvider({ secret, mongodbUri: uri, publicUrl: base, beforeValidation: () => {} }).catch((err: Error) => { if (err.message !== 'PROVIDER_ALREADY_SETUP') throw err; });
    await ensureIndexes({ ttl: false });
    configureSealing(secret);
    const record = await knownCourse(lms);
    const columns = lms.course.activityIds.map((id) => `${record.lineItemsUrl}/${id}`);
    const keys: string[] = [];
    for (let i = 0; i < p.courses; i++) {
      const course = await recordCourseLaunch({
        issuer: record.issuer, clientId: record.clientId, deploymentId: record.deploymentId, contextId: `${record.contextId}#scheduler-${i}`,
        title: `${record.title} ${i + 1}`, label: `${record.label}-${i + 1}`, lineItemsUrl: record.lineItemsUrl, agsScopes: record.agsScopes, membershipsUrl: record.membershipsUrl, productFamily: 'canvas',
      });
      for (let b = 0; b < BADGES; b++) {
        await saveBadge(course.courseKey, {
          id: `grade-${b}`, name: `Grade ${b + 1}`, description: 'A column passed.', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false,
          rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns[(i + b) % columns.length]!, percent: PERCENT }] },
        }, lms.course.instructorId);
      }
      keys.push(course.courseKey);
    }
    // The course the records copy is not evaluated by the scheduler: only the records are.
    await CourseModel.updateOne({ courseKey: record.courseKey }, { $set: { concludedAt: new Date() } });

    const start = async (i: number) => {
      if (instances[i]?.child.exitCode === null) return;
      instances[i] = await startInstance({
        NODE_ENV: 'production', PORT: String(ports[i]), PUBLIC_URL: base, MONGODB_URI: uri, LAUREL_SECRET: secret, DATA_DIR: dir,
        SYNC_INTERVAL_MINUTES: '60', SYNC_TICK_SECONDS: '1', SYNC_CONCURRENCY: String(p.concurrency), LOG_LEVEL: 'info',
        RATE_LIMIT_LAUNCH: '0', RATE_LIMIT_REGISTRATION: '0', RATE_LIMIT_PUBLIC: '0',
      }, `http://localhost:${ports[i]}`);
    };

    /** Every course due at once for the first `n` instances (the others stopped); timed until the last is evaluated again. */
    const due = async (n: number): Promise<Throughput> => {
      await Promise.all(instances.slice(n).map((x) => stopLaurel(x.child)));
      for (let i = 0; i < n; i++) await start(i);
      const from = instances.slice(0, n).map((x) => x.lines.length);
      const watched = () => ({
        laurel: instances.slice(0, n).reduce((ms, x) => ms + cpuMs(x.child.pid!), 0),
        ...(ferretdb ? { database: cpuMs(ferretdb) } : {}),
        lms: cpuMs(emulator.pid!),
      });
      const cpuBefore = watched();
      const mark = new Date();
      await CourseModel.updateMany({ courseKey: { $in: keys } }, { $set: { lastEvaluatedAt: new Date(mark.getTime() - 2 * 3600_000) } });
      const started = performance.now();
      for (;;) {
        await new Promise((r) => setTimeout(r, 250));
        const done = await CourseModel.countDocuments({ courseKey: { $in: keys }, lastEvaluatedAt: { $gte: mark } });
        if (done === keys.length) break;
        if (performance.now() - started > 600_000) throw new Error(`the pass did not end in 10 minutes (${done} of ${keys.length} courses)`);
        const failed = instances.flatMap((x) => x.lines).find((l) => l.msg === 'background evaluation failed');
        if (failed) throw new Error(`a background evaluation failed: ${JSON.stringify(failed.err)}`);
      }
      const seconds = (performance.now() - started) / 1000;
      const cpuAfter = watched();
      // The last runs' log lines follow their database writes.
      await new Promise((r) => setTimeout(r, 500));
      const runs = instances.slice(0, n).flatMap((x, i) => x.lines.slice(from[i]).filter((l) => l.msg === 'course evaluated in the background')
        .map((l) => ({ instance: i, courseKey: l.courseKey as string, from: l.startedAt as number, to: (l.startedAt as number) + (l.ms as number) })));
      const byCourse = new Map<string, typeof runs>();
      for (const r of runs) byCourse.set(r.courseKey, [...(byCourse.get(r.courseKey) ?? []), r]);
      const overlapping = (list: typeof runs) => list.some((a, i) => list.some((b, j) => i !== j && a.from < b.to && b.from < a.to));
      return {
        instances: n, courses: keys.length, seconds, coursesPerHour: (keys.length / seconds) * 3600,
        byInstance: Array.from({ length: n }, (_, i) => runs.filter((r) => r.instance === i).length),
        evaluatedTwice: [...byCourse.values()].filter((l) => l.length > 1).length,
        twiceAtOnce: [...byCourse.values()].filter(overlapping).length,
        cpuMsPerCourse: Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, Math.round((v - cpuBefore[k as keyof typeof cpuBefore]!) / keys.length)])) as Throughput['cpuMsPerCourse'],
        peakRssMB: instances.slice(0, n).map((x) => rssMB(x.child.pid!, 'VmHWM')),
      };
    };

    phase(`first pass: ${p.courses} courses evaluated and awarded, credentials signed, by ${most} instance${most === 1 ? '' : 's'} (not measured)`);
    await due(most);
    return {
      async pass(n: number): Promise<Throughput> {
        phase(`${n} instance${n === 1 ? '' : 's'}, ${p.concurrency} courses at once each: every course due`);
        const t = await due(n);
        phase(`  ${t.seconds.toFixed(1)} s, ${t.coursesPerHour.toFixed(0)} courses/hour (${t.byInstance.join(' + ')})`);
        return t;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `npm start`'s server, its log on stdout kept line by line; ready when /healthz says so. */
async function startInstance(env: Record<string, string>, url: string): Promise<Instance> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../src/server.js', import.meta.url))], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part));
  });
  const started = Date.now();
  for (const deadline = started + 60_000; Date.now() < deadline;) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) {
      phase(`  an instance served in ${((Date.now() - started) / 1000).toFixed(1)} s (its steps in ms: ${JSON.stringify(lines.find((l) => String(l.msg).startsWith('Laurel listening'))?.startMs)})`);
      return { child, lines, url };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error(`a Laurel instance did not serve in 60 s; its last log lines: ${lines.slice(-3).map((l) => l.msg).join(' | ') || 'none'}`);
}

/** `npm run bench -- scheduler`: one instance against two, with a short report. */
export async function schedulerBenchmark(): Promise<Record<string, number | number[]>> {
  const { one, many, speedup } = await instancesSpeedup({});
  const p = DEFAULTS;
  console.log(`scheduler: ${p.courses} courses of ${p.learners} learners, ${p.activities} columns and ${BADGES} badges each, on one emulated Canvas adding ${p.latencyMs} ms to every request;`);
  console.log(`  each instance is npm start's server (a process of its own) evaluating ${p.concurrency} courses at once; every course due at once, timed until the last is evaluated again (nothing new to award)`);
  for (const t of [one, many]) {
    const cpu = t.cpuMsPerCourse;
    console.log(`  ${`${t.instances} instance${t.instances === 1 ? '' : 's'}`.padEnd(11)} ${t.seconds.toFixed(1).padStart(6)} s  ${t.coursesPerHour.toFixed(0).padStart(6)} courses/hour  (by instance ${t.byInstance.join(' + ')}; evaluated twice ${t.evaluatedTwice}, twice at once ${t.twiceAtOnce}; CPU a course: Laurel ${cpu.laurel} ms${cpu.database === undefined ? '' : `, FerretDB ${cpu.database} ms`}, LMS ${cpu.lms} ms; peak RSS ${t.peakRssMB.join(' / ')} MB)`);
  }
  console.log(`  two instances / one: ${speedup.toFixed(2)} (target ≥ 1.7: ${speedup >= 1.7 ? 'met' : 'MISSED'})`);
  return {
    courses: p.courses, learners: p.learners, latencyMs: p.latencyMs, concurrency: p.concurrency,
    oneInstanceCoursesPerHour: Math.round(one.coursesPerHour), twoInstancesCoursesPerHour: Math.round(many.coursesPerHour),
    twoInstanceSpeedup: Number(speedup.toFixed(2)), evaluatedTwice: one.evaluatedTwice + many.evaluatedTwice, twiceAtOnce: one.twiceAtOnce + many.twiceAtOnce,
    peakRssMB: Math.max(...one.peakRssMB, ...many.peakRssMB),
  };
}
