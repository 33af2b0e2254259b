/**
 * The c_nonces of the OpenID4VCI nonce endpoint, which a wallet signs into its proof of key:
 * each is its own `_id`, used once, and short-lived. Using one is a claim (store/writeClaim.ts):
 * FerretDB's findOneAndDelete is a read then a delete, and let up to 11 of 20 requests sent at
 * once use one nonce. The expiry date is checked when a nonce is taken; the TTL indexes (the
 * sweeper on FerretDB) only free the room.
 */
import mongoose, { Schema } from 'mongoose';
import { claimOnce } from './writeClaim.js';

export interface Oid4vciNonce {
  issuerKey: string;
  expiresAt: Date;
}

const schema = new Schema<Oid4vciNonce & { _id: string }>({
  _id: String,
  issuerKey: { type: String, required: true },
  expiresAt: { type: Date, required: true },
}, { versionKey: false });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const Oid4vciNonceModel = mongoose.model<Oid4vciNonce & { _id: string }>('oid4vciNonce', schema);

export async function saveNonce(nonce: string, n: Oid4vciNonce): Promise<void> {
  await Oid4vciNonceModel.create({ _id: nonce, ...n });
}

/**
 * True when the nonce was ours, for this issuer, unused and unexpired; it is used from then on,
 * whatever the answer. The claim is kept until the nonce expires, after which it is refused anyway.
 */
export async function takeNonce(nonce: string, issuerKey: string, now = new Date()): Promise<boolean> {
  const found = await Oid4vciNonceModel.findById(nonce).lean();
  if (!found || !(await claimOnce(`oid4vciNonce ${nonce}`, found.expiresAt))) return false;
  await Oid4vciNonceModel.deleteOne({ _id: nonce });
  return found.issuerKey === issuerKey && found.expiresAt.getTime() > now.getTime();
}
