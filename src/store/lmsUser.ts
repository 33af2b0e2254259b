/**
 * A person's own user id in the LMS (Canvas `$Canvas.user.id`), learned from their launches, so
 * that what the Canvas REST API says about user 1042 reaches the roster's member with that LTI
 * user id. Moodle needs none: its LTI user id is its own user id.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { upsertOnce } from './insertNew.js';

export interface LmsUser {
  _id: string;
  issuer: string;
  clientId: string;
  userId: string;
  lmsUserId: string;
}

const schema = new Schema<LmsUser>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  userId: { type: String, required: true },
  lmsUserId: { type: String, required: true },
});
schema.index({ issuer: 1, clientId: 1 });

export const LmsUserModel = mongoose.model<LmsUser>('lmsUser', schema);

/** One person on one platform (registration): the _id of what Laurel keeps per person. */
export const personKey = (issuer: string, clientId: string, userId: string) => createHash('sha256').update(JSON.stringify([issuer, clientId, userId])).digest('base64url').slice(0, 32);

/** Idempotent: each launch says it again. */
export async function recordLmsUserId(issuer: string, clientId: string, userId: string, lmsUserId: string): Promise<void> {
  const _id = personKey(issuer, clientId, userId);
  await upsertOnce(() => LmsUserModel.updateOne({ _id }, { $set: { issuer, clientId, userId, lmsUserId } }, { upsert: true }));
}

/** One person's LMS user id, if a launch of theirs carried it. */
export async function lmsUserIdOf(issuer: string, clientId: string, userId: string): Promise<string | undefined> {
  return (await LmsUserModel.findById(personKey(issuer, clientId, userId), { lmsUserId: 1 }).lean())?.lmsUserId;
}

/** LTI user id → LMS user id, for everyone of the platform who launched Laurel. */
export async function lmsUserIdsOf(issuer: string, clientId: string): Promise<Map<string, string>> {
  const found = await LmsUserModel.find({ issuer, clientId }, { _id: 0, userId: 1, lmsUserId: 1 }).lean();
  return new Map(found.map((u) => [u.userId, u.lmsUserId]));
}
