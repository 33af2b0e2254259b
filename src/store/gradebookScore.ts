/**
 * A learner's score in a badge's "Badge:" column: earned (a full score, with the verification
 * link) or cleared (revoked), and whether the LMS shows it yet. One per badge and learner of a
 * course, so asking twice for the same thing writes it once.
 */
import mongoose, { Schema } from 'mongoose';
import { nextAttemptAfter, writeTrackingSchema, type WriteFailure, type WriteTracking } from './gradebookWrite.js';

export interface GradebookScore extends WriteTracking {
  courseKey: string;
  badgeId: string;
  /** LTI user id. */
  userId: string;
  /** The award whose credential the comment links to. */
  awardId: string;
  wanted: 'earned' | 'cleared';
}

const schema = new Schema<GradebookScore>({
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  userId: { type: String, required: true },
  awardId: { type: String, required: true },
  wanted: { type: String, enum: ['earned', 'cleared'], required: true },
  ...writeTrackingSchema,
});
schema.index({ courseKey: 1, badgeId: 1, userId: 1 }, { unique: true });
schema.index({ state: 1, nextAttemptAt: 1 });

export const GradebookScoreModel = mongoose.model<GradebookScore>('gradebookScore', schema);

type Key = Pick<GradebookScore, 'courseKey' | 'badgeId' | 'userId'>;
const keyOf = (s: Key) => ({ courseKey: s.courseKey, badgeId: s.badgeId, userId: s.userId });
const toWrite = (now: Date) => ({ state: 'pending' as const, attempts: 0, nextAttemptAt: now, updatedAt: now });

/**
 * These awards' scores should be in the grade book. Idempotent: a score already asked for (or
 * written) for the same award is left as it is.
 */
export async function wantScores(courseKey: string, earned: { badgeId: string; userId: string; awardId: string }[], now = new Date()): Promise<number> {
  if (!earned.length) return 0;
  const known = await GradebookScoreModel.find({ courseKey, badgeId: { $in: [...new Set(earned.map((e) => e.badgeId))] }, userId: { $in: earned.map((e) => e.userId) } }).lean();
  const byKey = new Map(known.map((s) => [`${s.badgeId} ${s.userId}`, s]));
  const changed = earned.filter((e) => {
    const s = byKey.get(`${e.badgeId} ${e.userId}`);
    return !s || s.wanted !== 'earned' || s.awardId !== e.awardId;
  });
  if (!changed.length) return 0;
  await GradebookScoreModel.bulkWrite(changed.map((e) => ({
    updateOne: {
      filter: { courseKey, badgeId: e.badgeId, userId: e.userId },
      update: { $set: { awardId: e.awardId, wanted: 'earned', ...toWrite(now) }, $unset: { failure: 1 }, $inc: { version: 1 } },
      upsert: true,
    },
  })), { ordered: false });
  return changed.length;
}

/** The learner's score should go (the award was revoked); nothing when none was ever asked for. */
export async function wantCleared(courseKey: string, badgeId: string, userId: string, now = new Date()): Promise<boolean> {
  const key = { courseKey, badgeId, userId };
  // A score the LMS refused was never written: nothing to clear there.
  await GradebookScoreModel.updateOne({ ...key, wanted: 'earned', state: 'refused' }, { $set: { wanted: 'cleared', state: 'written', updatedAt: now }, $unset: { failure: 1 }, $inc: { version: 1 } });
  const res = await GradebookScoreModel.updateOne({ ...key, wanted: 'earned' }, { $set: { wanted: 'cleared', ...toWrite(now) }, $unset: { failure: 1 }, $inc: { version: 1 } });
  return res.modifiedCount === 1;
}

/** Scores to write now in a course. */
export async function dueScores(courseKey: string, now = new Date()): Promise<GradebookScore[]> {
  return GradebookScoreModel.find({ courseKey, state: { $in: ['pending', 'failing'] }, nextAttemptAt: { $lte: now } }).lean();
}

/** Every score of a badge's column is to be written again (the column was made anew). */
export async function rewriteScoresOf(courseKey: string, badgeId: string, now = new Date()): Promise<void> {
  await GradebookScoreModel.deleteMany({ courseKey, badgeId, wanted: 'cleared' }); // a new column has nothing to clear
  await GradebookScoreModel.updateMany({ courseKey, badgeId }, { $set: toWrite(now), $unset: { failure: 1 }, $inc: { version: 1 } });
}

/** Every score not written yet (refused ones too) is tried now: an instructor's "Evaluate now". */
export async function retryUnwrittenScores(courseKey: string, now = new Date()): Promise<number> {
  return (await GradebookScoreModel.updateMany({ courseKey, state: { $in: ['failing', 'refused'] } }, { $set: toWrite(now), $inc: { version: 1 } })).modifiedCount;
}

/** The LMS shows this version of the score; false when it changed meanwhile (written next). */
export async function scoreWritten(s: GradebookScore, now = new Date()): Promise<boolean> {
  const res = await GradebookScoreModel.updateOne({ ...keyOf(s), version: s.version }, { $set: { state: 'written', attempts: 0, updatedAt: now }, $unset: { failure: 1, nextAttemptAt: 1 } });
  return res.matchedCount === 1;
}

/** A failed write: tried again later, or (refused) not by itself. */
export async function scoreFailed(s: GradebookScore, failure: WriteFailure, now = new Date()): Promise<void> {
  const attempts = s.attempts + 1;
  const retry = failure.kind !== 'refused';
  await GradebookScoreModel.updateOne({ ...keyOf(s), version: s.version }, {
    $set: { state: retry ? 'failing' : 'refused', attempts, failure, updatedAt: now, ...(retry ? { nextAttemptAt: nextAttemptAfter(attempts, now) } : {}) },
    ...(retry ? {} : { $unset: { nextAttemptAt: 1 } }),
  });
}

/** The column went: its scores with it. */
export async function forgetScoresOf(courseKey: string, badgeId: string): Promise<void> {
  await GradebookScoreModel.deleteMany({ courseKey, badgeId });
}

/** Scores not written (failing or refused), for the course dashboard. */
export async function unwrittenScores(courseKey: string): Promise<GradebookScore[]> {
  return GradebookScoreModel.find({ courseKey, state: { $in: ['failing', 'refused'] } }).lean();
}

export async function coursesWithDueScores(now: Date): Promise<string[]> {
  const found = await GradebookScoreModel.find({ state: { $in: ['pending', 'failing'] }, nextAttemptAt: { $lte: now } }, { courseKey: 1 }).limit(500).lean();
  return [...new Set(found.map((s) => s.courseKey))];
}
