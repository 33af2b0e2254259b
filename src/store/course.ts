/**
 * A course Laurel has been launched from: which platform and deployment, its LTI context,
 * and the AGS / NRPS endpoints the launch offered, so background runs can read the LMS
 * without anyone launching. Every query in Laurel is scoped by `courseKey`, which is also the
 * record's `_id`: a launch and each page find the course with one lookup.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { upsertOnce } from './insertNew.js';

export interface CourseRecord {
  /** Derived from issuer + client id + deployment + context id: no course is reachable from another's key. */
  courseKey: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  contextId: string;
  title: string;
  label: string;
  /** AGS line item container URL, when the LMS offers AGS. */
  lineItemsUrl?: string;
  /** AGS scopes the launch said Laurel has in this course. */
  agsScopes: string[];
  /** NRPS context_memberships_url, when the LMS offers NRPS. */
  membershipsUrl?: string;
  productFamily?: string;
  /** The LMS's own course id for its API: Canvas `$Canvas.course.id`; Moodle's course id (its context id). */
  lmsCourseId?: string;
  /** Whose Canvas grant reads this course through the REST API: the instructor who last connected from it. */
  lmsApiGrantedBy?: string;
  lastLaunchAt: Date;
  lastEvaluatedAt?: Date;
  /** A background run has seen active learners in the roster: an empty roster later means the term ended. */
  learnersSeen?: boolean;
  /** Background runs in a row that found no active learner where there had been some. */
  emptyRosterRuns?: number;
  /** When Laurel decided the course had ended and stopped reading it (jobs/courseConclusion.ts); a staff launch clears it. */
  concludedAt?: Date;
  /** The `concludedAt` a staff launch cleared: the dashboard says the course was resumed, until a run finds learners again. */
  resumedAfterEnd?: Date;
  /** When the scheduler last signed whatever the course's awards had left unsigned (jobs/scheduler.ts). */
  credentialsCheckedAt?: Date;
  /**
   * When retention last removed the course's personal data (privacy/retention/): the course is
   * trimmed again only if it was launched after that, and its data then grew old again.
   */
  personalDataRemovedAt?: Date;
}

export function courseKeyOf(issuer: string, clientId: string, deploymentId: string, contextId: string): string {
  return createHash('sha256').update(JSON.stringify([issuer, clientId, deploymentId, contextId])).digest('base64url').slice(0, 32);
}

const schema = new Schema<CourseRecord & { _id: string }>({
  _id: String,
  courseKey: { type: String, required: true },
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  deploymentId: { type: String, required: true },
  contextId: { type: String, required: true },
  title: { type: String, default: '' },
  label: { type: String, default: '' },
  lineItemsUrl: String,
  agsScopes: { type: [String], default: [] },
  membershipsUrl: String,
  productFamily: String,
  lmsCourseId: String,
  lmsApiGrantedBy: String,
  lastLaunchAt: { type: Date, required: true },
  lastEvaluatedAt: Date,
  learnersSeen: Boolean,
  emptyRosterRuns: Number,
  concludedAt: Date,
  resumedAfterEnd: Date,
  credentialsCheckedAt: Date,
  personalDataRemovedAt: Date,
});
// Unique as the _id it equals; the jobs still find courses by this field.
schema.index({ courseKey: 1 });
schema.index({ lastEvaluatedAt: 1 });
// A platform's courses, latest launch first: the admin page's deployments, and the course a
// check of the LMS's API tries (coursesWithLmsId).
schema.index({ issuer: 1, clientId: 1, lastLaunchAt: -1 });
schema.pre('validate', function keyed() { this._id ??= this.courseKey; });

export const CourseModel = mongoose.model<CourseRecord & { _id: string }>('course', schema);

/** Idempotent: each launch refreshes what the LMS said about the course. */
export async function recordCourseLaunch(c: Omit<CourseRecord, 'courseKey' | 'lastLaunchAt' | 'lastEvaluatedAt' | 'lmsApiGrantedBy' | 'learnersSeen' | 'emptyRosterRuns' | 'concludedAt' | 'resumedAfterEnd' | 'credentialsCheckedAt' | 'personalDataRemovedAt'>): Promise<CourseRecord> {
  const courseKey = courseKeyOf(c.issuer, c.clientId, c.deploymentId, c.contextId);
  const updated = await upsertOnce(() => CourseModel.findOneAndUpdate(
    { _id: courseKey },
    { $set: { ...c, courseKey, lastLaunchAt: new Date() } },
    { upsert: true, new: true },
  ).lean());
  return updated!;
}

export async function findCourse(courseKey: string): Promise<CourseRecord | null> {
  return CourseModel.findById(courseKey).lean();
}

/** The instructor whose Canvas grant reads the course from now on. */
export async function setLmsApiGrantedBy(courseKey: string, userId: string): Promise<void> {
  await CourseModel.updateOne({ _id: courseKey }, { $set: { lmsApiGrantedBy: userId } });
}

/**
 * The platform's courses Laurel was launched in whose LMS course id it knows, most recent launch
 * first (or just the one with `lmsCourseId`): where a check of the LMS API can call it on a real course.
 */
export async function coursesWithLmsId(issuer: string, clientId: string, lmsCourseId?: string): Promise<CourseRecord[]> {
  return CourseModel.find({ issuer, clientId, lmsCourseId: lmsCourseId ?? { $exists: true } }).sort({ lastLaunchAt: -1 }).limit(1).lean();
}

export async function noteCredentialsChecked(courseKey: string, at = new Date()): Promise<void> {
  await CourseModel.updateOne({ _id: courseKey }, { $set: { credentialsCheckedAt: at } });
}

/**
 * A staff launch: the course is taught again (or never ended), so background runs read it again.
 * The caller asks only when the course's record says it ended or had empty runs.
 */
export async function resumeCourse(courseKey: string): Promise<void> {
  const before = await CourseModel.findOneAndUpdate({ _id: courseKey }, { $unset: { concludedAt: 1 }, $set: { emptyRosterRuns: 0 } }).lean();
  if (before?.concludedAt) await CourseModel.updateOne({ _id: courseKey }, { $set: { resumedAfterEnd: before.concludedAt } });
}
