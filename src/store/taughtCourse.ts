/**
 * The courses a person launched Laurel from as course staff, per platform (registration): one
 * document per person (store/launchedCourses.ts), written at each such launch, so "your earlier
 * courses" is one lookup by key and "did you teach that course?" a field of it.
 */
import mongoose, { Schema } from 'mongoose';
import type { CourseRecord } from './course.js';
import { launchedCoursesOf, PERSON_COURSES_FIELDS, PERSON_COURSES_OPTIONS, recordLaunchedCourse, type LaunchedCourse, type PersonCourses } from './launchedCourses.js';

export type TaughtCourse = LaunchedCourse;

const schema = new Schema<PersonCourses>(PERSON_COURSES_FIELDS, PERSON_COURSES_OPTIONS);

export const TaughtCoursesModel = mongoose.model<PersonCourses>('taughtCourses', schema);

export async function recordTaughtCourse(course: Pick<CourseRecord, 'issuer' | 'clientId' | 'courseKey' | 'deploymentId' | 'contextId' | 'title' | 'label'>, userId: string, at = new Date()): Promise<void> {
  await recordLaunchedCourse(TaughtCoursesModel, course, userId, at);
}

/** Every course this person launched as staff on this platform, most recently launched first. */
export async function taughtCoursesOf(issuer: string, clientId: string, userId: string): Promise<TaughtCourse[]> {
  return launchedCoursesOf(TaughtCoursesModel, issuer, clientId, userId);
}
