/**
 * Claims to make one write: how Laurel picks a single winner among requests or instances racing
 * for the same thing (a lease, a stalled job, an offer, a nonce). FerretDB 1.24 runs a
 * conditional write (findOneAndUpdate, findOneAndDelete, updateOne with a condition) as a read
 * then a write, so several requests sent at once all pass its condition and all "win" (measured:
 * up to 12 of 20 instances took one expired lease). Inserting a key succeeds once, on FerretDB as
 * on MongoDB: whoever inserts the claim of a thing in a given state is the one who may change it.
 *
 * A claim is kept until `expiresAt`, then swept (TTL on MongoDB, the sweeper on FerretDB). A claim
 * only ever refuses, and each caller keys it so that a swept one cannot be claimed again while
 * it still matters (the state it names is gone, or has expired itself).
 */
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from './insertNew.js';

interface WriteClaim { _id: string; expiresAt: Date }

const schema = new Schema<WriteClaim>({
  _id: String,
  expiresAt: { type: Date, required: true },
}, { versionKey: false });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const WriteClaimModel = mongoose.model<WriteClaim>('writeClaim', schema);

/** True for the one caller that claims `key`; false for every other, then or later. */
export async function claimOnce(key: string, expiresAt: Date): Promise<boolean> {
  try {
    await WriteClaimModel.create({ _id: key, expiresAt });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
