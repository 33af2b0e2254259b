/**
 * Nonces of accepted id_tokens, kept until the token expires, so no id_token launches twice.
 * Each is kept under a key made of its issuer and nonce, so the check-and-store is one atomic
 * insert and a replay's check one lookup.
 */
import { createHash } from 'node:crypto';
import { isDuplicateKey } from './insertNew.js';
import mongoose, { Schema } from 'mongoose';

interface UsedNonce {
  issuer: string;
  nonce: string;
  expiresAt: Date;
}

const schema = new Schema<UsedNonce & { _id: string }>({
  _id: String,
  issuer: { type: String, required: true },
  nonce: { type: String, required: true },
  expiresAt: { type: Date, required: true },
});
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const usedNonceKey = (issuer: string, nonce: string): string => createHash('sha256').update(JSON.stringify([issuer, nonce])).digest('base64url').slice(0, 32);

schema.pre('validate', function keyed() { this._id ??= usedNonceKey(this.issuer, this.nonce); });

export const UsedNonceModel = mongoose.model<UsedNonce & { _id: string }>('usedNonce', schema);

/** Returns false when the nonce was already used. */
export async function useNonce(issuer: string, nonce: string, expiresAt: Date): Promise<boolean> {
  try {
    await UsedNonceModel.create({ _id: usedNonceKey(issuer, nonce), issuer, nonce, expiresAt });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function isNonceUsed(issuer: string, nonce: string): Promise<boolean> {
  return (await UsedNonceModel.exists({ _id: usedNonceKey(issuer, nonce) })) !== null;
}
