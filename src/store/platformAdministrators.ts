/**
 * The people a Laurel administrator made administrators of their platform, by LMS user id
 * (Canvas's own user id, as in its URLs /users/123; Moodle's user id): Canvas calls every
 * account-level role an institution Administrator, so the role alone grants nothing
 * platform-wide there (lti/laurelAdministrator.ts). One document per platform, found by key.
 */
import mongoose, { Schema } from 'mongoose';
import { registrationKey } from './auditLog.js';
import type { Registration } from './issuerProfile.js';

interface GrantDocument { _id: string; userIds: string[]; updatedAt?: Date; updatedBy?: string }

const schema = new Schema<GrantDocument>({
  _id: { type: String, required: true },
  userIds: { type: [String], default: [] },
  updatedAt: Date,
  updatedBy: String,
});

export const PlatformAdministratorsModel = mongoose.model<GrantDocument>('platformAdministrators', schema);

/** An LMS user id as typed: digits, letters and the few signs ids use; nothing else reaches the store. */
export function parseLmsUserId(raw: string | undefined): string | undefined {
  const text = (raw ?? '').trim();
  return /^[A-Za-z0-9._:@-]{1,128}$/.test(text) ? text : undefined;
}

export async function grantedAdministrators(r: Registration): Promise<string[]> {
  const found = await PlatformAdministratorsModel.findById(registrationKey(r), { userIds: 1 }).lean();
  return found?.userIds ?? [];
}

/** True when it changed something (the id was not granted before). */
export async function grantAdministrator(r: Registration, userId: string, by: string): Promise<boolean> {
  const before = await grantedAdministrators(r);
  if (before.includes(userId)) return false;
  await PlatformAdministratorsModel.updateOne({ _id: registrationKey(r) }, { $addToSet: { userIds: userId }, $set: { updatedAt: new Date(), updatedBy: by } }, { upsert: true });
  return true;
}

/** True when it changed something (the id was granted). */
export async function revokeAdministrator(r: Registration, userId: string, by: string): Promise<boolean> {
  const before = await grantedAdministrators(r);
  if (!before.includes(userId)) return false;
  await PlatformAdministratorsModel.updateOne({ _id: registrationKey(r) }, { $pull: { userIds: userId }, $set: { updatedAt: new Date(), updatedBy: by } });
  return true;
}
