/**
 * Erasing a learner at their request (issue 20), over every course of the platform. Their
 * credentials are theirs: revoked first through the normal path when they chose so (the status
 * list bit set, so every verifier sees it), else kept valid; either way each awarded credential
 * stays answerable at its URL, signed as it was, while the award, its credentials and renewals
 * lose the person (userId becomes `erased:<award public id>`, the facts keep only the salted
 * hashes) and say when they were erased. Everything else of theirs is deleted, or loses them
 * where it is shared (standings, staff lists, finished bulk jobs, audit entries).
 *
 * Idempotent and resumable: each step finds what is left by the same indexes, and the award is
 * re-keyed by inserting the new document before deleting the old, so a run cut in the middle and
 * run again finishes the job, and a run with nothing left changes nothing and counts nothing.
 */
import { AwardModel, awardKey } from '../../store/award.js';
import { factsWithoutPerson, IssuedCredentialModel } from '../../store/issuedCredential.js';
import { RenewalModel, renewalKey } from '../../store/renewal.js';
import { ApprovalModel } from '../../store/approval.js';
import { GradebookScoreModel } from '../../store/gradebookScore.js';
import { EngagementModel, ENGAGEMENT_KINDS } from '../../store/engagement.js';
import { AuditEntryModel, recordAudit, registrationKey } from '../../store/auditLog.js';
import { CourseStandingModel } from '../../store/courseStanding.js';
import { CourseStaffModel } from '../../store/courseStaff.js';
import { EvaluationJobModel, type BulkAwardInput } from '../../store/evaluationJob.js';
import { LearnerCoursesModel } from '../../store/learnerCourse.js';
import { TaughtCoursesModel } from '../../store/taughtCourse.js';
import { MessageRecipientModel } from '../../store/messageRecipient.js';
import { LmsUserModel, personKey } from '../../store/lmsUser.js';
import { CanvasGrantModel } from '../../store/canvasGrant.js';
import { PublicProfileModel } from '../../store/publicProfile.js';
import { OutboxModel } from '../../store/outbox.js';
import { CourseModel, type CourseRecord } from '../../store/course.js';
import { ltijsModels } from '../../store/ltijsRecords.js';
import type { ErasureChoice } from '../../store/erasureRequest.js';
import { revoke } from '../../awards/revoke.js';
import { syncGradebook } from '../../awards/gradebookColumn.js';
import { VcApiExchangeCompletionModel, VcApiExchangeModel } from '../../store/vcApiExchange.js';
import { LaunchStateModel } from '../../store/launchState.js';
import { awardsOfPerson, byCourse, contextTokensOf, coursesOfPlatform, credentialsOfPerson, idTokensOf, launchedCourseKeys, loginsInProgressOf, outboxMessagesOf, publicProfilesOf, walletExchangesOf, type Person } from '../export/personRecords.js';

/** The reason a credential revoked by an erasure gives its verifiers. */
export const ERASURE_REVOCATION_REASON = 'Erased at the learner\'s request';
/** What replaces the learner's name, e-mail or ids in a sentence that stays (an audit entry, another's revocation reason). */
export const NEUTRAL = 'a learner';

/** What an award being re-keyed holds as its public id meanwhile: `id` is unique, and the new document takes it. */
const SET_ASIDE = 'erasing:';

export const erasedUserId = (awardId: string) => `erased:${awardId}`;

const jobsOfCourse = (courseKey: string) => EvaluationJobModel.find({ courseKey }).lean();
type StoredJob = Awaited<ReturnType<typeof jobsOfCourse>>[number];

export interface ErasureRun {
  person: Person;
  choice: ErasureChoice;
  /** The administrator who confirmed it (their LTI user id and name), as the revocations and the audit entry say. */
  by: { userId: string; name: string };
  /** When the learner asked: what the awards say as their erasure date. */
  now?: Date;
}

export type ErasureCounts = Record<string, number>;

