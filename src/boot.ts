/**
 * Brings a whole Laurel up (database, LTI engine, indexes, sweeper, HTTP) and down again.
 * Used by `npm start`, the demo and the tests alike.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import { openDatabase, type OpenDatabase } from './store/database.js';
import { ensureIndexes, type Expiry } from './store/indexes.js';
import { startSweeper } from './store/sweeper.js';
import { createLaurel, type Laurel } from './web/app.js';
import { startScheduler } from './jobs/scheduler.js';
import { configureJobLease } from './jobs/jobRunner.js';
import { startJobResumer } from './jobs/resumeJobs.js';
import { startGradebookRetrier } from './jobs/gradebookRetry.js';
import { closeSigningPool } from './awards/signingPool.js';
import { startingUp } from './web/startingUp.js';
import { warnIfOutgrown } from './store/embeddedLimits.js';
import { configureAnnouncements } from './awards/announce.js';
import { startMessageSender, type Sender } from './messages/sender.js';
import { startRetention } from './privacy/retention/retentionPass.js';
import { resumeRemovals } from './privacy/removal/removalInBackground.js';
import { resumeErasures } from './privacy/erasure/erasureInBackground.js';

export interface Running {
  laurel: Laurel;
  database: OpenDatabase;
  server: Server;
  /** This instance's message sender (messages/sender.ts): what its background passes deliver with. */
  messageSender: Sender;
  /** The removals left unfinished at start, run to their end (privacy/removal/removalInBackground.ts): settles once they are. */
  resumedRemovals: Promise<void>;
  /** The same for erasures confirmed and not finished (privacy/erasure/erasureInBackground.ts). */
  resumedErasures: Promise<void>;
  /** Finishes requests in flight, then closes the database. */
  stop(): Promise<void>;
}

/**
 * After each full collection V8 lets the heap grow to as much as four times what survived before
 * it collects again: a server that has just evaluated a large course (some 90 MB live at its
 * peak) then carries up to 300 MB, mostly garbage, into the next. Laurel asks it to grow by a
 * fifth instead: more frequent full collections, each as short, and no slower signing or
 * evaluation as measured (bench/, issue 17). The flag is read whenever V8 sets its next limit,
 * so setting it here, before any work, holds for the whole process and its threads.
 */
function keepTheHeapNearWhatIsLive(): void {
  setFlagsFromString('--heap-growing-percent=20');
}

export async function boot(config: Config, logger: Logger): Promise<Running> {
  keepTheHeapNearWhatIsLive();
  // Listen first, answering 503 (startingUp) until everything is ready: while start-up waits
  // for the database, /healthz says so instead of the port refusing connections.
  let handle: RequestListener = startingUp;
  const server: Server = await new Promise((ok, fail) => {
    const s = createServer((req, res) => handle(req, res));
    s.once('error', fail);
    s.listen(config.port, () => ok(s));
  });
  let database: OpenDatabase | undefined;
  try {
    // Each step's milliseconds, in the line that says Laurel serves: a start that grows with the data shows there.
    const took: Record<string, number> = {};
    const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
      const from = performance.now();
      try { return await work(); } finally { took[step] = Math.round(performance.now() - from); }
    };
    database = await timed('database', () => openDatabase(config.mongodbUri, config.dataDir, logger, { connectTimeoutSeconds: config.databaseConnectTimeoutSeconds }));
    const { ferretdb, uri } = database;
    const laurel = await timed('app', () => createLaurel(config, logger, uri));
    const expiries = await timed('indexes', () => ensureIndexes({ ttl: !ferretdb }));
    handle = laurel.app;
    if (ferretdb) warnIfOutgrown(logger).catch((err) => logger.warn({ err }, 'could not count what the database holds'));
    return started(config, logger, server, database, laurel, expiries, took);
  } catch (err) {
    server.close();
    await database?.close().catch(() => {});
    throw err;
  }
}

/** The background work, once Laurel serves. */
function started(config: Config, logger: Logger, server: Server, database: OpenDatabase, laurel: Laurel, expiries: Expiry[], startMs: Record<string, number>): Running {
  const stopSweeper = database.ferretdb ? startSweeper(expiries, 60_000, (err) => logger.error({ err }, 'sweeper failed')) : () => {};
  const stopScheduler = startScheduler(config.syncIntervalMinutes, logger, { concurrency: config.syncConcurrency, tickMs: config.syncTickSeconds * 1000 });
  configureJobLease(config.jobLeaseSeconds * 1000);
  const stopResumer = startJobResumer(logger);
  const stopGradebookRetrier = startGradebookRetrier(logger);
  // Every instance ticks; one of them removes each platform's old personal data, once a day at most.
  const stopRetention = startRetention(config.retentionDays, logger);
  // Awards enqueue their messages (awards/announce.ts); every instance's sender delivers them.
  configureAnnouncements({ email: Boolean(config.messages.smtpUrl), expiryReminderDays: config.messages.expiryReminderDays, log: logger });
  const messageSender = startMessageSender(config, logger);
  // A platform's removal cut by a stop or a crash is finished now, by one instance, in the background.
  const removals = resumeRemovals(logger);
  // So is a learner's erasure.
  const erasures = resumeErasures(logger);
  logger.info({ port: config.port, startMs }, `Laurel listening on ${config.publicUrl} (port ${config.port})`);
  return {
    laurel,
    database,
    server,
    messageSender: messageSender.sender,
    resumedRemovals: removals,
    resumedErasures: erasures,
    stop: async () => {
      const closed = new Promise((ok) => server.close(ok));
      server.closeIdleConnections();
      await closed;
      stopSweeper();
      stopScheduler();
      stopResumer();
      stopGradebookRetrier();
      stopRetention();
      messageSender.stop();
      laurel.platformOrigins.stop();
      await closeSigningPool();
      await database.close();
    },
  };
}
