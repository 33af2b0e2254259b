/**
 * Background re-evaluation: every course launched recently is evaluated again when its last
 * evaluation is older than its platform's interval: the one the platform's administrator set
 * on the admin page, else the server's SYNC_INTERVAL_MINUTES (0 turns it off, either way).
 * A course whose term has ended (courseConclusion.ts) is skipped until staff launch it again.
 *
 * Every instance runs the scheduler, each evaluating several courses at once (SYNC_CONCURRENCY):
 * an evaluation mostly waits for the LMS, and what the LMS can take is bounded per LMS, whatever
 * the number of courses (lms/hostGate.ts), not by evaluating one course after another. The course
 * lease lets one instance do each course; a course another instance evaluated since it was listed
 * is left alone (courseRun.ts), so instances sharing a database share the work.
 */
import type { Logger } from 'pino';
import { CourseModel, noteCredentialsChecked, type CourseRecord } from '../store/course.js';
import { ownSyncIntervals } from '../store/platformSettings.js';
import { runCourseUnderLease } from './courseRun.js';
import { issueCourseCredentials } from './issueCredentials.js';
import { activeLearnerCount, noteRosterOfRun } from './courseConclusion.js';

/** Courses nobody launched for this long are left alone (the term is over). */
export const ACTIVE_WITHIN_MS = 60 * 24 * 3600_000;

/** Courses an instance evaluates at once unless SYNC_CONCURRENCY says otherwise. */
export const DEFAULT_SYNC_CONCURRENCY = 4;

/** How many due courses are listed at a time, per course evaluated at once. */
const LISTED_PER_SLOT = 5;

/**
 * Awards are signed as they are made (here, by "Evaluate now", approvals, launches); the scheduler
 * also signs whatever a course has left unsigned (a crash between recording and signing), but
 * that look reads every credential of the course: after a run that awarded nothing, only this
 * often per course, whichever instance runs it.
 */
const CATCH_UP_MS = 24 * 3600_000;

/**
 * The courses to evaluate now, longest waiting first, leaving out `tried` (courses this pass has
 * already had). `defaultMinutes` is the server's interval.
 */
export async function dueCourses(defaultMinutes: number, now = new Date(), limit = 20, tried: readonly string[] = []): Promise<CourseRecord[]> {
  const waitedFor = (minutes: number) => ({
    $or: [{ lastEvaluatedAt: { $exists: false } }, { lastEvaluatedAt: { $lt: new Date(now.getTime() - minutes * 60_000) } }],
  });
  const own = await ownSyncIntervals();
  // A platform is (issuer, client id): the same issuer may be several institutions (Canvas cloud).
  const due: object[] = own.filter((p) => p.syncIntervalMinutes > 0)
    .map((p) => ({ issuer: p.issuer, clientId: p.clientId, ...waitedFor(p.syncIntervalMinutes) }));
  if (defaultMinutes > 0) {
    const notOwn = own.length ? { $nor: own.map((p) => ({ issuer: p.issuer, clientId: p.clientId })) } : {};
    due.push({ ...notOwn, ...waitedFor(defaultMinutes) });
  }
  if (due.length === 0) return [];
  return CourseModel.find({
    concludedAt: { $exists: false }, lastLaunchAt: { $gt: new Date(now.getTime() - ACTIVE_WITHIN_MS) }, $or: due,
    ...(tried.length ? { courseKey: { $nin: tried } } : {}),
  }).sort({ lastEvaluatedAt: 1 }).limit(limit).lean();
}

export interface SchedulerOptions {
  /** Courses evaluated at once by this instance. */
  concurrency?: number;
}

/**
 * One pass: every due course, `concurrency` at a time, each taken from a list that is read again
 * when it runs out, until no due course is left that this pass has not had. Answers how many
 * this instance evaluated.
 */
export async function evaluateDueCourses(defaultMinutes: number, logger: Logger, now = new Date(), o: SchedulerOptions = {}): Promise<number> {
  const concurrency = Math.max(1, o.concurrency ?? DEFAULT_SYNC_CONCURRENCY);
  const tried = new Set<string>();
  const queue: CourseRecord[] = [];
  let exhausted = false;
  let listing: Promise<void> | undefined;
  const next = async (): Promise<CourseRecord | undefined> => {
    while (queue.length === 0 && !exhausted) {
      // One listing at a time, whichever slot is free first; the others wait for it.
      listing ??= dueCourses(defaultMinutes, now, concurrency * LISTED_PER_SLOT, [...tried]).then((listed) => {
        const fresh = listed.filter((c) => !tried.has(c.courseKey));
        for (const c of fresh) tried.add(c.courseKey);
        queue.push(...fresh);
        if (fresh.length === 0) exhausted = true;
      }).finally(() => { listing = undefined; });
      await listing;
    }
    return queue.shift();
  };
  let ran = 0;
  const slot = async () => {
    for (let course = await next(); course; course = await next()) if (await evaluateDue(course, logger, now)) ran++;
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
  return ran;
}

/** One due course: evaluated, its roster noted for term end, its credentials issued. False when another instance had it. */
async function evaluateDue(course: CourseRecord, logger: Logger, now: Date): Promise<boolean> {
  const startedAt = Date.now();
  let learners: number;
  let awarded: number;
  try {
    const run = await evaluated(course, logger, now);
    if (!run) return false;
    ({ learners, awarded } = run);
    logger.info({ courseKey: course.courseKey, awarded: run.awarded, pending: run.pending, startedAt, ms: Date.now() - startedAt }, 'course evaluated in the background');
  } catch (err) {
    logger.warn({ err, courseKey: course.courseKey }, 'background evaluation failed');
    return false;
  }
  try {
    if (await noteRosterOfRun(course, learners, now)) {
      logger.info({ courseKey: course.courseKey }, 'the roster has had no active learner for several runs: the course has ended, background sync stops until staff launch it');
    }
    const checked = course.credentialsCheckedAt;
    if (awarded > 0 || !checked || Date.now() - checked.getTime() > CATCH_UP_MS) {
      await issueCourseCredentials(course.courseKey, undefined, logger);
      await noteCredentialsChecked(course.courseKey);
    }
  } catch (err) {
    logger.warn({ err, courseKey: course.courseKey }, 'background evaluation failed after its awards: credentials are issued at the next run');
  }
  return true;
}

/**
 * The evaluation under the course's lease, reduced to what the scheduler needs of it: the
 * snapshot and verdicts are let go here, not held while the credentials are signed (with several
 * courses at once, that would be several courses' worth).
 */
async function evaluated(course: CourseRecord, logger: Logger, now: Date): Promise<{ learners: number; awarded: number; pending: number } | null> {
  const evaluation = await runCourseUnderLease(course, { log: logger }, { listed: course, failedAt: now });
  // A renewal has a credential to sign, as an award has.
  return evaluation && { learners: activeLearnerCount(evaluation.snapshot), awarded: evaluation.awarded + evaluation.renewed, pending: evaluation.pending };
}

export interface SchedulerTiming extends SchedulerOptions {
  /** How often the instance looks for due courses (a pass in progress is not started twice). */
  tickMs?: number;
}

/** Ticks even when the server's interval is 0: a platform's administrator may turn sync on for theirs. */
export function startScheduler(defaultMinutes: number, logger: Logger, o: SchedulerTiming = {}): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    evaluateDueCourses(defaultMinutes, logger, new Date(), o).catch((err) => logger.error({ err }, 'scheduler failed')).finally(() => { running = false; });
  }, o.tickMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