/** Runs the erasure; answers how many records of each kind it changed or deleted (all zero on a second run). */
export async function erasePerson(run: ErasureRun): Promise<ErasureCounts> {
  const { person: p } = run;
  const now = run.now ?? new Date();
  const counts: ErasureCounts = {};
  const add = (kind: string, n: number) => { if (n > 0) counts[kind] = (counts[kind] ?? 0) + n; };
  const courses = await coursesOfPlatform(p);
  const platformKeys = new Set(courses.map((c) => c.courseKey));
  // Their awards and credentials across the platform, by the indexes on the user id: one query each.
  const awardsIn = byCourse(await awardsOfPerson(p, platformKeys));
  const issuedIn = byCourse(await credentialsOfPerson(p, platformKeys));
  const launched = await launchedCourseKeys(p);
  // Each course's bulk jobs, read once: their rosters name the person (needles), and the finished ones leave them (below).
  const jobsIn = new Map<string, StoredJob[]>();
  for (const { courseKey } of courses) jobsIn.set(courseKey, await jobsOfCourse(courseKey));
  const needles = await needlesOf(p, courses, [...awardsIn.values()].flat(), [...jobsIn.values()].flat());
  const neutral = (text: string) => scrub(text, needles);

  for (const course of courses) {
    const { courseKey } = course;
    const awards = awardsIn.get(courseKey) ?? [];
    const issuedIds = new Set((issuedIn.get(courseKey) ?? []).map((c) => c.awardId ?? c._id));
    // Their credentials revoked first, through the normal path, when they chose so.
    let revokedHere = 0;
    if (run.choice === 'revoke') {
      for (const a of awards.filter((x) => x.status === 'awarded' && issuedIds.has(x.id))) {
        const done = await revoke(courseKey, a.id, ERASURE_REVOCATION_REASON, run.by.userId);
        if (done.revoked) {
          add('credentialsRevoked', 1);
          revokedHere++;
          await recordAudit({ courseKey, actor: run.by.userId, actorName: run.by.name, action: 'award.revoked', badgeId: a.badgeId, awardId: a.id, detail: `${NEUTRAL}: ${ERASURE_REVOCATION_REASON}` });
        }
      }
    }
    // The revoked badges' "Badge:" scores are cleared in the LMS's grade book now, while Laurel still
    // knows whose they are (once: the scores go below, and the grade book is the LMS's own data).
    if (revokedHere) await syncGradebook(course).catch(() => undefined);
    for (const stale of awards) {
      const a = (await AwardModel.findById(stale._id).lean()) ?? stale;
      // The award's public id, which a run cut short left set aside (below).
      const id = a.id.startsWith(SET_ASIDE) ? a.id.slice(SET_ASIDE.length) : a.id;
      // Engagements go with the person, whatever becomes of the award.
      add('engagements', (await EngagementModel.deleteMany({ _id: { $in: ENGAGEMENT_KINDS.map((k) => `${id}:${k}`) } })).deletedCount);
      if (!issuedIds.has(id)) {
        add('awardsDeleted', (await AwardModel.deleteOne({ _id: a._id })).deletedCount);
        continue;
      }
      // Re-keyed without losing it if cut short: the old document sets its public id aside (it is
      // unique), the new one is inserted under the pseudonym's key with it, then the old one goes.
      if (a.id === id) await AwardModel.updateOne({ _id: a._id }, { $set: { id: `${SET_ASIDE}${id}` } });
      const pseudonym = erasedUserId(id);
      const { _id, recipient: _r, reasonJson: _j, evidence: _e, showName: _s, ...kept } = a;
      // Written whole each run while the old one is there: what a run cut short wrote is written again.
      const newKey = awardKey(courseKey, a.badgeId, pseudonym);
      await AwardModel.collection.replaceOne({ _id: newKey as never }, {
        ...kept, id, userId: pseudonym, erasedAt: a.erasedAt ?? now,
        ...(a.revocationReason ? { revocationReason: neutral(a.revocationReason) } : {}),
      }, { upsert: true });
      // This award's credentials, as read at the start: each belongs to one award, so none is done twice.
      for (const c of (issuedIn.get(courseKey) ?? []).filter((x) => (x.awardId ?? x._id) === id)) {
        await IssuedCredentialModel.updateOne({ _id: c._id }, { $set: { userId: pseudonym, factsJson: factsWithoutPerson(c.factsJson) } });
        add('credentialsPseudonymised', 1);
      }
      for (let period = 1; period <= (a.renewal?.period ?? 0); period++) {
        add('renewalsPseudonymised', (await RenewalModel.updateOne({ _id: renewalKey(id, period), userId: p.userId }, { $set: { userId: pseudonym }, $unset: { reasonJson: 1 } })).modifiedCount);
      }
      add('awardsPseudonymised', (await AwardModel.deleteOne({ _id })).deletedCount);
    }
    const approvals = (await ApprovalModel.deleteMany({ courseKey, userId: p.userId })).deletedCount;
    const scores = (await GradebookScoreModel.deleteMany({ courseKey, userId: p.userId })).deletedCount;
    const standings = await leaveStanding(courseKey, p.userId);
    const staff = (await CourseStaffModel.updateOne({ _id: courseKey }, { $pull: { launched: p.userId, listed: p.userId, graders: p.userId } })).modifiedCount;
    const jobs = await leaveJobs(jobsIn.get(courseKey) ?? [], p.userId, neutral);
    add('approvals', approvals);
    add('gradebookScores', scores);
    add('standings', standings);
    add('staffLists', staff);
    add('bulkJobs', jobs);
    // The course's whole audit log and revocation reasons are read, for sentences naming them, only
    // where they were: a course holding anything of theirs above, or one they launched. The
    // platform's other courses never knew them by id, and reading every course's log whole made an
    // erasure on a platform of 500 courses outlast the administrator's request.
    const held = awards.length + issuedIds.size + approvals + scores + standings + staff + jobs > 0 || launched.has(courseKey) || course.lmsApiGrantedBy === p.userId;
    if (held) {
      add('auditEntries', await neutralAudit({ courseKey }, p.userId, neutral));
      add('otherRevocationReasons', await neutralReasons(courseKey, neutral));
    }
    if (course.lmsApiGrantedBy === p.userId) await CourseModel.updateOne({ _id: course.courseKey }, { $unset: { lmsApiGrantedBy: 1 } });
  }
  add('auditEntries', await neutralAudit({ platform: registrationKey(p) }, p.userId, neutral));

  // What is kept per person.
  const key = personKey(p.issuer, p.clientId, p.userId);
  for (const profile of await publicProfilesOf(p)) {
    // Only the id stays, so its URL answers "gone".
    await PublicProfileModel.collection.replaceOne({ _id: profile._id as never }, { withdrawnAt: now });
    add('publicPages', 1);
  }
  for (const [kind, model] of [['learnerCourses', LearnerCoursesModel], ['taughtCourses', TaughtCoursesModel], ['messageRecipients', MessageRecipientModel], ['lmsUsers', LmsUserModel], ['canvasGrants', CanvasGrantModel]] as const) {
    add(kind, (await (model as typeof LmsUserModel).deleteOne({ _id: key })).deletedCount);
  }
  const outbox = await outboxMessagesOf(p);
  if (outbox.length) add('outboxMessages', (await OutboxModel.deleteMany({ _id: { $in: outbox.map((m) => m._id) } })).deletedCount);
  // Their sessions end with their tokens.
  const idTokens = await idTokensOf(p, courses);
  if (idTokens.length) add('sessions', (await ltijsModels.idtoken.deleteMany({ _id: { $in: idTokens.map((t) => t._id as string) } })).deletedCount);
  const contextTokens = await contextTokensOf(p);
  if (contextTokens.length) add('sessions', (await ltijsModels.contexttoken.deleteMany({ _id: { $in: contextTokens.map((t) => t._id as string) } })).deletedCount);
  // What expires within minutes goes now too: an erasure confirmed right after they opened a
  // badge's wallet page, or started a login, would leave them there until then. An exchange's
  // completion (the wallet's DID) goes with it; their badge already in a wallet stays theirs.
  const exchanges = (await walletExchangesOf(p, courses)).map((e) => e._id);
  if (exchanges.length) {
    await VcApiExchangeCompletionModel.deleteMany({ _id: { $in: exchanges } });
    add('walletExchanges', (await VcApiExchangeModel.deleteMany({ _id: { $in: exchanges } })).deletedCount);
  }
  const logins = (await loginsInProgressOf(p)).map((l) => l._id);
  if (logins.length) add('loginsInProgress', (await LaunchStateModel.deleteMany({ _id: { $in: logins } })).deletedCount);
  return counts;
}

