/**
 * Background re-evaluation: every course launched recently is evaluated again when its last
 * evaluation is older than the interval the admin set (SYNC_INTERVAL_MINUTES; 0 turns it off).
 * Every instance runs the scheduler; the course lease lets one of them do each course.
 */
import type { Logger } from 'pino';
import { CourseModel } from '../store/course.js';
import { runCourseUnderLease } from './courseRun.js';
import { issueCourseCredentials } from './issueCredentials.js';

/** Courses nobody launched for this long are left alone (the term is over). */
const ACTIVE_WITHIN_MS = 60 * 24 * 3600_000;

export async function evaluateDueCourses(intervalMinutes: number, logger: Logger, now = new Date()): Promise<number> {
  const dueBefore = new Date(now.getTime() - intervalMinutes * 60_000);
  const due = await CourseModel.find({
    lastLaunchAt: { $gt: new Date(now.getTime() - ACTIVE_WITHIN_MS) },
    $or: [{ lastEvaluatedAt: { $exists: false } }, { lastEvaluatedAt: { $lt: dueBefore } }],
  }).sort({ lastEvaluatedAt: 1 }).limit(20).lean();
  let ran = 0;
  for (const course of due) {
    try {
      if (await runCourseUnderLease(course, {})) {
        ran++;
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

export function startScheduler(intervalMinutes: number, logger: Logger, tickMs = 60_000): () => void {
  if (intervalMinutes === 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    evaluateDueCourses(intervalMinutes, logger).catch((err) => logger.error({ err }, 'scheduler failed')).finally(() => { running = false; });
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}
