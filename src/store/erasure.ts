/**
 * The record of an erasure (issue 20): that one happened on a platform, when it was asked,
 * confirmed and finished, by which administrator, what the learner chose for their credentials,
 * and how many records of each kind went: never who, nor anything of them. Under a random id, which
 * the request keeps while the erasure runs, so a run cut short and run again counts into the same record.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { ERASURE_CHOICES, type ErasureChoice } from './erasureRequest.js';

export interface ErasureRecord {
  _id: string;
  issuer: string;
  clientId: string;
  choice: ErasureChoice;
  /** Who asked: the learner from their page, or an administrator on a request received otherwise. */
  requestedBy: 'learner' | 'admin';
  requestedAt: Date;
  confirmedAt: Date;
  /** The administrator's LTI user id. */
  confirmedBy: string;
  doneAt?: Date;
  /** Per kind of record (awards pseudonymised, approvals deleted…), how many. */
  counts: Record<string, number>;
}

const schema = new Schema<ErasureRecord>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  choice: { type: String, enum: ERASURE_CHOICES, required: true },
  requestedBy: { type: String, enum: ['learner', 'admin'], required: true },
  requestedAt: { type: Date, required: true },
  confirmedAt: { type: Date, required: true },
  confirmedBy: { type: String, required: true },
  doneAt: Date,
  counts: { type: Schema.Types.Mixed, default: {} },
}, { versionKey: false, minimize: false });
schema.index({ issuer: 1, clientId: 1 });

export const ErasureRecordModel = mongoose.model<ErasureRecord>('erasure', schema);

export const newErasureId = () => randomBytes(16).toString('base64url');

/** Created once: a second call with the same id leaves the first as it is. */
export async function openErasureRecord(r: Omit<ErasureRecord, 'counts' | 'doneAt'>): Promise<void> {
  await ErasureRecordModel.updateOne({ _id: r._id }, { $setOnInsert: { ...r, counts: {} } }, { upsert: true })
    .catch((err: { code?: number }) => { if (err.code !== 11000) throw err; });
}

/** Adds what one pass erased: a pass cut short and run again adds what the first one left. */
export async function addErasureCounts(id: string, counts: Record<string, number>): Promise<void> {
  const $inc = Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => [`counts.${k}`, n]));
  if (Object.keys($inc).length) await ErasureRecordModel.updateOne({ _id: id }, { $inc });
}

export async function closeErasureRecord(id: string, now = new Date()): Promise<ErasureRecord | null> {
  await ErasureRecordModel.updateOne({ _id: id, doneAt: { $exists: false } }, { $set: { doneAt: now } });
  return ErasureRecordModel.findById(id).lean();
}

/** The platform's erasures, newest first (the admin page). */
export async function erasuresOf(r: { issuer: string; clientId: string }, limit = 50): Promise<ErasureRecord[]> {
  const found = await ErasureRecordModel.find({ issuer: r.issuer, clientId: r.clientId }).lean();
  return found.sort((a, b) => b.confirmedAt.getTime() - a.confirmedAt.getTime()).slice(0, limit);
}
