/**
 * VC-API exchanges a learner's wallet is invited to: one award's credential, for whichever
 * wallet proves its DID first, once, within minutes. The exchange's id is the capability (it is
 * the URL the wallet posts to), so the database keeps only its SHA-256 as `_id`: what a copy of
 * the database shows cannot be used to claim a badge. Every step finds the exchange by that key.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from './insertNew.js';

export type ExchangeState = 'pending' | 'completed';

export interface VcApiExchange {
  /** The award's public id and the keys of its award, to read the credential and its standing. */
  publicId: string;
  courseKey: string;
  badgeId: string;
  userId: string;
  /** What the wallet signs: sent in the presentation request, checked in the presentation. */
  challenge: string;
  expiresAt: Date;
  state: ExchangeState;
  /** The DID the credential went to, once completed. */
  holder?: string;
  completedAt?: Date;
}

const schema = new Schema<VcApiExchange & { _id: string }>({
  _id: String,
  publicId: { type: String, required: true },
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  userId: { type: String, required: true },
  challenge: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  state: { type: String, required: true, enum: ['pending', 'completed'] },
  holder: String,
  completedAt: Date,
});
// Clean-up only (the sweeper on FerretDB): every step checks `expiresAt` itself.
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const VcApiExchangeModel = mongoose.model<VcApiExchange & { _id: string }>('vcApiExchange', schema);

/** The stored key of an exchange id. */
export const exchangeKey = (exchangeId: string): string => createHash('sha256').update(exchangeId).digest('base64url');

export async function saveExchange(exchangeId: string, e: Omit<VcApiExchange, 'state'>): Promise<void> {
  await VcApiExchangeModel.create({ _id: exchangeKey(exchangeId), ...e, state: 'pending' });
}

export async function exchangeById(exchangeId: string): Promise<VcApiExchange | null> {
  return VcApiExchangeModel.findById(exchangeKey(exchangeId)).lean();
}

/**
 * An exchange's completion, kept under the exchange's key. Inserting it is what completes the
 * exchange: FerretDB runs a conditional update (`findOneAndUpdate` on `state: 'pending'`) as a
 * read then a write, so two presentations sent at once both passed one (measured here), whereas
 * only one insert of a key succeeds, on FerretDB as on MongoDB.
 */
interface Completion { holder: string; completedAt: Date; expiresAt: Date }

const completionSchema = new Schema<Completion & { _id: string }>({
  _id: String,
  holder: { type: String, required: true },
  completedAt: { type: Date, required: true },
  expiresAt: { type: Date, required: true },
});
completionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const VcApiExchangeCompletionModel = mongoose.model<Completion & { _id: string }>('vcApiExchangeCompletion', completionSchema);

/**
 * Completes the exchange for `holder`, once: false when it was completed before (or at the
 * same moment, by another presentation). The caller has checked that it is open and unexpired.
 */
export async function completeExchange(exchangeId: string, holder: string, expiresAt: Date, now = new Date()): Promise<boolean> {
  const _id = exchangeKey(exchangeId);
  try {
    await VcApiExchangeCompletionModel.create({ _id, holder, completedAt: now, expiresAt });
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
  // Said on the exchange too, so that the next request is refused at its first read.
  await VcApiExchangeModel.updateOne({ _id }, { $set: { state: 'completed', holder, completedAt: now } });
  return true;
}

/** Undoes `completeExchange` when no credential could be signed, so that the wallet may try again. */
export async function reopenExchange(exchangeId: string, holder: string): Promise<void> {
  const _id = exchangeKey(exchangeId);
  await VcApiExchangeModel.updateOne({ _id, holder }, { $set: { state: 'pending' }, $unset: { holder: 1, completedAt: 1 } });
  await VcApiExchangeCompletionModel.deleteOne({ _id, holder });
}
