/**
 * A badge's "Badge: <name>" column in the LMS grade book: what it should be (present with this
 * label, or removed), the line item once made, and whether the LMS is in step. One per badge of
 * a course; the column of a deleted badge stays here until the LMS has removed it too.
 */
import mongoose, { Schema } from 'mongoose';
import { nextAttemptAfter, writeTrackingSchema, type WriteFailure, type WriteTracking } from './gradebookWrite.js';

export interface BadgeColumn extends WriteTracking {
  courseKey: string;
  badgeId: string;
  /** What the LMS should call it. */
  label: string;
  wanted: 'present' | 'removed';
  /** The line item's URL once made (or found by its resourceId). */
  lineItemUrl?: string;
  /** The label the LMS has, as last written. */
  labelWritten?: string;
  /** Canvas: the column's assignment is left out of the final grade (omit_from_final_grade). */
  omitted?: boolean;
  /** Why the column could not be left out of the course total, when Laurel tried and could not (courseTotal.ts's OmitProblem), and the LMS's words. */
  omitProblem?: string;
  omitDetail?: string;
}

const schema = new Schema<BadgeColumn>({
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  label: { type: String, required: true },
  wanted: { type: String, enum: ['present', 'removed'], required: true },
  lineItemUrl: String,
  labelWritten: String,
  omitted: Boolean,
  omitProblem: String,
  omitDetail: String,
  ...writeTrackingSchema,
});
schema.index({ courseKey: 1, badgeId: 1 }, { unique: true });
schema.index({ state: 1, nextAttemptAt: 1 });

export const BadgeColumnModel = mongoose.model<BadgeColumn>('badgeColumn', schema);

const keyOf = (c: Pick<BadgeColumn, 'courseKey' | 'badgeId'>) => ({ courseKey: c.courseKey, badgeId: c.badgeId });

export async function columnOf(courseKey: string, badgeId: string): Promise<BadgeColumn | null> {
  return BadgeColumnModel.findOne({ courseKey, badgeId }).lean();
}

export async function columnsOf(courseKey: string): Promise<BadgeColumn[]> {
  return BadgeColumnModel.find({ courseKey }).lean();
}

/** The column should exist with this label: a change only when it is not so already. */
export async function wantColumn(courseKey: string, badgeId: string, label: string, now = new Date()): Promise<void> {
  const known = await columnOf(courseKey, badgeId);
  if (known && known.wanted === 'present' && known.label === label) return;
  await BadgeColumnModel.updateOne({ courseKey, badgeId }, {
    $set: { label, wanted: 'present', state: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now },
    $unset: { failure: 1 },
    $inc: { version: 1 },
  }, { upsert: true });
}

/** The column should go (badge deleted, option unticked). `known`: the badge had the option, so a column may exist that Laurel has no record of. */
export async function wantColumnRemoved(courseKey: string, badgeId: string, label: string, known: boolean, now = new Date()): Promise<void> {
  const existing = await columnOf(courseKey, badgeId);
  if (!existing && !known) return;
  if (existing?.wanted === 'removed') return;
  await BadgeColumnModel.updateOne({ courseKey, badgeId }, {
    $set: { wanted: 'removed', state: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now },
    $setOnInsert: { label },
    $unset: { failure: 1 },
    $inc: { version: 1 },
  }, { upsert: true });
}

/**
 * Columns Laurel could not leave out of the course total are written again now (the Canvas
 * connection changed, and may now allow it); answers how many.
 */
export async function retryLeavingOut(courseKey: string, now = new Date()): Promise<number> {
  const res = await BadgeColumnModel.updateMany(
    { courseKey, wanted: 'present', state: 'written', omitted: { $ne: true }, omitProblem: { $exists: true } },
    { $set: { state: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now }, $inc: { version: 1 } },
  );
  return res.modifiedCount;
}

/** Columns with something to write now. */
export async function dueColumns(courseKey: string, now = new Date()): Promise<BadgeColumn[]> {
  return BadgeColumnModel.find({ courseKey, state: { $in: ['pending', 'failing'] }, nextAttemptAt: { $lte: now } }).lean();
}

/** The LMS now shows version `version` of the column; false when it changed meanwhile. */
export async function columnWritten(c: BadgeColumn, change: Partial<BadgeColumn>, now = new Date()): Promise<boolean> {
  const res = await BadgeColumnModel.updateOne({ ...keyOf(c), version: c.version }, { $set: { ...change, state: 'written', attempts: 0, updatedAt: now }, $unset: { failure: 1, nextAttemptAt: 1 } });
  if (res.matchedCount === 0 && Object.keys(change).length) await BadgeColumnModel.updateOne(keyOf(c), { $set: change }); // what the LMS has stays true
  return res.matchedCount === 1;
}

/** Facts about the LMS's column learned along the way (its URL, its label there, its place in the total). */
export async function noteColumn(c: Pick<BadgeColumn, 'courseKey' | 'badgeId'>, change: Partial<BadgeColumn>, unset: (keyof BadgeColumn)[] = []): Promise<void> {
  await BadgeColumnModel.updateOne(keyOf(c), { $set: change, ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, 1])) } : {}) });
}

export async function columnFailed(c: BadgeColumn, failure: WriteFailure, now = new Date()): Promise<void> {
  const attempts = c.attempts + 1;
  await BadgeColumnModel.updateOne({ ...keyOf(c), version: c.version }, { $set: { state: 'failing', attempts, nextAttemptAt: nextAttemptAfter(attempts, now), failure, updatedAt: now } });
}

/** The LMS has no such column any more (removed as asked): the record goes. */
export async function forgetColumn(c: BadgeColumn): Promise<boolean> {
  return (await BadgeColumnModel.deleteOne({ ...keyOf(c), version: c.version })).deletedCount === 1;
}

/** Courses with column or score writes due, for the retrier. */
export async function coursesWithDueColumns(now: Date): Promise<string[]> {
  const found = await BadgeColumnModel.find({ state: { $in: ['pending', 'failing'] }, nextAttemptAt: { $lte: now } }, { courseKey: 1 }).limit(500).lean();
  return [...new Set(found.map((c) => c.courseKey))];
}
