/**
 * Starts a real Laurel for a test file: real HTTP on a free port, the test FerretDB (a database
 * of its own), logs kept in memory so tests can read why something was refused.
 */
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import { loadConfig, type Config } from '../../config/index.js';
import { createLogger } from '../../src/log.js';
import { connectDatabase } from '../../src/store/connect.js';
import { ensureIndexes } from '../../src/store/indexes.js';
import { freePort } from '../../src/store/localFerret.js';
import { createLaurel } from '../../src/web/app.js';

export interface RunningLaurel {
  url: string;
  config: Config;
  logs: Record<string, unknown>[];
  /** Log lines whose message or reason matches. */
  logged(reason: string): Record<string, unknown>[];
  close(): Promise<void>;
}

export function testDatabaseUri(): string {
  const base = process.env.LAUREL_TEST_MONGODB_URI;
  if (!base) throw new Error('LAUREL_TEST_MONGODB_URI is not set: run the tests with vitest (test/support/globalSetup.ts)');
  return base.replace(/\/[^/]*$/, `/t${randomBytes(6).toString('hex')}`);
}

export async function startLaurel(env: Record<string, string> = {}): Promise<RunningLaurel> {
  const port = await freePort();
  const uri = testDatabaseUri();
  const config = loadConfig({ NODE_ENV: 'test', PORT: String(port), LAUREL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'info', ...env });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line)); done(); } });
  const logger = createLogger('info', sink);
  await connectDatabase(uri);
  const laurel = await createLaurel(config, logger, uri);
  await ensureIndexes({ ttl: false });
  const server: Server = await new Promise((ok) => { const s = laurel.app.listen(port, '127.0.0.1', () => ok(s)); });
  return {
    url: config.publicUrl,
    config,
    logs,
    logged: (reason) => logs.filter((l) => l.reason === reason || l.msg === reason),
    close: async () => {
      laurel.platformOrigins.stop();
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
      await mongoose.connection.db?.dropDatabase().catch(() => {});
      await mongoose.disconnect();
    },
  };
}
