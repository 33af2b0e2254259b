/**
 * Who Laurel knows to be staff in a course, beyond what the roster's roles say: Moodle's NRPS
 * lists a non-editing teacher as a Learner, though Moodle launches them as Instructor and its
 * web services list them as `teacher`. Staff are never evaluated, counted or awarded. One
 * document per course, keyed by the course, read once per evaluation or request.
 */
import mongoose, { Schema } from 'mongoose';
import { upsertOnce } from './insertNew.js';

export interface CourseStaff {
  /** LTI user ids who launched Laurel in this course with a staff context role. Kept: a launch as staff is the LMS's own word. */
  launched: string[];
  /** LTI user ids the LMS's API listed as teachers at its last full reading of the course (replaced by each). */
  listed: string[];
  /** Staff who grade but do not edit the course (Moodle's non-editing teacher): they award and revoke, but change no badge. */
  graders: string[];
}

interface Stored extends CourseStaff { _id: string }

const schema = new Schema<Stored>({
  _id: { type: String, required: true },
  launched: { type: [String], default: [] },
  listed: { type: [String], default: [] },
  graders: { type: [String], default: [] },
}, { versionKey: false });

export const CourseStaffModel = mongoose.model<Stored>('courseStaff', schema);

const NONE: CourseStaff = { launched: [], listed: [], graders: [] };

export async function courseStaffOf(courseKey: string): Promise<CourseStaff> {
  const found = await CourseStaffModel.findById(courseKey, { _id: 0 }).lean();
  return found ? { launched: found.launched ?? [], listed: found.listed ?? [], graders: found.graders ?? [] } : NONE;
}

/** Everyone known as staff in the course, by launch or by the LMS's API. */
export function staffIdsOf(known: CourseStaff): Set<string> {
  return new Set([...known.launched, ...known.listed]);
}

/** Idempotent: each staff launch says it again, with whether they grade only when the launch could tell. */
export async function recordStaffLaunch(courseKey: string, userId: string, grader?: boolean): Promise<void> {
  const update = grader === undefined ? { $addToSet: { launched: userId } }
    : grader ? { $addToSet: { launched: userId, graders: userId } }
      : { $addToSet: { launched: userId }, $pull: { graders: userId } };
  await upsertOnce(() => CourseStaffModel.updateOne({ _id: courseKey }, update, { upsert: true }));
}

/** Writes only what changed: most evaluations learn nothing new. */
export async function updateCourseStaff(courseKey: string, before: CourseStaff, after: Partial<Pick<CourseStaff, 'listed' | 'graders'>>): Promise<void> {
  const $set: Partial<CourseStaff> = {};
  for (const field of ['listed', 'graders'] as const) {
    const next = after[field];
    if (next && !sameSet(before[field], next)) $set[field] = [...new Set(next)].sort();
  }
  if (Object.keys($set).length) await CourseStaffModel.updateOne({ _id: courseKey }, { $set }, { upsert: true });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
}