/**
 * The strings that say who the person is, to take out of sentences that stay: their LTI user id,
 * LMS user id, and every name and address Laurel holds of them (awards' recipients, their launches,
 * bulk awards' roster entries), read before anything of them is deleted.
 */
async function needlesOf(p: Person, courses: CourseRecord[], awards: { recipient?: { name?: string; email?: string } }[], jobs: StoredJob[]): Promise<string[]> {
  const key = personKey(p.issuer, p.clientId, p.userId);
  const found = new Set<string>();
  const put = (...values: (string | undefined)[]) => { for (const v of values) if (v && v.trim().length >= 3) found.add(v.trim()); };
  const lmsUser = await LmsUserModel.findById(key).lean();
  put(p.userId);
  put(lmsUser?.lmsUserId, (await MessageRecipientModel.findById(key).lean())?.email);
  for (const t of await idTokensOf(p, courses)) {
    const info = (t.userInfo ?? {}) as Record<string, string | undefined>;
    put(info.name, info.given_name, info.family_name, info.email);
  }
  for (const a of awards) put(a.recipient?.name, a.recipient?.email);
  for (const j of jobs.filter((x) => x.kind === 'award')) {
    for (const m of (j.input as BulkAwardInput | undefined)?.members ?? []) if (m.userId === p.userId) put(m.name, m.givenName, m.familyName, m.email, m.sourcedId);
  }
  // Longest first, so a full name goes before the given name inside it.
  return [...found].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, needles: string[]): string {
  let out = text;
  // Whole words only: a user id "1042" leaves "21042" alone.
  for (const n of needles) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'giu'), NEUTRAL);
  return out;
}

