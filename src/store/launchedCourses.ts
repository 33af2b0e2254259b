/**
 * What taughtCourse.ts (as staff) and learnerCourse.ts (as a learner) keep of a person: the
 * courses they launched Laurel from on one platform (registration), one document per person
 * under the person key, each course an entry keyed by its courseKey, so a launch sets its own
 * entry in one write by key and repeats change nothing but the date.
 */
import { Schema, type Model } from 'mongoose';
import type { CourseRecord } from './course.js';
import { upsertOnce } from './insertNew.js';
import { personKey } from './lmsUser.js';

export interface LaunchedCourse {
  courseKey: string;
  deploymentId: string;
  contextId: string;
  title: string;
  label: string;
  lastLaunchAt: Date;
}

export interface PersonCourses {
  _id: string;
  issuer: string;
  clientId: string;
  userId: string;
  courses: Record<string, LaunchedCourse>;
}

/** The schema's fields, which learnerCourse.ts adds to. */
export const PERSON_COURSES_FIELDS = {
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  userId: { type: String, required: true },
  courses: { type: Schema.Types.Mixed, default: {} },
} as const;
export const PERSON_COURSES_OPTIONS = { versionKey: false, minimize: false } as const;

type Launched = Pick<CourseRecord, 'issuer' | 'clientId' | 'courseKey' | 'deploymentId' | 'contextId' | 'title' | 'label'>;

export async function recordLaunchedCourse<T extends PersonCourses>(model: Model<T>, course: Launched, userId: string, at: Date): Promise<void> {
  const { issuer, clientId, courseKey, deploymentId, contextId, title, label } = course;
  const entry: LaunchedCourse = { courseKey, deploymentId, contextId, title, label, lastLaunchAt: at };
  await upsertOnce(() => model.updateOne(
    { _id: personKey(issuer, clientId, userId) },
    { $set: { issuer, clientId, userId, [`courses.${courseKey}`]: entry } },
    { upsert: true },
  ));
}

/** The person's courses, most recently launched first. */
export async function launchedCoursesOf<T extends PersonCourses>(model: Model<T>, issuer: string, clientId: string, userId: string): Promise<LaunchedCourse[]> {
  const found = (await model.findById(personKey(issuer, clientId, userId), { courses: 1 }).lean()) as Pick<PersonCourses, 'courses'> | null;
  return Object.values(found?.courses ?? {}).sort((a, b) => new Date(b.lastLaunchAt).getTime() - new Date(a.lastLaunchAt).getTime());
}
