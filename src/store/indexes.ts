/**
 * Creates every model's indexes (Laurel's and ltijs's) at start. Where the server has no
 * TTL indexes (FerretDB), a TTL index becomes a plain index and the sweeper does expiry.
 * First, documents stored before their collection was keyed move under their key (rekey.ts).
 */
import mongoose from 'mongoose';
import { rekeyStoredRecords } from './rekey.js';

export interface Expiry {
  model: string;
  field: string;
  /** Seconds after the field's date; 0 means the field itself is the expiry date. */
  afterSeconds: number;
}

export async function ensureIndexes(opts: { ttl: boolean }): Promise<Expiry[]> {
  await rekeyStoredRecords();
  const expiries: Expiry[] = [];
  for (const name of mongoose.modelNames()) {
    const model = mongoose.model(name);
    await model.createCollection().catch((err: { codeName?: string }) => {
      if (err.codeName !== 'NamespaceExists') throw err;
    });
    for (const [fields, options] of model.schema.indexes()) {
      const { expireAfterSeconds, expires, ...rest } = options as Record<string, unknown> & { expireAfterSeconds?: number; expires?: number | string };
      const ttl = expireAfterSeconds ?? (typeof expires === 'number' ? expires : undefined);
      if (ttl !== undefined) expiries.push({ model: name, field: Object.keys(fields)[0], afterSeconds: ttl });
      await model.collection.createIndex(fields as Record<string, 1 | -1>, ttl !== undefined && opts.ttl ? { ...rest, expireAfterSeconds: ttl } : rest);
    }
  }
  return expiries;
}
