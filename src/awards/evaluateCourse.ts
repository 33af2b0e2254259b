/**
 * Reads the LMS, applies every badge's rules, and turns verdicts into awards, and into renewals
 * of awards in their renewal window: the one place where lms/, rules/ and store/ meet. Awarding
 * and renewing are idempotent: each depends only on the verdict, and a unique key makes a second
 * run (or a second instance) a no-op.
 */
import type { Logger } from 'pino';
import type { BadgeDefinition } from '../rules/badge.js';
import type { CourseSnapshot } from '../rules/snapshot.js';
import { recipientOf } from './recipient.js';
import type { Verdict } from '../rules/verdict.js';
import { evaluate } from '../rules/index.js';
import { takeSnapshot } from '../lms/snapshot.js';
import { mergeLmsApi, readLmsApi } from '../lms/sources/readLmsApi.js';
import type { LmsClient } from '../lms/client.js';
import { lmsClientFor } from '../lms/forCourse.js';
import type { CourseRecord } from '../store/course.js';
import { listBadges } from '../store/badge.js';
import { createAwards, heldBadges, heldByLearner, revokedAwards } from '../store/award.js';
import { approvalsOf } from '../store/approval.js';
import { courseStaffOf } from '../store/courseStaff.js';
import { learnCourseStaff, withKnownStaff } from './courseStaff.js';
import { applyRenewals, heldForRules } from './renewal.js';
import { announceAwards } from './announce.js';

export interface Progress { phase: string; done: number; total: number }

export interface Evaluation {
  /**
   * The course as read. A whole course's run that records awards keeps no results or
   * completions in it: they are let go once the verdicts are made, before the awards are written.
   */
  snapshot: CourseSnapshot;
  badges: BadgeDefinition[];
  verdicts: Verdict[];
  warnings: string[];
  /** Awards this run created. */
  awarded: number;
  pending: number;
  /** Renewals this run recorded (their credentials are signed with the course's next ones). */
  renewed: number;
  lmsRequests: number;
}

export interface EvaluateOptions {
  /** Only this learner (a learner's launch). */
  userId?: string;
  /** Create awards from the verdicts; false for a preview. */
  apply: boolean;
  /** `userId` is Canvas's Test Student: evaluated as a learner for their preview page, never applied. */
  preview?: boolean;
  /** A badge being edited, evaluated as if saved (preview before saving). */
  draft?: BadgeDefinition;
  client?: LmsClient;
  onProgress?: (p: Progress) => void;
  /** Where a failure of the LMS's own API is logged for the administrator. */
  log?: Logger;
  /** The run's clock: the snapshot's time, the "now" of every rule, the date of its awards and renewals. */
  now?: Date;
}

export async function evaluateCourse(course: CourseRecord, o: EvaluateOptions): Promise<Evaluation> {
  const client = o.client ?? (await lmsClientFor(course));
  o.onProgress?.({ phase: 'reading grades and roster from the LMS', done: 0, total: 0 });
  const { snapshot, badges, verdicts, warnings, held } = await judge(course, client, o);
  const now = new Date(snapshot.takenAt);

  let awarded = 0;
  let pending = 0;
  let renewed = 0;
  if (o.apply && !o.preview) {
    const toAward = verdicts.filter((v) => v.earned && !v.alreadyAwarded);
    o.onProgress?.({ phase: 'recording awards', done: 0, total: toAward.length });
    const members = new Map(snapshot.members.map((m) => [m.userId, m]));
    // A batch of awards at a time: a large course's awards are not all made into documents at once.
    for (let start = 0; start < toAward.length; start += AWARD_BATCH) {
      const created = await createAwards(toAward.slice(start, start + AWARD_BATCH).map((v) => ({
        courseKey: course.courseKey, badgeId: v.badgeId, userId: v.userId,
        status: v.awaitingApproval ? 'pending' : 'awarded', origin: 'rules', reason: v.reason,
        recipient: recipientOf(members.get(v.userId)),
      })), now);
      await announceAwards(course.courseKey, created); // their learners (and the staff's digest) are told
      const createdAwarded = created.filter((a) => a.status === 'awarded').length;
      awarded += createdAwarded;
      pending += created.length - createdAwarded;
    }
    o.onProgress?.({ phase: 'recording awards', done: toAward.length, total: toAward.length });
    renewed = await applyRenewals(course.courseKey, verdicts, badges, held, now);
  }
  return { snapshot, badges, verdicts, warnings, awarded, pending, renewed, lmsRequests: client.requests };
}

const AWARD_BATCH = 1000;

/**
 * The course read and every badge's rules applied. Its own function so that what only the rules
 * needed is let go when it returns: the readings once merged, and, for a whole course's run that
 * records awards, the results and completions once judged (most of a large course's memory).
 */
async function judge(course: CourseRecord, client: LmsClient, o: EvaluateOptions) {
  const badgesRead = listBadges(course.courseKey).then((list) => (o.draft ? [...list.filter((b) => b.id !== o.draft!.id), o.draft] : list));
  const [read, badges, held, revoked, approvals] = await Promise.all([
    readCourse(course, client, badgesRead, o),
    badgesRead,
    o.userId ? badgesRead.then((list) => heldByLearner(course.courseKey, o.userId!, list.map((b) => b.id))) : heldBadges(course.courseKey),
    o.userId ? badgesRead.then((list) => revokedAwards(course.courseKey, { userId: o.userId!, badgeIds: list.map((b) => b.id) })) : revokedAwards(course.courseKey),
    approvalsOf(course.courseKey),
  ]);
  const { snapshot, warnings } = read;
  await learnCourseStaff(course, read.knownStaff, snapshot.members, read.staff, !o.userId);
  const badgesById = new Map(badges.map((b) => [b.id, b]));
  const verdicts = evaluate({ badges, snapshot, held: heldForRules(held, badgesById), revoked, approvals, userIds: o.userId ? [o.userId] : undefined, preview: o.preview ? o.userId : undefined });
  const kept = o.apply && !o.userId ? { ...snapshot, results: [], completions: [] } : snapshot;
  return { snapshot: kept, badges, verdicts, warnings, held };
}

/**
 * The course as the LMS shows it: LTI services and the LMS's own API read at once, then merged.
 * Its own function so that the readings (a large course's API results, its completions) are let
 * go once merged, not kept beside the snapshot for the rest of the run.
 */
async function readCourse(course: CourseRecord, client: LmsClient, badgesRead: Promise<BadgeDefinition[]>, o: EvaluateOptions) {
  // The LMS is far and slow, the database near: read both at once.
  const ltiRead = takeSnapshot(client, { lineItemsUrl: course.lineItemsUrl, membershipsUrl: course.membershipsUrl }, { userId: o.userId, ...(o.now ? { now: () => o.now! } : {}) });
  // The LMS's own API, where connected, beside LTI; the roster then says whose grades are whose.
  const apiRead = badgesRead.then((badges) => readLmsApi(course, { badges, userId: o.userId, transport: client.transport, roster: () => ltiRead.then((l) => l.snapshot.members), log: o.log }));
  const [lti, apiOutcome, knownStaff] = await Promise.all([ltiRead, apiRead, courseStaffOf(course.courseKey)]);
  // Staff are never learners: those the launches and the API made known join the roster's own.
  const api = mergeLmsApi(withKnownStaff(lti.snapshot, knownStaff), apiOutcome);
  return { snapshot: api.snapshot, staff: api.staff, knownStaff, warnings: [...lti.warnings, ...api.warnings] };
}
