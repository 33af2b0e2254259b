/**
 * Which badge of a course was brought from which badge of an earlier course (next term). The
 * copy's id is derived from the two courses and the earlier badge, so bringing the same badges
 * twice, or from two Laurel instances at once, meets the badge's own unique key (course, id)
 * and creates each once; this record lets an old "Badge: …" column, which names the earlier
 * badge, find its copy by key.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from './insertNew.js';

export interface BadgeCopy {
  _id: string;
  courseKey: string;
  badgeId: string;
  sourceCourseKey: string;
  sourceBadgeId: string;
}

const schema = new Schema<BadgeCopy>({
  _id: String,
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  sourceCourseKey: { type: String, required: true },
  sourceBadgeId: { type: String, required: true },
}, { versionKey: false });

export const BadgeCopyModel = mongoose.model<BadgeCopy>('badgeCopy', schema);

const copyKey = (courseKey: string, sourceBadgeId: string) => `${courseKey} ${sourceBadgeId}`;

/** The id the copy of `sourceBadgeId` has in `courseKey`: the same every time, 16 characters like any badge id. */
export function copiedBadgeId(courseKey: string, sourceCourseKey: string, sourceBadgeId: string): string {
  return createHash('sha256').update(JSON.stringify([courseKey, sourceCourseKey, sourceBadgeId])).digest('base64url').slice(0, 16);
}

/** Idempotent: two writers at once may both try to insert, and the loser's record is the winner's. */
export async function recordBadgeCopies(courseKey: string, sourceCourseKey: string, ids: ReadonlyMap<string, string>): Promise<void> {
  await Promise.all([...ids].map(([sourceBadgeId, badgeId]) => BadgeCopyModel.updateOne(
    { _id: copyKey(courseKey, sourceBadgeId) },
    { $set: { courseKey, badgeId, sourceCourseKey, sourceBadgeId } },
    { upsert: true },
  ).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  })));
}

/** The badge of this course brought from `sourceBadgeId`, if it was. */
export async function copyOfBadge(courseKey: string, sourceBadgeId: string): Promise<string | undefined> {
  return (await BadgeCopyModel.findById(copyKey(courseKey, sourceBadgeId), { badgeId: 1 }).lean())?.badgeId;
}
