/**
 * The standing of a course's learners on each badge as of its last full evaluation: what the
 * dashboard shows without asking the LMS again. One document per course, keyed by the course.
 */
import mongoose, { Schema } from 'mongoose';
import type { BadgeStanding } from '../rules/standing.js';

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

export async function standingOfCourse(courseKey: string): Promise<{ at: Date; badges: Record<string, BadgeStanding> } | null> {
  return CourseStandingModel.findById(courseKey, { _id: 0 }).lean();
}
