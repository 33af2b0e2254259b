/**
 * OpenID4VCI credential offers waiting for a wallet: one award, a pre-authorized code, maybe a
 * transaction code (tx_code) the learner types into the wallet. Neither code is stored: the offer
 * sits under the SHA-256 of its pre-authorized code, so the token endpoint finds it by key, and
 * keeps the SHA-256 of the code and tx_code together, so the stored hash tells nothing of the six
 * digits without the code. An offer is taken once, and tried with three tx_codes at most, however
 * many requests arrive at once: each try and the taking are claims (store/writeClaim.ts), since a
 * conditional delete or increment is not single-winner on FerretDB (measured: up to 11 of 20
 * requests got a token for one code, and twenty guesses sent together were all judged). The
 * expiry date is checked whenever an offer is read; the TTL indexes of offers and claims (the
 * sweeper on FerretDB) only free the room.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { claimOnce } from './writeClaim.js';

export interface Oid4vciOffer {
  /** The award's public id (the issued credential's key). */
  publicId: string;
  issuerKey: string;
  /** SHA-256 of the code and the tx_code, when the offer asks for one. */
  txCodeHash?: string;
  expiresAt: Date;
}

/** Tries of a tx_code an offer takes: three wrong ones spend it. */
export const MAX_TX_CODE_TRIES = 3;

const schema = new Schema<Oid4vciOffer & { _id: string }>({
  _id: String,
  publicId: { type: String, required: true },
  issuerKey: { type: String, required: true },
  txCodeHash: String,
  expiresAt: { type: Date, required: true },
}, { versionKey: false });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const Oid4vciOfferModel = mongoose.model<Oid4vciOffer & { _id: string }>('oid4vciOffer', schema);

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** The offer's `_id`: the SHA-256 of its pre-authorized code. */
export const offerKey = (preAuthorizedCode: string): string => sha256(preAuthorizedCode);

const txCodeHashOf = (preAuthorizedCode: string, txCode: string) => sha256(`${preAuthorizedCode}\n${txCode}`);

export async function saveOffer(o: { preAuthorizedCode: string; txCode?: string; publicId: string; issuerKey: string; expiresAt: Date }): Promise<void> {
  await Oid4vciOfferModel.create({
    _id: offerKey(o.preAuthorizedCode), publicId: o.publicId, issuerKey: o.issuerKey, expiresAt: o.expiresAt,
    ...(o.txCode !== undefined ? { txCodeHash: txCodeHashOf(o.preAuthorizedCode, o.txCode) } : {}),
  });
}

export async function findOffer(preAuthorizedCode: string): Promise<Oid4vciOffer | null> {
  return Oid4vciOfferModel.findById(offerKey(preAuthorizedCode), { _id: 0 }).lean();
}

export type Redemption =
  | { taken: true }
  /** The tx_code was wrong; `left` more may be tried (none: the offer is spent). */
  | { wrongTxCode: { left: number } }
  /** Taken by another request, or its tries are spent: this request's code was not judged. */
  | { gone: true };

/**
 * Redeems the offer, as `findOffer` read it, once. With a tx_code, each try is counted before it
 * is judged (the n-th try claims "try n"), so guesses sent together get three judged in all, and
 * the third wrong one deletes the offer. The right code (or none, when the offer asks for none)
 * then claims the offer itself: one request takes it. The claims are kept until the offer
 * expires, after which the token endpoint refuses it anyway.
 */
export async function redeemOffer(preAuthorizedCode: string, offer: Oid4vciOffer, txCode: string | undefined): Promise<Redemption> {
  const _id = offerKey(preAuthorizedCode);
  if (offer.txCodeHash !== undefined) {
    let tried = 0;
    for (let n = 1; n <= MAX_TX_CODE_TRIES && !tried; n++) if (await claimOnce(`oid4vciOffer ${_id} try ${n}`, offer.expiresAt)) tried = n;
    if (!tried) return { gone: true };
    if (txCode === undefined || txCodeHashOf(preAuthorizedCode, txCode) !== offer.txCodeHash) {
      if (tried === MAX_TX_CODE_TRIES) await Oid4vciOfferModel.deleteOne({ _id });
      return { wrongTxCode: { left: MAX_TX_CODE_TRIES - tried } };
    }
  }
  if (!(await claimOnce(`oid4vciOffer ${_id}`, offer.expiresAt))) return { gone: true };
  await Oid4vciOfferModel.deleteOne({ _id });
  return { taken: true };
}
