/**
 * Removing a platform (issue 20, part 4): everything of one registration (issuer + Laurel's
 * client id) is deleted, its courses and all they hold, its people's records, its LMS connection
 * and ltijs's record of it, so the LMS cannot launch Laurel until it registers anew. What stays
 * is what the credentials it issued need to verify for years: each credential as signed, its
 * facts without the person (hashedRecipient), a minimal award under a pseudonym (status, dates,
 * revocation reason), the renewals' dates, the issuer's profile, keys and status lists. An
 * employer opening a credential's link then reads that it remains valid (or revoked, as it was)
 * and that the platform's course data was removed.
 *
 * Resumable: the removal is recorded first (store/platformRemoval.ts), ltijs's platform goes
 * next (no launch from then on), and each step deletes what is left of its kind, so a run cut
 * anywhere and run again finishes the job; the record is marked done last.
 */
import { factsWithoutPerson, IssuedCredentialModel } from '../../store/issuedCredential.js';
import { AwardModel, awardKey } from '../../store/award.js';
import { RenewalModel } from '../../store/renewal.js';
import { CourseModel } from '../../store/course.js';
import { BadgeModel } from '../../store/badge.js';
import { BadgeColumnModel } from '../../store/badgeColumn.js';
import { BadgeCopyModel } from '../../store/badgeCopy.js';
import { BadgeImageModel } from '../../store/badgeImage.js';
import { GradebookScoreModel } from '../../store/gradebookScore.js';
import { ApprovalModel } from '../../store/approval.js';
import { CourseStandingModel } from '../../store/courseStanding.js';
import { CourseStaffModel } from '../../store/courseStaff.js';
import { EvaluationJobModel } from '../../store/evaluationJob.js';
import { EngagementModel } from '../../store/engagement.js';
import { AuditEntryModel, registrationKey } from '../../store/auditLog.js';
import { VcApiExchangeCompletionModel, VcApiExchangeModel } from '../../store/vcApiExchange.js';
import { Oid4vciOfferModel } from '../../store/oid4vciOffer.js';
import { Oid4vciAccessTokenModel } from '../../store/oid4vciAccessToken.js';
import { Oid4vciNonceModel } from '../../store/oid4vciNonce.js';
import { OutboxModel } from '../../store/outbox.js';
import { PlatformSettingsModel } from '../../store/platformSettings.js';
import { LmsConnectionModel } from '../../store/lmsConnection.js';
import { CanvasGrantModel } from '../../store/canvasGrant.js';
import { PlatformAdministratorsModel } from '../../store/platformAdministrators.js';
import { PlatformFrameOriginsModel } from '../../store/frameOrigins.js';
import { LearnerCoursesModel } from '../../store/learnerCourse.js';
import { TaughtCoursesModel } from '../../store/taughtCourse.js';
import { MessageRecipientModel } from '../../store/messageRecipient.js';
import { LmsUserModel } from '../../store/lmsUser.js';
import { ErasureRequestModel } from '../../store/erasureRequest.js';
import { ErasureRecordModel } from '../../store/erasure.js';
import { PublicProfileModel } from '../../store/publicProfile.js';
import { DeploymentModel } from '../../store/deployment.js';
import { LaunchStateModel } from '../../store/launchState.js';
import { SubjectKeyModel } from '../../store/subjectKey.js';
import { IssuerProfileModel, issuerKeyOf, type Registration } from '../../store/issuerProfile.js';
import { ltijsModels, ltijsRecordId } from '../../store/ltijsRecords.js';
import { beginRemoval, finishRemoval, removalOfIssuer, type PlatformRemoval } from '../../store/platformRemoval.js';
import { writeInBatches } from '../../store/writeInBatches.js';
import { removalCounts, type RemovalFacts } from './removalSummary.js';

/** The platform to remove, as `npm run platform -- list` shows it. */
export interface RemovalTarget extends Registration {
  platformId: string;
  platformName: string;
}

/** What an award of a removed platform is known by instead of the learner's LTI user id. */
export const removedUserId = (awardPublicId: string) => `removed:${awardPublicId}`;
export const isRemovedUserId = (userId: string) => userId.startsWith('removed:');

async function coursesOf(r: Registration): Promise<{ courseKey: string; deploymentId: string }[]> {
  return CourseModel.find({ issuer: r.issuer, clientId: r.clientId }, { _id: 0, courseKey: 1, deploymentId: 1 }).lean();
}

