/**
 * `npm start`: read the configuration, open the database, serve Laurel, and shut down
 * gracefully on SIGTERM / SIGINT (finish requests in flight, close the database).
 */
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { createLogger } from './log.js';
import { DatabaseUnavailable } from './store/database.js';
import { boot } from './boot.js';

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
  const running = await boot(config, logger).catch((err) => {
    if (!(err instanceof DatabaseUnavailable)) throw err;
    logger.fatal(err.message);
    console.error(`Laurel database error: ${err.message}`);
    process.exit(3);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    setTimeout(() => { logger.error('shutdown took over 10 s; exiting'); process.exit(1); }, 10_000).unref();
    running.stop().then(() => {
      logger.info('shutdown complete');
      process.exit(0);
    }, (err) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  console.error('Laurel failed to start:', err);
  process.exit(1);
});
