/**
 * The processes a benchmark runs beside it and reads: Laurel as `npm start` runs it, the
 * emulated LMS, FerretDB (found by its state folder), their memory; and the two operations the
 * load benchmarks repeat, in parallel.
 */
import { randomBytes } from 'node:crypto';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startLocalFerret } from '../src/store/localFerret.js';
import { connectDatabase, disconnectDatabase } from '../src/store/connect.js';
import { ensureIndexes } from '../src/store/indexes.js';
import { configureSealing } from '../src/secrets/sealed.js';
import { setupProvider } from '../src/lti/provider.js';
import type { EmulatorInfo } from './emulatorProcess.js';

/** The emulated Canvas with a course of `learners`, in a process of its own (emulatorProcess.ts). */
export function startEmulatorProcess(laurelUrl: string, learners: number, activities: number) {
  const child = fork(fileURLToPath(new URL('./emulatorProcess.js', import.meta.url)), [String(learners), String(activities), '100', '0', laurelUrl]);
  const info = new Promise<EmulatorInfo>((ok, fail) => { child.once('message', (m) => ok(m as EmulatorInfo)); child.once('exit', (code) => fail(new Error(`the emulator exited (${code})`))); });
  return { child, info };
}

/**
 * A load benchmark's platform: FerretDB in a folder of its own, the emulated Canvas with a course
 * of `learners`, the database set up as `npm run platform` leaves it (ltijs, which keeps the
 * platforms; indexes; sealing), and the environment `npm start` gets: production, rate limits
 * off (all the load comes from one address), no background sync.
 */
export async function startBenchPlatform(o: { folder: string; learners: number; activities: number }) {
  const dir = mkdtempSync(join(tmpdir(), o.folder));
  const db = await startLocalFerret(dir);
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const secret = randomBytes(32).toString('hex');
  const emulator = startEmulatorProcess(base, o.learners, o.activities);
  const stop = async () => {
    await disconnectDatabase().catch(() => {});
    emulator.child.disconnect();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await connectDatabase(db.uri);
    await setupProvider({ secret, mongodbUri: db.uri, publicUrl: base, beforeValidation: () => {} });
    await ensureIndexes({ ttl: false });
    configureSealing(secret);
  } catch (err) {
    await stop();
    throw err;
  }
  const env = {
    NODE_ENV: 'production', PORT: String(port), PUBLIC_URL: base, MONGODB_URI: db.uri, LAUREL_SECRET: secret, DATA_DIR: dir,
    SYNC_INTERVAL_MINUTES: '0', LOG_LEVEL: 'error', RATE_LIMIT_LAUNCH: '0', RATE_LIMIT_REGISTRATION: '0', RATE_LIMIT_PUBLIC: '0',
  };
  return { dir, db, base, secret, emulator, env, stop };
}

/** `npm start`'s server (dist/src/server.js), ready when /healthz says so. */
export async function startLaurel(env: Record<string, string>, url: string): Promise<ChildProcess> {
  // BENCH_LAUREL_NODE_ARGS: e.g. --cpu-prof, to see where Laurel's time goes.
  const nodeArgs = (process.env.BENCH_LAUREL_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, fileURLToPath(new URL('../src/server.js', import.meta.url))], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env }, stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return child;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('Laurel did not start');
}

/** The process's memory now or at its most (VmRSS, VmHWM; Linux), read before it ends. */
export function rssMB(pid: number, which: 'VmRSS' | 'VmHWM'): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${which}:\\s+(\\d+) kB`));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** FerretDB's process, found by the folder it was started with (localFerret.ts keeps its child to itself). */
export function ferretdbPid(dir: string): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`--state-dir=${dir}\0`)) return Number(entry);
    } catch { /* ended meanwhile */ }
  }
  return undefined;
}

/** Stops Laurel as a deployment does (SIGTERM), and waits for it to be gone. */
export async function stopLaurel(laurel: ChildProcess | undefined): Promise<void> {
  if (!laurel || laurel.exitCode !== null) return;
  const exited = new Promise((ok) => laurel.once('exit', ok));
  laurel.kill('SIGTERM');
  await exited;
}

/** Opens a badge's public verification page from a share link, as an employer does; throws unless it says valid. */
export async function verifyPage(base: string, id: string): Promise<void> {
  const res = await fetch(`${base}/verify/${id}?via=share`, { headers: { accept: 'text/html' } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`the verification page answered ${res.status}: ${text.slice(0, 200)}`);
  if (!text.includes('status-valid')) throw new Error('the verification page does not say valid');
}

/** `fn` over every item, `workers` at a time; the first failure stops it. */
export async function eachBy<T>(workers: number, items: T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: workers }, async () => { while (next < items.length) await fn(items[next++]!); }));
}
