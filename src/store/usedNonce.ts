/**
 * Nonces of accepted id_tokens, kept until the token expires, so no id_token launches twice.
 * The unique index makes the check-and-store one atomic insert.
 */
import { isDuplicateKey } from './insertNew.js';
import mongoose, { Schema } from 'mongoose';

interface UsedNonce {
  issuer: string;
  nonce: string;
  expiresAt: Date;
}

const schema = new Schema<UsedNonce>({
  issuer: { type: String, required: true },
  nonce: { type: String, required: true },
  expiresAt: { type: Date, required: true },
});
schema.index({ issuer: 1, nonce: 1 }, { unique: true });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const UsedNonceModel = mongoose.model<UsedNonce>('usedNonce', schema);

/** Returns false when the nonce was already used. */
export async function useNonce(issuer: string, nonce: string, expiresAt: Date): Promise<boolean> {
  try {
    await UsedNonceModel.create({ issuer, nonce, expiresAt });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function isNonceUsed(issuer: string, nonce: string): Promise<boolean> {
  return (await UsedNonceModel.exists({ issuer, nonce })) !== null;
}
