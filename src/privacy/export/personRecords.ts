/**
 * Where Laurel keeps one person of one registration (issuer and client id): every course of the
 * platform, found by the `courses` index (issuer, clientId, lastLaunchAt), then in each what the
 * per-course indexes find of them, and what is keyed by the person (store/lmsUser.ts personKey).
 * Their awards and credentials are found across the platform at once, by the indexes that lead
 * with the learner's user id, so a platform of 500 courses costs them one query each, not a read
 * of every course's awards and credentials. The export reads through it, and the erasure works
 * through it, so both see the same records.
 */
import { CourseModel, type CourseRecord } from '../../store/course.js';
import { ltijsModels, ltijsRecordId } from '../../store/ltijsRecords.js';
import { DeploymentModel } from '../../store/deployment.js';
import { VcApiExchangeModel, type VcApiExchange } from '../../store/vcApiExchange.js';
import { LaunchStateModel, type LaunchState } from '../../store/launchState.js';
import { AwardModel } from '../../store/award.js';
import { IssuedCredentialModel } from '../../store/issuedCredential.js';
import { LearnerCoursesModel } from '../../store/learnerCourse.js';
import { TaughtCoursesModel } from '../../store/taughtCourse.js';
import { personKey } from '../../store/lmsUser.js';
import { PublicProfileModel } from '../../store/publicProfile.js';
import { OutboxModel } from '../../store/outbox.js';
import { registrationKey } from '../../store/auditLog.js';

export interface Person { issuer: string; clientId: string; userId: string }

/** The platform's courses, most recently launched first. */
export async function coursesOfPlatform(p: Pick<Person, 'issuer' | 'clientId'>): Promise<CourseRecord[]> {
  return CourseModel.find({ issuer: p.issuer, clientId: p.clientId }).sort({ lastLaunchAt: -1 }).lean();
}

/** ltijs's id tokens of the person (the launch session's user), one per deployment of the platform, by key. */
export async function idTokensOf(p: Person, courses: CourseRecord[]): Promise<Record<string, unknown>[]> {
  const deployments = new Set(courses.map((c) => c.deploymentId));
  for (const d of await DeploymentModel.find({ issuer: p.issuer, clientId: p.clientId }, { deploymentId: 1 }).lean()) deployments.add(d.deploymentId);
  const ids = [...deployments].map((deploymentId) => ltijsRecordId('idtoken', { iss: p.issuer, clientId: p.clientId, deploymentId, user: p.userId }));
  const found = await Promise.all(ids.map((_id) => ltijsModels.idtoken.findById(_id).lean()));
  return found.filter((t): t is NonNullable<typeof t> => t !== null) as Record<string, unknown>[];
}

/**
 * ltijs's context tokens of the person on this platform. ltijs keys them by its own context id
 * (issuer, client id, deployment, course, resource link), which Laurel does not keep: read by the
 * user (its index: a day of an institution's launches is tens of thousands), then kept where the
 * context id starts with this registration's. They expire within a day.
 */
export async function contextTokensOf(p: Person): Promise<Record<string, unknown>[]> {
  const prefix = encodeURIComponent(p.issuer + p.clientId);
  const found = await ltijsModels.contexttoken.find({ user: p.userId }).lean();
  return (found as Record<string, unknown>[]).filter((t) => typeof t.contextId === 'string' && t.contextId.startsWith(prefix));
}

/**
 * Their wallet exchanges (store/vcApiExchange.ts) of the platform's courses: one is made each time
 * they open a badge's wallet page, and lasts ten minutes. Keyed by the exchange's secret, which
 * Laurel does not keep: read by course and person, a scan of a collection that holds ten minutes
 * of wallet pages.
 */
export async function walletExchangesOf(p: Person, courses: CourseRecord[]): Promise<(VcApiExchange & { _id: string })[]> {
  if (!courses.length) return [];
  return VcApiExchangeModel.find({ courseKey: { $in: courses.map((c) => c.courseKey) }, userId: p.userId }).lean();
}

/**
 * Their logins in progress (store/launchState.ts): Moodle's login hint is its user id, so a login
 * started and not finished keeps the person for ten minutes. Keyed by the OIDC state, which Laurel
 * does not keep past the launch: read by platform and hint, a scan of ten minutes of logins.
 * (Canvas logs in through Platform Storage, whose login keeps no hint; without it, Canvas's hint is
 * an opaque id Laurel never ties to the person.)
 */
export async function loginsInProgressOf(p: Person): Promise<(LaunchState & { _id: string })[]> {
  return LaunchStateModel.find({ issuer: p.issuer, clientId: p.clientId, 'initiation.login_hint': p.userId }).lean();
}

/**
 * The person's awards on the platform, by the awards' `userId` index (the filter names the user id
 * alone: FerretDB narrows by the first index whose leading field the filter sets, and
 * `courseKey, userId` would narrow to a course); those of other platforms, who may share the id, are left out.
 */
export async function awardsOfPerson(p: Person, courseKeys: ReadonlySet<string>) {
  return (await AwardModel.find({ userId: p.userId }).lean()).filter((a) => courseKeys.has(a.courseKey));
}

/** The person's issued credentials on the platform, by the issued credentials' `userId` index. */
export async function credentialsOfPerson(p: Person, courseKeys: ReadonlySet<string>) {
  return (await IssuedCredentialModel.find({ userId: p.userId }).lean()).filter((c) => courseKeys.has(c.courseKey));
}

/** Records of a course, grouped by course key. */
export function byCourse<T extends { courseKey: string }>(records: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of records) out.set(r.courseKey, [...(out.get(r.courseKey) ?? []), r]);
  return out;
}

/** The courses the person launched Laurel from, as a learner or as staff (their documents, by key). */
export async function launchedCourseKeys(p: Person): Promise<Set<string>> {
  const key = personKey(p.issuer, p.clientId, p.userId);
  const found = await Promise.all([LearnerCoursesModel.findById(key, { courses: 1 }).lean(), TaughtCoursesModel.findById(key, { courses: 1 }).lean()]);
  return new Set(found.flatMap((d) => Object.keys((d?.courses ?? {}) as Record<string, unknown>)));
}

/** Their pages of badges (store/publicProfile.ts), withdrawn ones included: each under a random id, so read by person. */
export function publicProfilesOf(p: Person) {
  return PublicProfileModel.find({ issuer: p.issuer, clientId: p.clientId, userId: p.userId }).lean();
}

/** The messages to them in the platform's outbox, waiting or sent: read by the platform's index, theirs kept. */
export async function outboxMessagesOf(p: Person) {
  return (await OutboxModel.find({ platform: registrationKey(p) }).lean()).filter((m) => m.userId === p.userId);
}
