/**
 * Leases in the database, so two Laurel instances never run the same course at once. A lease
 * is one document under its name, taken or renewed by whoever wins it; a crashed holder's lease
 * simply runs out.
 *
 * Every change of a lease is single-winner without relying on a conditional update (FerretDB's
 * is a read then a write: store/writeClaim.ts). A new lease is an insert of its name. A lease
 * that exists carries a random `version`, new at each change: renewing it (its holder) or
 * taking it over (anyone, once it ran out) or releasing it first claims that version, so of all
 * who read one version exactly one changes it.
 */
import { randomBytes } from 'node:crypto';
import { isDuplicateKey } from './insertNew.js';
import { claimOnce } from './writeClaim.js';
import mongoose, { Schema } from 'mongoose';

interface Lease {
  /** The lease's name. */
  _id: string;
  holder: string;
  until: Date;
  version: string;
}

const schema = new Schema<Lease>({
  _id: String,
  holder: { type: String, required: true },
  until: { type: Date, required: true },
  version: { type: String, required: true },
}, { versionKey: false });

// A collection of its own: earlier versions kept leases in `leases` under ObjectIds, with a unique
// index on `name` that documents keyed by their name would break.
export const LeaseModel = mongoose.model<Lease>('leaseHold', schema);

/** This process's identity as a lease holder. */
export const INSTANCE_ID = `${process.pid}-${randomBytes(6).toString('hex')}`;

const newVersion = () => randomBytes(9).toString('base64url');

/**
 * Wins the one change of the lease from `version`. The claim is kept long past anyone who read
 * that version; and each write checks the version still, so a claim swept early undoes nothing.
 */
const CLAIM_KEPT_MS = 10 * 60_000;
const claimVersion = (name: string, version: string, now: Date) => claimOnce(`lease ${name} ${version}`, new Date(now.getTime() + CLAIM_KEPT_MS));

/** Takes (or renews) the lease; false when another holder's lease is still running, or another took it at the same moment. */
export async function takeLease(name: string, ms: number, holder = INSTANCE_ID, now = new Date()): Promise<boolean> {
  const until = new Date(now.getTime() + ms);
  // Again when the lease went or came between the read and the write (released, or taken anew).
  for (let attempt = 0; attempt < 3; attempt++) {
    const lease = await LeaseModel.findById(name).lean();
    if (!lease) {
      try {
        await LeaseModel.create({ _id: name, holder, until, version: newVersion() });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        continue;
      }
    }
    // Its holder renews it; once it ran out, anyone may take it (its holder too, if nobody did).
    if (lease.holder !== holder && lease.until.getTime() >= now.getTime()) return false;
    if (!(await claimVersion(name, lease.version, now))) return false;
    const written = await LeaseModel.updateOne({ _id: name, version: lease.version }, { $set: { holder, until, version: newVersion() } });
    return written.matchedCount === 1;
  }
  return false;
}

export async function releaseLease(name: string, holder = INSTANCE_ID, now = new Date()): Promise<void> {
  const lease = await LeaseModel.findById(name).lean();
  if (!lease || lease.holder !== holder) return;
  if (await claimVersion(name, lease.version, now)) await LeaseModel.deleteOne({ _id: name, version: lease.version });
}

/**
 * Runs `work` while holding the lease, renewed every third of `ms` until it ends, then released;
 * `{ ran: false }` when another holder has it. Renewals are chained and awaited before the
 * release: never two writes to the lease at once (FerretDB can stall on concurrent updates of one
 * document). A renewal or the release that fails goes to `onLeaseError`, and the work's outcome
 * stands: a lease its holder can no longer write runs out on its own.
 */
export async function underLease<T>(name: string, ms: number, work: () => Promise<T>, onLeaseError: (err: unknown) => void = () => {}): Promise<{ ran: true; value: T } | { ran: false }> {
  if (!(await takeLease(name, ms))) return { ran: false };
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = setInterval(() => { renewing = renewing.then(() => takeLease(name, ms)).catch(onLeaseError); }, ms / 3);
  renew.unref();
  try {
    return { ran: true, value: await work() };
  } finally {
    clearInterval(renew);
    await renewing;
    await releaseLease(name).catch(onLeaseError);
  }
}
