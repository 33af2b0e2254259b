/**
 * Earned badges beside the grades, in the LMS itself: for a badge that asks for it, an AGS line
 * item "Badge: <name>" (found again by its resourceId) with a full score for each holder and the
 * verification link as the comment. The column follows the award and the badge:
 *
 * - awarded: the score is posted (once per award: asking again writes nothing);
 * - revoked: the score is cleared, AGS's way (a score without scoreGiven, Initialized/NotReady:
 *   Moodle drops the grade, Canvas empties the submission's score);
 * - expired: kept. An expired badge was still earned, and the grade book records what was
 *   earned in the course; the credential says when it stopped being valid;
 * - the badge renamed: the column is renamed (PUT the line item); deleted, or the option
 *   unticked: the column is deleted (DELETE the line item), and ticked again, made anew;
 * - out of the course total where the LMS allows it (courseTotal.ts).
 *
 * What the LMS should show is recorded first (store/badgeColumn.ts, store/gradebookScore.ts),
 * then written: now, and again with backoff by whichever instance holds the course's lease
 * (jobs/gradebookRetry.ts) when the LMS failed. One learner's failure never stops the others'.
 * The LMS is a courtesy, not the record: a failure leaves the credential as it is, and is logged
 * at warn and shown on the course dashboard with what to do (web/course/gradebookNotes.ts, gradebookProblems).
 */
import type { Logger } from 'pino';
import type { BadgeDefinition } from '../rules/badge.js';
import type { LineItem } from '../rules/snapshot.js';
import type { CourseRecord } from '../store/course.js';
import type { IssuedCredential } from '../store/issuedCredential.js';
import type { Score } from '../lms/ags.js';
import type { LmsClient } from '../lms/client.js';
import { LmsError } from '../lms/errors.js';
import { lmsClientFor } from '../lms/forCourse.js';
import { mapLimit } from '../lms/mapLimit.js';
import { SCOPES } from '../lms/scopes.js';
import { credentialUrls } from '../credentials/urls.js';
import { underLease } from '../store/lease.js';
import { columnFailed, columnOf, columnWritten, dueColumns, forgetColumn, noteColumn, wantColumn, wantColumnRemoved, type BadgeColumn } from '../store/badgeColumn.js';
import { dueScores, forgetScoresOf, rewriteScoresOf, scoreFailed, scoreWritten, wantCleared, wantScores, type GradebookScore } from '../store/gradebookScore.js';
import type { WriteFailure } from '../store/gradebookWrite.js';
import { awardsOf } from '../store/award.js';
import { issuedAmong } from '../store/issuedCredential.js';
import { leaveOutOfCourseTotal } from './courseTotal.js';
import { publicBase } from '../publicBase.js';

/** Laurel's own columns carry this tag, so the rule editor can leave them out. */
export const BADGE_COLUMN_TAG = 'laurel-badge';

const resourceIdOf = (badgeId: string) => `laurel-badge:${badgeId}`;
export const columnLabel = (badge: Pick<BadgeDefinition, 'name'>) => `Badge: ${badge.name}`;

/** Scores posted at once in a course: quick, without flooding the LMS. */
const CONCURRENCY = 4;
const LEASE_MS = 60_000;

/** Credentials just stored: their badges' columns and holders' scores are wanted, then written. */
export async function postToGradebook(course: CourseRecord, badges: ReadonlyMap<string, BadgeDefinition>, issued: IssuedCredential[], log?: Logger): Promise<void> {
  const wanted = issued.filter((c) => badges.get(c.badgeId)?.gradebookColumn);
  if (!wanted.length) return;
  for (const badgeId of new Set(wanted.map((c) => c.badgeId))) await wantColumn(course.courseKey, badgeId, columnLabel(badges.get(badgeId)!));
  await wantScores(course.courseKey, wanted.map((c) => ({ badgeId: c.badgeId, userId: c.userId, awardId: c.publicId })));
  await syncGradebook(course, log);
}

/** A revoked award's score is cleared (when one was ever asked for). */
export async function clearFromGradebook(courseKey: string, badgeId: string, userId: string): Promise<boolean> {
  return wantCleared(courseKey, badgeId, userId);
}

/**
 * A badge saved or deleted (`after` null): its column is made, renamed or removed to match.
 * Ticking the option on a badge that has holders asks for their scores too.
 */
export async function badgeColumnChanged(courseKey: string, before: BadgeDefinition | null, after: BadgeDefinition | null): Promise<boolean> {
  if (after?.gradebookColumn) {
    const known = await columnOf(courseKey, after.id);
    const ticked = !known || known.wanted === 'removed';
    if (!ticked && known.label === columnLabel(after)) return false;
    await wantColumn(courseKey, after.id, columnLabel(after));
    if (ticked) {
      const held = (await awardsOf(courseKey, { badgeId: after.id })).filter((a) => a.status === 'awarded');
      const issued = new Set(held.length ? await issuedAmong(held.map((a) => a.id)) : []);
      await wantScores(courseKey, held.filter((a) => issued.has(a.id)).map((a) => ({ badgeId: a.badgeId, userId: a.userId, awardId: a.id })));
    }
    return true;
  }
  const badge = after ?? before;
  if (!badge) return false;
  await wantColumnRemoved(courseKey, badge.id, columnLabel(badge), Boolean(before?.gradebookColumn));
  return true;
}

