/**
 * The real process, as `npm start` runs it (dist/, built by `npm test` before vitest).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startLocalFerret } from '../../src/store/localFerret.js';

const server = resolve(__dirname, '../../dist/src/server.js');

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [server], { env: { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** Laurel's JSON log lines (stdout). */
function logLines(out: string): { msg: string; level: number }[] {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out');
}

describe('starting Laurel', () => {
  it('stops at once with one line naming a bad variable', async () => {
    const p = start({ PORT: 'abc' });
    expect(await p.exited).toBe(2);
    expect(p.err().trim()).toBe('Laurel configuration error: PORT must be a whole number from 1 to 65535 (got "abc")');
  });

  it('tries again while the database does not answer, answering /healthz with 503, then exits with a clear message that hides the password', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'laurel-start-'));
    const p = start({ PORT: String(port), DATA_DIR: dir, MONGODB_URI: `mongodb://laurel:hunter2-password@127.0.0.1:${await freePort()}/laurel`, DATABASE_CONNECT_TIMEOUT_SECONDS: '12' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 503, 10_000);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'starting', database: 'unreachable' });
    expect((await fetch(`http://127.0.0.1:${port}/course`)).status).toBe(503);
    expect(await p.exited).toBe(3);
    const attempts = logLines(p.out()).filter((l) => /^database not reachable/.test(l.msg));
    expect(attempts.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^database not reachable at mongodb:\/\/laurel:\*\*\*@127\.0\.0\.1:\d+\/laurel \(attempt 1\): .*ECONNREFUSED.*; trying again in 1 s, and no more once 12 s have passed \(DATABASE_CONNECT_TIMEOUT_SECONDS\)$/),
    ]);
    expect(p.err()).toMatch(/^Laurel database error: cannot reach the database at mongodb:\/\/laurel:\*\*\*@127\.0\.0\.1:\d+\/laurel after 2 attempts over \d+ s: .*Check MONGODB_URI/m);
    expect(p.out() + p.err()).not.toContain('hunter2');
    rmSync(dir, { recursive: true, force: true });
  }, 45_000);

  it('with DATABASE_CONNECT_TIMEOUT_SECONDS=0 tries once and says how to make it wait', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'laurel-start-'));
    const p = start({ PORT: String(await freePort()), DATA_DIR: dir, MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/laurel`, DATABASE_CONNECT_TIMEOUT_SECONDS: '0' });
    expect(await p.exited).toBe(3);
    expect(logLines(p.out()).filter((l) => /^database not reachable/.test(l.msg))).toEqual([]);
    expect(p.err()).toMatch(/^Laurel database error: cannot reach the database at mongodb:\/\/127\.0\.0\.1:\d+\/laurel: .*Check MONGODB_URI and that the server is running \(DATABASE_CONNECT_TIMEOUT_SECONDS makes Laurel wait for it\)\.$/m);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('comes up once a database that was down at start begins to answer', async () => {
    const port = await freePort();
    const dbPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'laurel-start-'));
    const p = start({ PORT: String(port), DATA_DIR: dir, MONGODB_URI: `mongodb://127.0.0.1:${dbPort}/laurel`, DATABASE_CONNECT_TIMEOUT_SECONDS: '120' });
    await waitFor(async () => p.out().includes('(attempt 1)'), 20_000);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(503);
    const db = await startLocalFerret(join(dir, 'db'), { port: dbPort });
    try {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000);
      expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toEqual({ status: 'ok', database: 'ok' });
      expect(logLines(p.out()).map((l) => l.msg)).toContain(`Laurel listening on http://localhost:${port} (port ${port})`);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    } finally {
      p.child.kill('SIGKILL');
      await db.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('uses a local FerretDB when MONGODB_URI is unset, says so, serves /healthz, and shuts down gracefully', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'laurel-start-'));
    const p = start({ PORT: String(port), DATA_DIR: dir });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, 60_000);
    const firstLines = p.out().split('\n').slice(0, 3).join('\n');
    expect(firstLines).toContain(`database: local FerretDB under ${dir} (MONGODB_URI is unset)`);
    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    expect(health).toEqual({ status: 'ok', database: 'ok' });
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('shutdown complete');
    rmSync(dir, { recursive: true, force: true });
  }, 90_000);
});
