/**
 * One mongoose connection for Laurel and ltijs alike (ltijs uses mongoose's default
 * connection, and npm resolves both to the same mongoose), so there is one pool.
 */
import mongoose from 'mongoose';

// Indexes are created by ensureIndexes() at start, not by mongoose on model compile:
// mongoose would also create ltijs's TTL indexes, which FerretDB rejects.
mongoose.set('autoIndex', false);
mongoose.set('strictQuery', true);

export async function connectDatabase(uri: string): Promise<typeof mongoose> {
  return mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, connectTimeoutMS: 10_000 });
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
