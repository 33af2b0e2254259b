/**
 * The courses a person launched Laurel from as a learner, per platform (registration): one
 * document per person, written at each such launch, so "all my badges" starts with one lookup by
 * key (store/launchedCourses.ts, as for teachers), then reads each course's awards by its
 * (courseKey, userId) index. The document also
 * points to the learner's public page of badges while it is published (store/publicProfile.ts).
 *
 * Nothing is backfilled: a learner who launched before this existed has their courses listed as
 * they launch each one again (the course of the session is always shown).
 */
import mongoose, { Schema } from 'mongoose';
import { personKey } from './lmsUser.js';
import type { CourseRecord } from './course.js';
import { upsertOnce } from './insertNew.js';
import { claimOnce } from './writeClaim.js';
import { launchedCoursesOf, PERSON_COURSES_FIELDS, PERSON_COURSES_OPTIONS, recordLaunchedCourse, type LaunchedCourse, type PersonCourses } from './launchedCourses.js';

export type LearnerCourse = LaunchedCourse;

interface LearnerCourses extends PersonCourses {
  /** The id of the learner's public page of badges while it is published. */
  profileId?: string;
  /** How many pages they ever published: each publication claims the next number (writeClaim.ts). */
  profiles?: number;
}

const schema = new Schema<LearnerCourses>({
  ...PERSON_COURSES_FIELDS,
  profileId: String,
  profiles: Number,
}, PERSON_COURSES_OPTIONS);

export const LearnerCoursesModel = mongoose.model<LearnerCourses>('learnerCourses', schema);

export interface Person { issuer: string; clientId: string; userId: string }

const keyOf = (p: Person) => personKey(p.issuer, p.clientId, p.userId);

export async function recordLearnerCourse(course: Pick<CourseRecord, 'issuer' | 'clientId' | 'courseKey' | 'deploymentId' | 'contextId' | 'title' | 'label'>, userId: string, at = new Date()): Promise<void> {
  await recordLaunchedCourse(LearnerCoursesModel, course, userId, at);
}

/** Every course this person launched as a learner on this platform, most recently launched first. */
export async function learnerCoursesOf(p: Person): Promise<LearnerCourse[]> {
  return launchedCoursesOf(LearnerCoursesModel, p.issuer, p.clientId, p.userId);
}

/** Whether this person launched this course as a learner (on the platform of the key). */
export async function isLearnerCourse(p: Person, courseKey: string): Promise<boolean> {
  const found = await LearnerCoursesModel.findById(keyOf(p), { [`courses.${courseKey}.courseKey`]: 1 }).lean();
  return found?.courses?.[courseKey]?.courseKey === courseKey;
}

/** The id of the person's published page of badges, if any. */
export async function profileIdOf(p: Person): Promise<string | undefined> {
  return (await LearnerCoursesModel.findById(keyOf(p), { profileId: 1 }).lean())?.profileId ?? undefined;
}

/** How long a publication's claim is kept: far longer than the pointer's write after it takes. */
const PROFILE_CLAIM_MS = 24 * 60 * 60_000;

/**
 * Points the person's document to a newly published page, unless it points to one already or
 * another publication at the same moment (another tab, a double click) won: true when this page
 * is now theirs. The winner is who claims the next publication's number (a unique insert): a
 * conditional update would not do, FerretDB running it as a read then a write (store/writeClaim.ts).
 */
export async function claimProfileId(p: Person, profileId: string, now = new Date()): Promise<boolean> {
  const key = keyOf(p);
  const found = await LearnerCoursesModel.findById(key, { profileId: 1, profiles: 1 }).lean();
  if (found?.profileId) return false;
  const next = (found?.profiles ?? 0) + 1;
  if (!(await claimOnce(`profile ${key} ${next}`, new Date(now.getTime() + PROFILE_CLAIM_MS)))) return false;
  await upsertOnce(() => LearnerCoursesModel.updateOne(
    { _id: key },
    { $set: { issuer: p.issuer, clientId: p.clientId, userId: p.userId, profileId, profiles: next } },
    { upsert: true },
  ));
  return true;
}

/** Forgets the pointer to this page (once it is withdrawn). */
export async function releaseProfileId(p: Person, profileId: string): Promise<void> {
  await LearnerCoursesModel.updateOne({ _id: keyOf(p), profileId }, { $unset: { profileId: 1 } });
}
