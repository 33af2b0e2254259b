/**
 * Badge images uploaded by instructors, already checked and cleaned by
 * credentials/badgeImageUpload. Stored by content: the _id is the SHA-256 of the bytes, so an
 * image is never changed once stored, a credential that names it shows it for good, and
 * uploading the same picture twice stores one. A badge points at its current image by hash
 * (store/badge.ts); older images stay, because signed credentials name them.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import type { BadgeImageMediaType, CheckedBadgeImage } from '../credentials/badgeImageUpload.js';
import { insertNew } from './insertNew.js';

export interface StoredBadgeImage extends CheckedBadgeImage {
  /** Hex SHA-256 of `bytes`: the image's id. */
  sha256: string;
  createdAt: Date;
  /** LTI user id of the instructor who first uploaded it. */
  createdBy: string;
}

type Stored = Omit<StoredBadgeImage, 'sha256'> & { _id: string };

const schema = new Schema<Stored>({
  _id: { type: String, required: true },
  mediaType: { type: String, enum: ['image/png', 'image/svg+xml'] satisfies BadgeImageMediaType[], required: true },
  bytes: { type: Buffer, required: true },
  width: { type: Number, required: true },
  height: { type: Number, required: true },
  createdAt: { type: Date, required: true },
  createdBy: { type: String, required: true },
}, { versionKey: false });

export const BadgeImageModel = mongoose.model<Stored>('badgeImage', schema);

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Stores the image unless the same bytes are stored already; answers its id (the hash). */
export async function storeBadgeImage(image: CheckedBadgeImage, by: string, now = new Date()): Promise<string> {
  const sha256 = createHash('sha256').update(image.bytes).digest('hex');
  await insertNew(BadgeImageModel, [{ _id: sha256, mediaType: image.mediaType, bytes: image.bytes, width: image.width, height: image.height, createdAt: now, createdBy: by }]);
  return sha256;
}

export async function badgeImageBySha(sha256: string): Promise<StoredBadgeImage | null> {
  if (!SHA256_HEX.test(sha256)) return null;
  const found = await BadgeImageModel.findById(sha256).lean();
  if (!found) return null;
  const { _id, bytes, ...rest } = found;
  // Lean reads hand back BSON Binary, not a Buffer.
  const raw = bytes as unknown as Buffer | { buffer: Uint8Array };
  return { ...rest, sha256: _id, bytes: Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer) };
}
