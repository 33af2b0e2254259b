/**
 * Access tokens of the OpenID4VCI token endpoint: opaque, short-lived, each bound to one award.
 * Only the SHA-256 of a token is stored, as its `_id`, so the credential endpoint finds it by key
 * and the database never holds a token that works. The expiry date is checked whenever a token is
 * read; the TTL index (the sweeper on FerretDB) only frees the room.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';

export interface Oid4vciAccessToken {
  /** The award's public id. */
  publicId: string;
  issuerKey: string;
  expiresAt: Date;
}

const schema = new Schema<Oid4vciAccessToken & { _id: string }>({
  _id: String,
  publicId: { type: String, required: true },
  issuerKey: { type: String, required: true },
  expiresAt: { type: Date, required: true },
}, { versionKey: false });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const Oid4vciAccessTokenModel = mongoose.model<Oid4vciAccessToken & { _id: string }>('oid4vciAccessToken', schema);

export const accessTokenKey = (token: string): string => createHash('sha256').update(token).digest('base64url');

export async function saveAccessToken(token: string, t: Oid4vciAccessToken): Promise<void> {
  await Oid4vciAccessTokenModel.create({ _id: accessTokenKey(token), ...t });
}

/** The token's grant, or null when it is unknown or expired. */
export async function accessTokenGrant(token: string, now = new Date()): Promise<Oid4vciAccessToken | null> {
  const found = await Oid4vciAccessTokenModel.findById(accessTokenKey(token), { _id: 0 }).lean();
  return found && found.expiresAt.getTime() > now.getTime() ? found : null;
}