async function leaveStanding(courseKey: string, userId: string): Promise<number> {
  const standing = await CourseStandingModel.findById(courseKey).lean();
  if (!standing) return 0;
  let changed = false;
  const badges = Object.fromEntries(Object.entries(standing.badges as Record<string, Record<string, string[]>>).map(([badgeId, lists]) => [badgeId, Object.fromEntries(Object.entries(lists).map(([where, ids]) => {
    const left = Array.isArray(ids) ? ids.filter((id) => id !== userId) : ids;
    if (Array.isArray(ids) && left.length !== ids.length) changed = true;
    return [where, left];
  }))]));
  if (!changed) return 0;
  await CourseStandingModel.updateOne({ _id: courseKey }, { $set: { badges } });
  return 1;
}

/** Finished bulk awards of a course lose their roster entry; a job they asked for loses their name. Running jobs are left to finish. */
async function leaveJobs(jobs: StoredJob[], userId: string, neutral: (s: string) => string): Promise<number> {
  let n = 0;
  for (const j of jobs) {
    if (j.status !== 'done' && j.status !== 'failed') continue;
    const input = j.input as (BulkAwardInput & { actorName?: string }) | undefined;
    const $set: Record<string, unknown> = {};
    if (j.kind === 'award' && input?.members?.some((m) => m.userId === userId)) $set['input.members'] = input.members.filter((m) => m.userId !== userId);
    if (j.requestedBy === userId) { $set.requestedBy = 'erased'; if (input?.actorName) $set['input.actorName'] = NEUTRAL; }
    if (j.error && neutral(j.error) !== j.error) $set.error = neutral(j.error);
    if (Object.keys($set).length) { await EvaluationJobModel.updateOne({ _id: j._id }, { $set }); n++; }
  }
  return n;
}

/** Entries concerning them keep what happened, not who: their id goes, their name and address become a neutral word. */
async function neutralAudit(scope: { courseKey: string } | { platform: string }, userId: string, neutral: (s: string) => string): Promise<number> {
  let n = 0;
  for (const e of await AuditEntryModel.find(scope).lean()) {
    const detail = neutral(e.detail ?? '');
    const concerns = e.userId === userId;
    const acted = e.actor === userId;
    if (!concerns && !acted && detail === e.detail) continue;
    await AuditEntryModel.updateOne({ _id: e._id }, {
      $set: { detail, ...(acted ? { actor: 'erased' } : {}) },
      ...(concerns || acted ? { $unset: { ...(concerns ? { userId: 1 } : {}), ...(acted ? { actorName: 1 } : {}) } } : {}),
    });
    n++;
  }
  return n;
}

/** Other learners' revocation reasons that named them (an instructor's "copied from …"). */
async function neutralReasons(courseKey: string, neutral: (s: string) => string): Promise<number> {
  let n = 0;
  for (const a of await AwardModel.find({ courseKey, status: 'revoked' }, { _id: 1, revocationReason: 1 }).lean()) {
    if (!a.revocationReason || neutral(a.revocationReason) === a.revocationReason) continue;
    await AwardModel.updateOne({ _id: a._id }, { $set: { revocationReason: neutral(a.revocationReason) } });
    n++;
  }
  return n;
}
