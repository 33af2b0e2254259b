/**
 * The standing of a course's learners on each badge as of its last full evaluation: what the
 * dashboard shows without asking the LMS again. One document per course, keyed by the course;
 * a badge holds its learners' ids (a few thousand at most), so awards made since can be told apart.
 */
import mongoose, { Schema } from 'mongoose';
import { isBadgeStanding, type BadgeStanding } from '../rules/standing.js';

interface Stored { _id: string; at: Date; badges: Record<string, BadgeStanding> }

const schema = new Schema<Stored>({
  _id: { type: String, required: true },
  at: { type: Date, required: true },
  badges: { type: Schema.Types.Mixed, default: {} },
}, { versionKey: false, minimize: false });

export const CourseStandingModel = mongoose.model<Stored>('courseStanding', schema);

export async function saveStanding(courseKey: string, badges: Record<string, BadgeStanding>, at = new Date()): Promise<void> {
  await CourseStandingModel.replaceOne({ _id: courseKey }, { _id: courseKey, at, badges }, { upsert: true });
}

/** The last evaluation's standing; null before the first, or when stored in the older shape (counts only). */
export async function standingOfCourse(courseKey: string): Promise<{ at: Date; badges: Record<string, BadgeStanding> } | null> {
  const found = await CourseStandingModel.findById(courseKey, { _id: 0 }).lean();
  if (!found || !Object.values(found.badges).every(isBadgeStanding)) return null;
  return found;
}