export interface GradebookSync { columns: number; written: number; failed: number }

const running = new Map<string, Promise<GradebookSync>>();

/**
 * Writes what is due in the course's grade book. One pass at a time per course in this process,
 * and under the course's grade-book lease across instances (skipped when another holds it: that
 * one writes it). Never throws for the LMS: failures are recorded on what failed.
 */
export function syncGradebook(course: CourseRecord, log?: Logger, now?: Date): Promise<GradebookSync> {
  const key = course.courseKey;
  const next = (running.get(key) ?? Promise.resolve()).catch(() => {}).then(() => syncUnderLease(course, log, now));
  running.set(key, next);
  void next.catch(() => {}).finally(() => { if (running.get(key) === next) running.delete(key); });
  return next;
}

async function syncUnderLease(course: CourseRecord, log: Logger | undefined, now?: Date): Promise<GradebookSync> {
  const none = { columns: 0, written: 0, failed: 0 };
  const run = await underLease(`gradebook:${course.courseKey}`, LEASE_MS, async () => {
    const total = { ...none };
    // A second pass when the first found a column gone from the LMS and made it anew.
    for (let pass = 0; pass < 2; pass++) {
      const done = await syncPass(course, log, now ?? new Date());
      total.columns += done.columns; total.written += done.written; total.failed += done.failed;
      if (!done.again) break;
    }
    return total;
  });
  return run.ran ? run.value : none;
}

/** What an error means for the instructor (see store/gradebookWrite.ts). */
export function writeFailureOf(err: unknown, course: Pick<CourseRecord, 'productFamily'>, at = new Date()): WriteFailure {
  const detail = (err as Error)?.message ?? String(err);
  if (err instanceof LmsError) {
    // Moodle answers 400 `[]` for someone who is not a student (seen in 4.5: a non-editing
    // teacher), "Incorrect score received" and the score in its status line; Canvas 422 "User not
    // found in course or is not a student".
    if (err.status === 400 || err.status === 422) {
      // An empty detail: the LMS gave no reason (the status text, and Moodle's, are none).
      const silent = err.status === 400 && /answered 400( \((Bad Request|Incorrect score received.*)\))?\.?$/s.test(detail);
      return { kind: 'refused', detail: silent ? '' : detail, at };
    }
    if (err.kind === 'unauthorized' || err.kind === 'reconnect') return { kind: 'unauthorized', detail, at };
    if (err.kind === 'unavailable' || err.kind === 'throttled') return { kind: 'unavailable', detail, at };
  }
  return { kind: 'unexpected', detail, at };
}

const gone = (err: unknown) => err instanceof LmsError && err.kind === 'not_found';

/** Why nothing can be written in this course now, if so: no AGS write rights, or no client. */
async function access(course: CourseRecord, at: Date): Promise<{ client: LmsClient } | { failure: WriteFailure }> {
  if (!course.lineItemsUrl || ![SCOPES.lineItem, SCOPES.score].every((s) => course.agsScopes.includes(s))) {
    return { failure: { kind: 'scopes', detail: 'the launch did not give Laurel the AGS line item and score scopes in this course', at } };
  }
  try {
    return { client: await lmsClientFor(course) };
  } catch (err) {
    return { failure: writeFailureOf(err, course, at) };
  }
}

