/**
 * Brings a whole Laurel up (database, LTI engine, indexes, sweeper, HTTP) and down again.
 * Used by `npm start`, the demo and the tests alike.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { openDatabase, type OpenDatabase } from './store/database.js';
import { ensureIndexes } from './store/indexes.js';
import { startSweeper } from './store/sweeper.js';
import { createLaurel, type Laurel } from './web/app.js';
import { startScheduler } from './jobs/scheduler.js';
import { configureJobLease } from './jobs/jobRunner.js';
import { startJobResumer } from './jobs/resumeJobs.js';
import { closeSigningPool } from './awards/signingPool.js';

export interface Running {
  laurel: Laurel;
  database: OpenDatabase;
  server: Server;
  /** Finishes requests in flight, then closes the database. */
  stop(): Promise<void>;
}

export async function boot(config: Config, logger: Logger): Promise<Running> {
  const database = await openDatabase(config.mongodbUri, config.dataDir, logger);
  const laurel = await createLaurel(config, logger, database.uri);
  const expiries = await ensureIndexes({ ttl: !database.ferretdb });
  const stopSweeper = database.ferretdb ? startSweeper(expiries, 60_000, (err) => logger.error({ err }, 'sweeper failed')) : () => {};
  const stopScheduler = startScheduler(config.syncIntervalMinutes, logger);
  configureJobLease(config.jobLeaseSeconds * 1000);
  const stopResumer = startJobResumer(logger);
  const server: Server = await new Promise((ok, fail) => {
    const s = laurel.app.listen(config.port, () => ok(s));
    s.once('error', fail);
  });
  logger.info({ port: config.port }, `Laurel listening on ${config.publicUrl} (port ${config.port})`);
  return {
    laurel,
    database,
    server,
    stop: async () => {
      const closed = new Promise((ok) => server.close(ok));
      server.closeIdleConnections();
      await closed;
      stopSweeper();
      stopScheduler();
      stopResumer();
      laurel.platformOrigins.stop();
      await closeSigningPool();
      await database.close();
    },
  };
}
