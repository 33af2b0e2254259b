/**
 * Leases in the database, so two Laurel instances never run the same course at once. A lease
 * is one document per name, taken with one atomic write; a crashed holder's lease simply
 * runs out.
 */
import { randomBytes } from 'node:crypto';
import { isDuplicateKey } from './insertNew.js';
import mongoose, { Schema } from 'mongoose';

interface Lease {
  name: string;
  holder: string;
  until: Date;
}

const schema = new Schema<Lease>({
  name: { type: String, required: true },
  holder: { type: String, required: true },
  until: { type: Date, required: true },
});
schema.index({ name: 1 }, { unique: true });

export const LeaseModel = mongoose.model<Lease>('lease', schema);

/** This process's identity as a lease holder. */
export const INSTANCE_ID = `${process.pid}-${randomBytes(6).toString('hex')}`;

/** Takes (or renews) the lease; false when another holder's lease is still running. */
export async function takeLease(name: string, ms: number, holder = INSTANCE_ID, now = new Date()): Promise<boolean> {
  try {
    const taken = await LeaseModel.findOneAndUpdate(
      { name, $or: [{ until: { $lt: now } }, { holder }] },
      { $set: { name, holder, until: new Date(now.getTime() + ms) } },
      { upsert: true, new: true },
    ).lean();
    return taken?.holder === holder;
  } catch (err) {
    // The lease exists and is another's: the upsert tried to insert a second one.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function releaseLease(name: string, holder = INSTANCE_ID): Promise<void> {
  await LeaseModel.deleteOne({ name, holder });
}