async function syncPass(course: CourseRecord, log: Logger | undefined, now: Date): Promise<GradebookSync & { again: boolean }> {
  const out = { columns: 0, written: 0, failed: 0, again: false };
  const columns = await dueColumns(course.courseKey, now);
  const firstScores = await dueScores(course.courseKey, now);
  if (!columns.length && !firstScores.length) return out;
  const reach = await access(course, now);
  if ('failure' in reach) {
    for (const c of columns) await columnFailed(c, reach.failure, now);
    for (const s of firstScores) await scoreFailed(s, reach.failure, now);
    out.failed = columns.length + firstScores.length;
    log?.warn({ courseKey: course.courseKey, failure: reach.failure, columns: columns.length, scores: firstScores.length }, 'badges cannot be written to the LMS grade book');
    return out;
  }
  const { client } = reach;
  for (const c of columns) {
    try {
      if (await writeColumn(course, client, c)) out.again = true;
      out.columns++;
    } catch (err) {
      const failure = writeFailureOf(err, course, now);
      await columnFailed(c, failure, now);
      out.failed++;
      log?.warn({ err, courseKey: course.courseKey, badgeId: c.badgeId, wanted: c.wanted }, 'could not update the badge\'s grade-book column; Laurel tries again');
    }
  }
  // Read after the columns: a column made anew asked for its scores again.
  const scores = await dueScores(course.courseKey, now);
  const byBadge = new Map<string, GradebookScore[]>();
  for (const s of scores) byBadge.set(s.badgeId, [...(byBadge.get(s.badgeId) ?? []), s]);
  for (const [badgeId, list] of byBadge) {
    const column = await columnOf(course.courseKey, badgeId);
    if (column?.wanted === 'removed') continue; // the column goes, and its scores with it
    if (!column?.lineItemUrl || column.state !== 'written') {
      const failure = column?.failure ?? { kind: 'unexpected' as const, detail: 'the badge\'s column is not in the grade book yet', at: now };
      for (const s of list) await scoreFailed(s, failure, now);
      out.failed += list.length;
      continue;
    }
    let columnGone = false;
    const failures: WriteFailure[] = [];
    await mapLimit(list, CONCURRENCY, async (s) => {
      try {
        await client.postScore(column.lineItemUrl!, scoreOf(s));
        if (await scoreWritten(s, new Date())) out.written++;
      } catch (err) {
        if (gone(err)) { columnGone = true; return; }
        const failure = writeFailureOf(err, course, now);
        failures.push(failure);
        await scoreFailed(s, failure, now);
        out.failed++;
      }
    });
    if (failures.length) {
      log?.warn({ courseKey: course.courseKey, badgeId, failed: failures.length, kinds: [...new Set(failures.map((f) => f.kind))], detail: failures[0]!.detail },
        'some badge scores could not be written to the LMS grade book; the instructor is told on the course dashboard');
    }
    if (columnGone) {
      // Deleted in the LMS: made anew on the next pass, with every score.
      await noteColumn(column, { state: 'pending', nextAttemptAt: now }, ['lineItemUrl', 'labelWritten', 'omitted']);
      await rewriteScoresOf(course.courseKey, badgeId);
      out.again = true;
    }
  }
  return out;
}

/** Each score a later timestamp than the last (Moodle refuses an equal one with 409). */
let lastStamp = 0;
function timestamp(): string {
  lastStamp = Math.max(Date.now(), lastStamp + 1);
  return new Date(lastStamp).toISOString();
}

function scoreOf(s: GradebookScore): Score {
  if (s.wanted === 'cleared') return { userId: s.userId, timestamp: timestamp(), activityProgress: 'Initialized', gradingProgress: 'NotReady' };
  return {
    userId: s.userId, scoreGiven: 1, scoreMaximum: 1, comment: `Badge earned: ${credentialUrls(publicBase(), s.awardId).page}`,
    timestamp: timestamp(), activityProgress: 'Completed', gradingProgress: 'FullyGraded',
  };
}

/**
 * Brings one column in step: removes it, or makes/finds it, renames it, and leaves it out of the
 * course total where the LMS allows. True when it was made anew in place of one that was there.
 */
async function writeColumn(course: CourseRecord, client: LmsClient, c: BadgeColumn): Promise<boolean> {
  const resourceId = resourceIdOf(c.badgeId);
  const find = async () => (await client.lineItems(course.lineItemsUrl!, { resourceId }))[0];
  if (c.wanted === 'removed') {
    const url = c.lineItemUrl ?? (await find())?.id;
    if (url) await client.deleteLineItem(url).catch((err: unknown) => { if (!gone(err)) throw err; });
    if (await forgetColumn(c)) await forgetScoresOf(course.courseKey, c.badgeId);
    return false;
  }
  const hadOne = Boolean(c.lineItemUrl);
  const make = () => client.createLineItem(course.lineItemsUrl!, { label: c.label, scoreMaximum: 1, resourceId, tag: BADGE_COLUMN_TAG });
  let item: LineItem | undefined = c.lineItemUrl
    ? { id: c.lineItemUrl, label: c.labelWritten ?? c.label, scoreMaximum: 1, resourceId, tag: BADGE_COLUMN_TAG, source: 'ags' }
    : await find();
  let made = false;
  if (!item) { item = await make(); made = true; }
  await noteColumn(c, { lineItemUrl: item.id, labelWritten: item.label });
  if (item.label !== c.label) {
    try {
      item = await client.updateLineItem(item, { label: c.label });
    } catch (err) {
      if (!gone(err)) throw err;
      item = await make();
      made = true;
    }
    await noteColumn(c, { lineItemUrl: item.id, labelWritten: item.label });
  }
  const fresh = { lineItemUrl: item.id, labelWritten: item.label };
  if (made || !c.omitted) {
    const total = await leaveOutOfCourseTotal(course, item, client);
    if (total && 'omitted' in total) await noteColumn(c, { omitted: true }, ['omitProblem', 'omitDetail']);
    else if (total) await noteColumn(c, { omitted: false, omitProblem: total.problem, ...(total.detail ? { omitDetail: total.detail } : {}) }, total.detail ? [] : ['omitDetail']);
  }
  await columnWritten(c, fresh);
  if (made && hadOne) await rewriteScoresOf(course.courseKey, c.badgeId);
  return made && hadOne;
}
