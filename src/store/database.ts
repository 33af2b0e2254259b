/**
 * Opens Laurel's database: MongoDB at MONGODB_URI, or, when it is unset, a local FerretDB
 * with its data under DATA_DIR. Then creates indexes, with expiry done by a sweeper where the
 * server has no TTL indexes.
 */
import type { Logger } from 'pino';
import { join } from 'node:path';
import { ConnectFailed, connectDatabase, disconnectDatabase, isFerretDB } from './connect.js';
import { startLocalFerret } from './localFerret.js';

export interface OpenDatabase {
  uri: string;
  description: string;
  ferretdb: boolean;
  close(): Promise<void>;
}

export class DatabaseUnavailable extends Error {}

/** The URI without its password, for logs. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/**
 * `connectTimeoutSeconds` (DATABASE_CONNECT_TIMEOUT_SECONDS): how long to keep starting new
 * attempts at a server that does not answer (each waits up to 10 s), one log line per failed
 * attempt; 0 tries once.
 */
export async function openDatabase(mongodbUri: string | undefined, dataDir: string, logger: Logger, o: { connectTimeoutSeconds?: number } = {}): Promise<OpenDatabase> {
  const local = mongodbUri ? undefined : await startLocalFerret(join(dataDir));
  const uri = mongodbUri ?? local!.uri;
  const where = redactUri(uri);
  const description = local ? `local FerretDB under ${dataDir} (MONGODB_URI is unset)` : `MongoDB at ${where}`;
  logger.info({ database: description }, `database: ${description}`);
  const timeout = o.connectTimeoutSeconds ?? 0;
  const started = Date.now();
  try {
    await connectDatabase(uri, {
      retryForMs: timeout * 1000,
      onRetry: ({ attempt, error, retryInMs }) => logger.warn({ database: where, attempt },
        `database not reachable at ${where} (attempt ${attempt}): ${redactUri(error.message)}; trying again in ${Math.ceil(retryInMs / 1000)} s, and no more once ${timeout} s have passed (DATABASE_CONNECT_TIMEOUT_SECONDS)`),
    });
  } catch (err) {
    await local?.stop();
    const attempts = err instanceof ConnectFailed ? err.attempts : 1;
    throw new DatabaseUnavailable(`cannot reach the database at ${where}${attempts > 1 ? ` after ${attempts} attempts over ${Math.round((Date.now() - started) / 1000)} s` : ''}: ${redactUri((err as Error).message)}. `
      + `Check MONGODB_URI and that the server is running${timeout > 0 ? '' : ' (DATABASE_CONNECT_TIMEOUT_SECONDS makes Laurel wait for it)'}.`);
  }
  const ferretdb = await isFerretDB();
  return {
    uri,
    description,
    ferretdb,
    close: async () => {
      await disconnectDatabase();
      await local?.stop();
    },
  };
}
