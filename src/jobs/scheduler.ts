/**
 * Background re-evaluation: every course launched recently is evaluated again when its last
 * evaluation is older than its platform's interval: the one the platform's administrator set
 * on the admin page, else the server's SYNC_INTERVAL_MINUTES (0 turns it off, either way).
 * Every instance runs the scheduler; the course lease lets one of them do each course.
 * A course whose term has ended (courseConclusion.ts) is skipped until staff launch it again.
 */
import type { Logger } from 'pino';
import { CourseModel, type CourseRecord } from '../store/course.js';
import { ownSyncIntervals } from '../store/platformSettings.js';
import { runCourseUnderLease } from './courseRun.js';
import { issueCourseCredentials } from './issueCredentials.js';
import { activeLearnerCount, noteRosterOfRun } from './courseConclusion.js';

/** Courses nobody launched for this long are left alone (the term is over). */
const ACTIVE_WITHIN_MS = 60 * 24 * 3600_000;

/** The courses to evaluate now, longest waiting first. `defaultMinutes` is the server's interval. */
export async function dueCourses(defaultMinutes: number, now = new Date(), limit = 20): Promise<CourseRecord[]> {
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
  return CourseModel.find({ concludedAt: { $exists: false }, lastLaunchAt: { $gt: new Date(now.getTime() - ACTIVE_WITHIN_MS) }, $or: due })
    .sort({ lastEvaluatedAt: 1 }).limit(limit).lean();
}

export async function evaluateDueCourses(defaultMinutes: number, logger: Logger, now = new Date()): Promise<number> {
  const due = await dueCourses(defaultMinutes, now);
  let ran = 0;
  for (const course of due) {
    try {
      const evaluation = await runCourseUnderLease(course, { log: logger });
      if (evaluation) {
        ran++;
        if (await noteRosterOfRun(course, activeLearnerCount(evaluation.snapshot), now)) {
          logger.info({ courseKey: course.courseKey }, 'the roster has had no active learner for several runs: the course has ended, background sync stops until staff launch it');
        }
        await issueCourseCredentials(course.courseKey, undefined, logger);
      }
    } catch (err) {
      logger.warn({ err, courseKey: course.courseKey }, 'background evaluation failed');
      // Try again after one interval, not at the next tick: the LMS may be down or refusing.
      await CourseModel.updateOne({ courseKey: course.courseKey }, { $set: { lastEvaluatedAt: now } });
    }
  }
  return ran;
}

/** Ticks even when the server's interval is 0: a platform's administrator may turn sync on for theirs. */
export function startScheduler(defaultMinutes: number, logger: Logger, tickMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    evaluateDueCourses(defaultMinutes, logger).catch((err) => logger.error({ err }, 'scheduler failed')).finally(() => { running = false; });
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