/** Counts what the removal deletes and keeps: the summary shown before anything is deleted. */
export async function gatherRemovalFacts(t: RemovalTarget): Promise<RemovalFacts> {
  const r = { issuer: t.issuer, clientId: t.clientId };
  const courses = await CourseModel.find({ issuer: r.issuer, clientId: r.clientId }, { _id: 0, courseKey: 1, title: 1, lastLaunchAt: 1 }).sort({ lastLaunchAt: -1 }).lean();
  const keys = courses.map((c) => c.courseKey);
  const inCourses = { courseKey: { $in: keys } };
  const [badges, awards, issued, learnerDocs, canvasGrants, connection, settings, admins, frames] = await Promise.all([
    BadgeModel.countDocuments(inCourses),
    AwardModel.find(inCourses, { _id: 0, id: 1, userId: 1, status: 1 }).lean(),
    IssuedCredentialModel.find(inCourses, { _id: 1, awardId: 1 }).lean(),
    LearnerCoursesModel.find({ issuer: r.issuer, clientId: r.clientId }, { _id: 0, userId: 1 }).lean(),
    CanvasGrantModel.countDocuments({ issuer: r.issuer, clientId: r.clientId }),
    LmsConnectionModel.findById(registrationKey(r), { kind: 1 }).lean(),
    PlatformSettingsModel.findOne({ issuer: r.issuer, clientId: r.clientId }, { _id: 1 }).lean(),
    PlatformAdministratorsModel.findById(registrationKey(r), { userIds: 1 }).lean(),
    PlatformFrameOriginsModel.findById(registrationKey(r), { configured: 1 }).lean(),
  ]);
  const revokedAwards = new Set(awards.filter((a) => a.status === 'revoked').map((a) => a.id));
  const issuedAwards = new Set(issued.map((c) => c.awardId ?? c._id));
  const learners = new Set([...awards.filter((a) => !isRemovedUserId(a.userId)).map((a) => a.userId), ...learnerDocs.map((l) => l.userId)]);
  return {
    issuer: t.issuer, clientId: t.clientId, platformName: t.platformName,
    courseTitles: courses.map((c) => c.title || c.courseKey),
    badges, awards: awards.length, learners: learners.size,
    credentials: issued.length, revokedCredentials: issued.filter((c) => revokedAwards.has(c.awardId ?? c._id)).length,
    unissuedAwards: awards.filter((a) => !issuedAwards.has(a.id)).length,
    canvasGrants,
    ...(connection?.kind === 'canvas-rest' || connection?.kind === 'moodle-ws' ? { lmsConnection: connection.kind } : {}),
    settings: settings !== null, administrators: admins?.userIds?.length ?? 0,
    frameOrigins: (frames as { configured?: unknown[] } | null)?.configured?.length ?? 0,
  };
}

/**
 * ltijs's records of the platform first: with them gone the LMS can no longer launch Laurel, nor
 * a session opened before go on (its id token is gone), while the rest is deleted.
 */
async function removeLtijsRecords(t: RemovalTarget, courseDeployments: string[]): Promise<void> {
  const { platform, platformStatus, publickey, privatekey, accesstoken, idtoken, contexttoken } = ltijsModels;
  const deployments = [...new Set([
    ...(await DeploymentModel.find({ issuer: t.issuer, clientId: t.clientId }, { _id: 0, deploymentId: 1 }).lean()).map((d) => d.deploymentId),
    ...courseDeployments,
  ])];
  await platform.deleteOne({ _id: ltijsRecordId('platform', { platformUrl: t.issuer, clientId: t.clientId }) });
  await platformStatus.deleteOne({ _id: ltijsRecordId('platformStatus', { id: t.platformId }) });
  await publickey.deleteMany({ platformUrl: t.issuer, clientId: t.clientId });
  await privatekey.deleteMany({ platformUrl: t.issuer, clientId: t.clientId });
  await accesstoken.deleteMany({ platformUrl: t.issuer, clientId: t.clientId });
  await idtoken.deleteMany({ iss: t.issuer, clientId: t.clientId });
  // A context token names its platform only inside its id: ltijs makes it of the issuer, client id and deployment.
  const prefixes = deployments.map((d) => encodeURIComponent(t.issuer + t.clientId + d));
  const contexts = (await contexttoken.find({}, { _id: 1, contextId: 1 }).lean()).filter((c) => typeof c.contextId === 'string' && prefixes.some((p) => (c.contextId as string).startsWith(p)));
  if (contexts.length) await contexttoken.deleteMany({ _id: { $in: contexts.map((c) => c._id) } });
  await DeploymentModel.deleteMany({ issuer: t.issuer, clientId: t.clientId });
}

/**
 * Each issued credential loses its person and keeps what verifies it, a course at a time (read by
 * its course key, indexed: FerretDB scans the whole collection for an `_id: { $in }`) and each
 * step of a course in batched writes (store/writeInBatches.ts): one round trip per 50 writes, not
 * one per write. In an order that a cut anywhere leaves resumable: each award is set aside (its
 * public id being unique), its minimal copy made under its pseudonym, the old one deleted, its
 * renewals and then its credentials given the pseudonym. The next run finds the credentials not
 * yet done by their user id and picks up where the last stopped.
 */
