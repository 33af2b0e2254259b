/**
 * The real process, as `npm start` runs it (dist/, built by `npm test` before vitest).
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../src/store/localFerret.js';

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

  it('exits with a clear message when MONGODB_URI points at no server', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'laurel-start-'));
    const p = start({ PORT: String(port), DATA_DIR: dir, MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/laurel` });
    expect(await p.exited).toBe(3);
    expect(p.err()).toMatch(/^Laurel database error: cannot reach the database at mongodb:\/\/127\.0\.0\.1:\d+\/laurel: .*Check MONGODB_URI/m);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

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
