/**
 * One mongoose connection for Laurel and ltijs alike (ltijs uses mongoose's default
 * connection, and npm resolves both to the same mongoose), so there is one pool.
 */
import mongoose from 'mongoose';

// Indexes are created by ensureIndexes() at start, not by mongoose on model compile:
// mongoose would also create ltijs's TTL indexes, which FerretDB rejects.
mongoose.set('autoIndex', false);
mongoose.set('strictQuery', true);

/** How long one attempt waits for the server; also every later operation's limit while it is away. */
const ATTEMPT_MS = 10_000;

/** Pauses between attempts: 1 s, 2 s, 4 s … then every 15 s. */
function pauseAfter(attempt: number): number {
  return Math.min(15_000, 1000 * 2 ** (attempt - 1));
}

/** Errors that trying again cannot mend: a malformed connection string, refused credentials. */
function isFinal(err: unknown): boolean {
  const e = err as { name?: string; code?: number; codeName?: string };
  return e.name === 'MongoParseError' || e.name === 'MongoInvalidArgumentError' || e.code === 18 || e.codeName === 'AuthenticationFailed';
}

export interface FailedAttempt { attempt: number; error: Error; retryInMs: number }

export class ConnectFailed extends Error {
  constructor(readonly attempts: number, readonly last: Error) { super(last.message); }
}

/**
 * Connects, and when the server does not answer tries again with growing pauses for up to
 * `retryForMs` (a database may start after Laurel, as under docker compose), then gives up
 * with the last error. 0 tries once.
 */
export async function connectDatabase(uri: string, o: { retryForMs?: number; onRetry?: (f: FailedAttempt) => void } = {}): Promise<void> {
  const deadline = Date.now() + (o.retryForMs ?? 0);
  for (let attempt = 1; ; attempt++) {
    try {
      await mongoose.connect(uri, { serverSelectionTimeoutMS: ATTEMPT_MS, connectTimeoutMS: ATTEMPT_MS });
      return;
    } catch (err) {
      const retryInMs = Math.min(pauseAfter(attempt), deadline - Date.now());
      if (retryInMs <= 0 || isFinal(err)) throw new ConnectFailed(attempt, err as Error);
      o.onRetry?.({ attempt, error: err as Error, retryInMs });
      await new Promise((wake) => setTimeout(wake, retryInMs));
    }
  }
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

/** True when the server is FerretDB (no TTL indexes there: the sweeper deletes expired documents). */
export async function isFerretDB(): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('database not connected');
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info || JSON.stringify(info).toLowerCase().includes('ferretdb');
}

/** For /healthz: a round trip to the server. */
export async function pingDatabase(): Promise<boolean> {
  try {
    const db = mongoose.connection.db;
    if (!db || mongoose.connection.readyState !== 1) return false;
    await db.admin().command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}
