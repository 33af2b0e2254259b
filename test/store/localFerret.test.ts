/**
 * The embedded FerretDB (local runs, tests, CI) when its process dies: a CI run once lost the
 * suite's FerretDB early on and every later test file was refused. It is started again on the
 * same port and files, and says why it stopped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startLocalFerret, type LocalDatabase } from '../../src/store/localFerret.js';

/** The FerretDB processes listening on `port`, found as `ps` would: by their command line. */
function ferretPids(port: number): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`--listen-addr=127.0.0.1:${port}\0`); } catch { return false; }
  }).map(Number);
}

async function eventually<T>(read: () => Promise<T>, ms = 40_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try { return await read(); } catch (err) { if (Date.now() > deadline) throw err; }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the embedded FerretDB', () => {
  let db: LocalDatabase | undefined;
  let dir = '';
  afterEach(async () => { await db?.stop(); rmSync(dir, { recursive: true, force: true }); vi.restoreAllMocks(); });

  it('is started again on the same port with the data written before, when its process is killed, and says so', async () => {
    dir = mkdtempSync(join(tmpdir(), 'laurel-ferret-'));
    db = await startLocalFerret(dir, { database: 'kept' });
    const port = Number(new URL(db.uri).port);
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = new MongoClient(db.uri);
    await before.db().collection('things').insertOne({ _id: 'one' as never, n: 1 });
    await before.close();

    const [first, ...others] = ferretPids(port);
    expect(others).toEqual([]);
    process.kill(first, 'SIGKILL');

    const after = new MongoClient(db.uri, { serverSelectionTimeoutMS: 2_000 });
    try {
      expect(await eventually(() => after.db().collection('things').findOne({ _id: 'one' as never }))).toEqual({ _id: 'one', n: 1 });
    } finally { await after.close(); }
    expect(ferretPids(port)).toEqual([expect.any(Number)]);
    expect(ferretPids(port)).not.toContain(first);
    expect(said).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`^FerretDB on port ${port} exited unexpectedly \\(code null, signal SIGKILL\\); starting it again`)));
  }, 60_000);

  it('is not started again after stop()', async () => {
    dir = mkdtempSync(join(tmpdir(), 'laurel-ferret-'));
    db = await startLocalFerret(dir);
    const port = Number(new URL(db.uri).port);
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    await db.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(ferretPids(port)).toEqual([]);
    expect(said).not.toHaveBeenCalled();
    db = undefined;
  }, 60_000);
});
