/**
 * The c_nonces of the OpenID4VCI nonce endpoint, which a wallet signs into its proof of key:
 * each is its own `_id`, used once (taken with findOneAndDelete, so a replayed proof finds
 * nothing), and short-lived. The expiry date is checked when a nonce is taken; the TTL index
 * (the sweeper on FerretDB) only frees the room.
 */
import mongoose, { Schema } from 'mongoose';

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

/** True when the nonce was ours, for this issuer, unused and unexpired; it is used from then on. */
export async function takeNonce(nonce: string, issuerKey: string, now = new Date()): Promise<boolean> {
  const found = await Oid4vciNonceModel.findOneAndDelete({ _id: nonce }).lean();
  return !!found && found.issuerKey === issuerKey && found.expiresAt.getTime() > now.getTime();
}
