/**
 * Opens Laurel's database: MongoDB at MONGODB_URI, or, when it is unset, a local FerretDB
 * with its data under DATA_DIR. Then creates indexes, with expiry done by a sweeper where the
 * server has no TTL indexes.
 */
import type { Logger } from 'pino';
import { join } from 'node:path';
import { connectDatabase, disconnectDatabase, isFerretDB } from './connect.js';
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

export async function openDatabase(mongodbUri: string | undefined, dataDir: string, logger: Logger): Promise<OpenDatabase> {
  const local = mongodbUri ? undefined : await startLocalFerret(join(dataDir));
  const uri = mongodbUri ?? local!.uri;
  const description = local ? `local FerretDB under ${dataDir} (MONGODB_URI is unset)` : `MongoDB at ${redactUri(uri)}`;
  logger.info({ database: description }, `database: ${description}`);
  try {
    await connectDatabase(uri);
  } catch (err) {
    await local?.stop();
    throw new DatabaseUnavailable(`cannot reach the database at ${redactUri(uri)}: ${(err as Error).message}. Check MONGODB_URI and that the server is running.`);
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
