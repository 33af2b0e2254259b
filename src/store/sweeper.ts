/**
 * Deletes expired documents where the database has no TTL indexes (FerretDB 1.24).
 * Safe to run on several instances at once: deleting an expired document twice is a no-op.
 */
import mongoose from 'mongoose';
import type { Expiry } from './indexes.js';

export async function sweepExpired(expiries: Expiry[], now = new Date()): Promise<number> {
  let deleted = 0;
  for (const { model, field, afterSeconds } of expiries) {
    const cutoff = new Date(now.getTime() - afterSeconds * 1000);
    const result = await mongoose.model(model).deleteMany({ [field]: { $lt: cutoff } });
    deleted += result.deletedCount ?? 0;
  }
  return deleted;
}

export function startSweeper(expiries: Expiry[], everyMs = 60_000, onError: (err: unknown) => void = () => {}): () => void {
  const timer = setInterval(() => { sweepExpired(expiries).catch(onError); }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
