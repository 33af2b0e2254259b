/**
 * OpenID4VCI credential offers waiting for a wallet: one award, a pre-authorized code, maybe a
 * transaction code (tx_code) the learner types into the wallet. Neither code is stored: the offer
 * sits under the SHA-256 of its pre-authorized code, so the token endpoint finds it by key, and
 * keeps the SHA-256 of the code and tx_code together, so the stored hash tells nothing of the six
 * digits without the code. An offer is taken once (findOneAndDelete), and spent after three wrong
 * tx_codes. The expiry date is checked whenever an offer is read; the TTL index (the sweeper on
 * FerretDB) only frees the room.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';

export interface Oid4vciOffer {
  /** The award's public id (the issued credential's key). */
  publicId: string;
  issuerKey: string;
  /** SHA-256 of the code and the tx_code, when the offer asks for one. */
  txCodeHash?: string;
  wrongTxCodes: number;
  expiresAt: Date;
}

/** Wrong tx_codes an offer takes before it is spent. */
export const MAX_WRONG_TX_CODES = 3;

const schema = new Schema<Oid4vciOffer & { _id: string }>({
  _id: String,
  publicId: { type: String, required: true },
  issuerKey: { type: String, required: true },
  txCodeHash: String,
  wrongTxCodes: { type: Number, required: true, default: 0 },
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
    _id: offerKey(o.preAuthorizedCode), publicId: o.publicId, issuerKey: o.issuerKey, wrongTxCodes: 0, expiresAt: o.expiresAt,
    ...(o.txCode !== undefined ? { txCodeHash: txCodeHashOf(o.preAuthorizedCode, o.txCode) } : {}),
  });
}

export async function findOffer(preAuthorizedCode: string): Promise<Oid4vciOffer | null> {
  return Oid4vciOfferModel.findById(offerKey(preAuthorizedCode), { _id: 0 }).lean();
}

/**
 * Takes the offer, once, when the tx_code is its own (or it asks for none) and it is not spent:
 * null when another request took it first or the tx_code is wrong.
 */
export async function takeOffer(preAuthorizedCode: string, txCode: string | undefined): Promise<Oid4vciOffer | null> {
  const filter = {
    _id: offerKey(preAuthorizedCode),
    txCodeHash: txCode === undefined ? { $exists: false } : txCodeHashOf(preAuthorizedCode, txCode),
    wrongTxCodes: { $lt: MAX_WRONG_TX_CODES },
  };
  return Oid4vciOfferModel.findOneAndDelete(filter).lean(); // no projection: FerretDB's findAndModify takes none
}

/** Counts a wrong tx_code; the offer is deleted at the last one allowed. Answers how many tries are left. */
export async function countWrongTxCode(preAuthorizedCode: string): Promise<number> {
  const _id = offerKey(preAuthorizedCode);
  const counted = await Oid4vciOfferModel.findOneAndUpdate({ _id }, { $inc: { wrongTxCodes: 1 } }, { new: true }).lean();
  const left = counted ? Math.max(0, MAX_WRONG_TX_CODES - counted.wrongTxCodes) : 0;
  if (counted && left === 0) await Oid4vciOfferModel.deleteOne({ _id });
  return left;
}