async function keepIssuedCredentials(keys: string[]): Promise<void> {
  for (const courseKey of keys) await keepCourseCredentials(courseKey);
}

async function keepCourseCredentials(courseKey: string): Promise<void> {
  const pending = (await IssuedCredentialModel.find({ courseKey }, { _id: 1, awardId: 1, badgeId: 1, userId: 1, factsJson: 1 }).lean()).filter((c) => !isRemovedUserId(c.userId));
  if (!pending.length) return;
  const byAward = new Map<string, typeof pending>();
  for (const c of pending) {
    const awardId = c.awardId ?? c._id;
    byAward.set(awardId, [...(byAward.get(awardId) ?? []), c]);
  }
  const moves = [...byAward].map(([awardId, credentials]) => {
    const { badgeId, userId } = credentials[0]!;
    const pseudonym = removedUserId(awardId);
    return { awardId, credentials, badgeId, userId, pseudonym, oldKey: awardKey(courseKey, badgeId, userId), newKey: awardKey(courseKey, badgeId, pseudonym) };
  });
  const olds = new Map((await AwardModel.find({ courseKey }).lean()).map((a) => [a._id, a]));
  await writeInBatches(AwardModel, moves.flatMap((m) => olds.get(m.oldKey)?.id === m.awardId
    ? [{ updateOne: { filter: { _id: m.oldKey }, update: { $set: { id: `${m.awardId}:moving` } } } }] : []));
  await writeInBatches(AwardModel, moves.flatMap((m) => {
    const old = olds.get(m.oldKey);
    if (!old) return [];
    const minimal = {
      id: m.awardId, courseKey, badgeId: m.badgeId, userId: m.pseudonym, status: old.status, origin: old.origin, createdAt: old.createdAt,
      ...(old.awardedAt ? { awardedAt: old.awardedAt } : {}), ...(old.revokedAt ? { revokedAt: old.revokedAt } : {}),
      ...(old.revocationReason ? { revocationReason: old.revocationReason } : {}), ...(old.renewal?.publicId ? { renewal: old.renewal } : {}),
    };
    return [{ updateOne: { filter: { _id: m.newKey }, update: { $setOnInsert: minimal }, upsert: true } }];
  }));
  await writeInBatches(AwardModel, moves.flatMap((m) => olds.has(m.oldKey) ? [{ deleteOne: { filter: { _id: m.oldKey } } }] : []));
  await writeInBatches(RenewalModel, moves.map((m) => ({
    updateMany: { filter: { courseKey, badgeId: m.badgeId, userId: m.userId }, update: { $set: { userId: m.pseudonym }, $unset: { reasonJson: 1 } } },
  })));
  await writeInBatches(IssuedCredentialModel, moves.flatMap((m) => m.credentials.map((c) => (
    { updateOne: { filter: { _id: c._id }, update: { $set: { userId: m.pseudonym, factsJson: factsWithoutPerson(c.factsJson) } } } }))));
}

/** Everything keyed by the platform's courses, but the kept credentials, their minimal awards and renewals. */
async function removeCourseData(keys: string[]): Promise<void> {
  const inCourses = { courseKey: { $in: keys } };
  const awards = await AwardModel.find(inCourses, { _id: 1, userId: 1 }).lean();
  const doomed = awards.filter((a) => !isRemovedUserId(a.userId)).map((a) => a._id);
  if (doomed.length) await AwardModel.deleteMany({ _id: { $in: doomed } });
  const renewals = (await RenewalModel.find(inCourses, { _id: 1, userId: 1 }).lean()).filter((r) => !isRemovedUserId(r.userId)).map((r) => r._id);
  if (renewals.length) await RenewalModel.deleteMany({ _id: { $in: renewals } });
  // Uploaded images stay (signed credentials name them, and a course elsewhere may show the same bytes); who
  // uploaded them goes when it was one of this platform's staff.
  const badges = await BadgeModel.find(inCourses, { _id: 0, image: 1, updatedBy: 1 }).lean();
  const images = badges.map((b) => b.image).filter((i): i is string => !!i);
  if (images.length) {
    const staff = await CourseStaffModel.find({ _id: { $in: keys } }).lean();
    const uploaders = [...new Set([...badges.map((b) => b.updatedBy), ...staff.flatMap((c) => [...(c.launched ?? []), ...(c.listed ?? []), ...(c.graders ?? [])])])];
    await BadgeImageModel.updateMany({ _id: { $in: images }, createdBy: { $in: uploaders } }, { $set: { createdBy: 'removed' } });
  }
  const exchanges = (await VcApiExchangeModel.find(inCourses, { _id: 1 }).lean()).map((e) => e._id);
  if (exchanges.length) await VcApiExchangeCompletionModel.deleteMany({ _id: { $in: exchanges } });
  await Promise.all([
    VcApiExchangeModel.deleteMany(inCourses),
    BadgeModel.deleteMany(inCourses), BadgeColumnModel.deleteMany(inCourses), GradebookScoreModel.deleteMany(inCourses),
    ApprovalModel.deleteMany(inCourses), EvaluationJobModel.deleteMany(inCourses), EngagementModel.deleteMany(inCourses),
    BadgeCopyModel.deleteMany(inCourses), AuditEntryModel.deleteMany(inCourses),
    CourseStandingModel.deleteMany({ _id: { $in: keys } }), CourseStaffModel.deleteMany({ _id: { $in: keys } }),
  ]);
}

