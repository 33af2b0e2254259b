/**
 * The courses a person launched Laurel from as course staff, per platform (registration): one
 * document per person, written at each such launch, so "your earlier courses" is one lookup by
 * key and "did you teach that course?" a field of it. Courses are keyed by courseKey inside
 * the document, so a launch sets its own entry in one atomic write and repeats change nothing.
 */
import mongoose, { Schema } from 'mongoose';
import { personKey } from './lmsUser.js';
import type { CourseRecord } from './course.js';
import { upsertOnce } from './insertNew.js';

export interface TaughtCourse {
  courseKey: string;
  deploymentId: string;
  contextId: string;
  title: string;
  label: string;
  lastLaunchAt: Date;
}

interface TaughtCourses {
  _id: string;
  issuer: string;
  clientId: string;
  userId: string;
  courses: Record<string, TaughtCourse>;
}

const schema = new Schema<TaughtCourses>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  userId: { type: String, required: true },
  courses: { type: Schema.Types.Mixed, default: {} },
}, { versionKey: false, minimize: false });

export const TaughtCoursesModel = mongoose.model<TaughtCourses>('taughtCourses', schema);

export async function recordTaughtCourse(course: Pick<CourseRecord, 'issuer' | 'clientId' | 'courseKey' | 'deploymentId' | 'contextId' | 'title' | 'label'>, userId: string, at = new Date()): Promise<void> {
  const { issuer, clientId, courseKey, deploymentId, contextId, title, label } = course;
  const entry: TaughtCourse = { courseKey, deploymentId, contextId, title, label, lastLaunchAt: at };
  await upsertOnce(() => TaughtCoursesModel.updateOne(
    { _id: personKey(issuer, clientId, userId) },
    { $set: { issuer, clientId, userId, [`courses.${courseKey}`]: entry } },
    { upsert: true },
  ));
}

/** Every course this person launched as staff on this platform, most recently launched first. */
export async function taughtCoursesOf(issuer: string, clientId: string, userId: string): Promise<TaughtCourse[]> {
  const found = await TaughtCoursesModel.findById(personKey(issuer, clientId, userId), { courses: 1 }).lean();
  return Object.values(found?.courses ?? {}).sort((a, b) => new Date(b.lastLaunchAt).getTime() - new Date(a.lastLaunchAt).getTime());
}
