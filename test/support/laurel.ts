/**
 * Starts a real Laurel for a test file: real HTTP on a free port, the test FerretDB (a database
 * of its own), logs kept in memory so tests can read why something was refused.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import mongoose from 'mongoose';
import { loadConfig, type Config } from '../../config/index.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/store/localFerret.js';
import { boot, type Running } from '../../src/boot.js';
import { testDatabaseUri } from './database.js';

export { testDatabaseUri };

export interface RunningLaurel {
  url: string;
  config: Config;
  running: Running;
  logs: Record<string, unknown>[];
  /** Log lines whose reason or message is this. */
  logged(reason: string): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startLaurel(env: Record<string, string> = {}): Promise<RunningLaurel> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test', PORT: String(port), LAUREL_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'info',
    MONGODB_URI: testDatabaseUri(), ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line)); done(); } });
  // LOG_LEVEL in env sets what is kept (info unless a test asks, e.g. debug to search every line).
  const running = await boot(config, createLogger(env.LOG_LEVEL ?? 'info', sink));
  return {
    url: config.publicUrl,
    config,
    running,
    logs,
    logged: (reason) => logs.filter((l) => l.reason === reason || l.msg === reason),
    close: async () => {
      running.server.closeAllConnections();
      await mongoose.connection.db?.dropDatabase().catch(() => {});
      await running.stop();
    },
  };
}