/** Everything keyed by the registration or by its people. */
async function removeRegistrationData(r: Registration): Promise<void> {
  const reg = { issuer: r.issuer, clientId: r.clientId };
  const key = registrationKey(r);
  const issuerKey = issuerKeyOf(r);
  await Promise.all([
    PlatformSettingsModel.deleteMany(reg), LmsConnectionModel.deleteOne({ _id: key }), CanvasGrantModel.deleteMany(reg),
    PlatformAdministratorsModel.deleteOne({ _id: key }), PlatformFrameOriginsModel.deleteOne({ _id: key }),
    LearnerCoursesModel.deleteMany(reg), TaughtCoursesModel.deleteMany(reg), MessageRecipientModel.deleteMany(reg),
    LmsUserModel.deleteMany(reg), PublicProfileModel.deleteMany(reg), LaunchStateModel.deleteMany(reg),
    // Pending requests name their learner; past erasures name the administrator who confirmed them.
    ErasureRequestModel.deleteMany(reg), ErasureRecordModel.deleteMany(reg),
    OutboxModel.deleteMany({ platform: key }), AuditEntryModel.deleteMany({ platform: key }),
    Oid4vciOfferModel.deleteMany({ issuerKey }), Oid4vciAccessTokenModel.deleteMany({ issuerKey }), Oid4vciNonceModel.deleteMany({ issuerKey }),
    // The key that made credentialSubject.id: nothing verifies with it, and without it no one links a subject id to a user again.
    SubjectKeyModel.deleteOne({ _id: issuerKey }),
    // The public profile stays as the credentials name it; which admin last changed it goes.
    IssuerProfileModel.updateOne({ _id: issuerKey }, { $unset: { updatedBy: 1 } }),
  ]);
}

export type RemovalStep = 'record' | 'ltijs' | 'credentials' | 'courseData' | 'registrationData' | 'courses' | 'done';
export const REMOVAL_STEPS: readonly RemovalStep[] = ['record', 'ltijs', 'credentials', 'courseData', 'registrationData', 'courses', 'done'];

/**
 * Removes the platform, or finishes a removal cut earlier. `facts` are the summary shown before
 * (counted afresh when not given); `until` stops after that step (what a cut leaves, for tests).
 */
export async function removePlatform(t: RemovalTarget, by: PlatformRemoval['by'], o: { facts?: RemovalFacts; until?: RemovalStep; now?: Date } = {}): Promise<PlatformRemoval> {
  const r = { issuer: t.issuer, clientId: t.clientId };
  const now = o.now ?? new Date();
  const stopAfter = (step: RemovalStep) => o.until === step;
  const already = await removalOfIssuer(issuerKeyOf(r));
  const facts = already?.state === 'removing' ? undefined : o.facts ?? (await gatherRemovalFacts(t));
  const record = await beginRemoval({ issuer: t.issuer, clientId: t.clientId, platformId: t.platformId, platformName: t.platformName, startedAt: now, by, ...(facts ? removalCounts(facts) : { deleted: {}, kept: {} }) });
  if (stopAfter('record')) return record;
  // The courses are read again on every run: they are deleted last, so a resumed run finds them.
  const courses = await coursesOf(r);
  const keys = courses.map((c) => c.courseKey);
  await removeLtijsRecords(t, courses.map((c) => c.deploymentId));
  if (stopAfter('ltijs')) return record;
  await keepIssuedCredentials(keys);
  if (stopAfter('credentials')) return record;
  await removeCourseData(keys);
  if (stopAfter('courseData')) return record;
  await removeRegistrationData(r);
  if (stopAfter('registrationData')) return record;
  await CourseModel.deleteMany({ courseKey: { $in: keys } });
  if (stopAfter('courses')) return record;
  await finishRemoval(r, new Date());
  return (await removalOfIssuer(record.issuerKey))!;
}
