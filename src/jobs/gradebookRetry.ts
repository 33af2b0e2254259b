/**
 * Grade-book writes that failed are tried again with backoff (store/gradebookWrite.ts), by
 * whichever instance notices first: every instance looks for courses with writes due, and the
 * course's grade-book lease lets one of them write each (awards/gradebookColumn.ts). Writing
 * twice is harmless: the same score, a later timestamp.
 */
import type { Logger } from 'pino';
import { coursesWithDueColumns } from '../store/badgeColumn.js';
import { coursesWithDueScores } from '../store/gradebookScore.js';
import { findCourse } from '../store/course.js';
import { syncGradebook } from '../awards/gradebookColumn.js';

/** Writes what is due now in every course; answers how many courses it went through. */
export async function retryGradebookWrites(logger: Logger, now = new Date()): Promise<number> {
  const [columns, scores] = await Promise.all([coursesWithDueColumns(now), coursesWithDueScores(now)]);
  let courses = 0;
  for (const courseKey of new Set([...columns, ...scores])) {
    const course = await findCourse(courseKey);
    if (!course) continue;
    await syncGradebook(course, logger, now);
    courses++;
  }
  return courses;
}

export function startGradebookRetrier(logger: Logger, everyMs = 30_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    retryGradebookWrites(logger).catch((err) => logger.warn({ err }, 'could not retry grade-book writes')).finally(() => { running = false; });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
