/**
 * A learner's request that Laurel erase what it holds about them on one platform (issue 20),
 * waiting for an administrator: one per person and registration, under the person key, so the
 * learner's page finds theirs by key and asking twice keeps one; the admin page lists its
 * platform's by the (issuer, clientId) index. The name is kept only so the administrator knows
 * whom they erase; the request goes when it is declined, cancelled, or the erasure is done.
 */
import mongoose, { Schema } from 'mongoose';
import { personKey } from './lmsUser.js';

/** What becomes of the learner's credentials: kept valid, or revoked. */
export const ERASURE_CHOICES = ['keep', 'revoke'] as const;
export type ErasureChoice = (typeof ERASURE_CHOICES)[number];

/** Whether a form's value is one of the choices. */
export const isErasureChoice = (value: unknown): value is ErasureChoice => (ERASURE_CHOICES as readonly unknown[]).includes(value);

export interface ErasureRequest {
  /** The person key: also the id the admin page's buttons name. */
  _id: string;
  issuer: string;
  clientId: string;
  userId: string;
  /** The learner's name as the launch that asked gave it (or their user id when it gave none). */
  name: string;
  /** Keep their credentials valid, or revoke them. */
  choice: ErasureChoice;
  requestedAt: Date;
  /** Who asked: the learner from their page, or an administrator on the learner's behalf. */
  by: 'learner' | 'admin';
  /** Set when an administrator confirmed it: the erasure's record (store/erasure.ts), so a run cut short is finished under the same record. */
  erasureId?: string;
  confirmedAt?: Date;
  /** The administrator who confirmed it, so an erasure resumed at start is recorded as theirs (gone with the request). */
  confirmedBy?: { userId: string; name: string };
}

const schema = new Schema<ErasureRequest>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  userId: { type: String, required: true },
  name: { type: String, required: true },
  choice: { type: String, enum: ERASURE_CHOICES, required: true },
  requestedAt: { type: Date, required: true },
  by: { type: String, enum: ['learner', 'admin'], required: true },
  erasureId: String,
  confirmedAt: Date,
  confirmedBy: { _id: false, userId: String, name: String },
}, { versionKey: false });
schema.index({ issuer: 1, clientId: 1 });
// The confirmed ones whose erasure is not finished, which a start resumes; only they have an erasureId.
schema.index({ erasureId: 1 }, { sparse: true });

export const ErasureRequestModel = mongoose.model<ErasureRequest>('erasureRequest', schema);

interface Person { issuer: string; clientId: string; userId: string }

/** The learner asks (again: the latest choice stands, the first date stays). A request already confirmed is not changed. */
export async function requestErasure(p: Person, o: { name: string; choice: ErasureChoice; by: 'learner' | 'admin' }, now = new Date()): Promise<ErasureRequest> {
  const _id = personKey(p.issuer, p.clientId, p.userId);
  await ErasureRequestModel.updateOne(
    { _id, erasureId: { $exists: false } },
    { $set: { issuer: p.issuer, clientId: p.clientId, userId: p.userId, name: o.name, choice: o.choice, by: o.by }, $setOnInsert: { requestedAt: now } },
    { upsert: true },
  ).catch((err: { code?: number }) => { if (err.code !== 11000) throw err; }); // confirmed meanwhile: left as it is
  return (await ErasureRequestModel.findById(_id).lean())!;
}

export async function erasureRequestOf(p: Person): Promise<ErasureRequest | null> {
  return ErasureRequestModel.findById(personKey(p.issuer, p.clientId, p.userId)).lean();
}

export async function erasureRequestById(id: string): Promise<ErasureRequest | null> {
  return ErasureRequestModel.findById(id).lean();
}

/** The learner changed their mind, or an administrator declined: true when a pending request went. */
export async function dropPendingRequest(id: string): Promise<boolean> {
  return (await ErasureRequestModel.deleteOne({ _id: id, erasureId: { $exists: false } })).deletedCount === 1;
}

/** The platform's requests, oldest first: pending ones, and confirmed ones whose erasure did not finish. */
export async function erasureRequestsOf(r: { issuer: string; clientId: string }): Promise<ErasureRequest[]> {
  const found = await ErasureRequestModel.find({ issuer: r.issuer, clientId: r.clientId }).lean();
  return found.sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
}

/** Confirmed under this erasure record, once: a second confirmation finds the first record. */
export async function markConfirmed(id: string, erasureId: string, by: { userId: string; name: string }, now = new Date()): Promise<string | undefined> {
  await ErasureRequestModel.updateOne({ _id: id, erasureId: { $exists: false } }, { $set: { erasureId, confirmedAt: now, confirmedBy: by } });
  return (await ErasureRequestModel.findById(id, { erasureId: 1 }).lean())?.erasureId;
}

/** Every confirmed request whose erasure did not finish, on every platform (at start: a handful at most). */
export async function unfinishedErasureRequests(): Promise<ErasureRequest[]> {
  // A range on the index (every erasure id is a non-empty string): MongoDB reads only those entries.
  return ErasureRequestModel.find({ erasureId: { $gt: '' } }).lean();
}

/** The erasure is done: the request, and the name it held, go. */
export async function forgetRequest(id: string): Promise<void> {
  await ErasureRequestModel.deleteOne({ _id: id });
}
