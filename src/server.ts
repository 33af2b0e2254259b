/**
 * `npm start`: read the configuration, open the database, serve Laurel, and shut down
 * gracefully on SIGTERM / SIGINT (finish requests in flight, close the database).
 */
import type { Server } from 'node:http';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createLogger } from './log.js';
import { openDatabase, DatabaseUnavailable } from './store/database.js';
import { ensureIndexes } from './store/indexes.js';
import { startSweeper } from './store/sweeper.js';
import { createLaurel } from './web/app.js';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Laurel configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  logger.info({ publicUrl: config.publicUrl, registrationMode: config.registrationMode, nodeEnv: config.nodeEnv }, 'Laurel starting');

  let database;
  try {
    database = await openDatabase(config.mongodbUri, config.dataDir, logger);
  } catch (err) {
    if (err instanceof DatabaseUnavailable) {
      logger.fatal(err.message);
      console.error(`Laurel database error: ${err.message}`);
      process.exit(3);
    }
    throw err;
  }
  const laurel = await createLaurel(config, logger, database.uri);
  const expiries = await ensureIndexes({ ttl: !database.ferretdb });
  const stopSweeper = database.ferretdb ? startSweeper(expiries, 60_000, (err) => logger.error({ err }, 'sweeper failed')) : () => {};

  const server: Server = laurel.app.listen(config.port, () => {
    logger.info({ port: config.port }, `Laurel listening on ${config.publicUrl} (port ${config.port})`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => { logger.error('shutdown took over 10 s; exiting'); process.exit(1); }, 10_000);
    force.unref();
    server.close(async () => {
      stopSweeper();
      laurel.platformOrigins.stop();
      await database.close();
      logger.info('shutdown complete');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error('Laurel failed to start:', err);
  process.exit(1);
});
