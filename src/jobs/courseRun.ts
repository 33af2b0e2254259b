/**
 * A full evaluation of a course under the course's lease: whichever instance holds it runs
 * the course; the others wait or skip. The lease is renewed while the run lasts and runs out
 * by itself if the process dies.
 */
import { takeLease, releaseLease } from '../store/lease.js';
import { CourseModel, type CourseRecord } from '../store/course.js';
import { saveStanding } from '../store/courseStanding.js';
import { standingOf } from '../rules/standing.js';
import { evaluateCourse, type Evaluation, type EvaluateOptions } from '../awards/evaluateCourse.js';

export const LEASE_MS = 60_000;

export const courseLease = (courseKey: string) => `evaluate:${courseKey}`;

/** Runs the evaluation if the lease can be taken; null when another instance holds it. */
export async function runCourseUnderLease(course: CourseRecord, o: Omit<EvaluateOptions, 'apply' | 'userId'>): Promise<Evaluation | null> {
  const name = courseLease(course.courseKey);
  if (!(await takeLease(name, LEASE_MS))) return null;
  // Renewals are chained and awaited before the release: never two writes to the lease at once
  // (FerretDB can stall on concurrent updates of one document).
  let renewing: Promise<unknown> = Promise.resolve();
  const renew = setInterval(() => { renewing = renewing.then(() => takeLease(name, LEASE_MS)).catch(() => {}); }, LEASE_MS / 3);
  try {
    const evaluation = await evaluateCourse(course, { ...o, apply: true });
    await Promise.all([
      CourseModel.updateOne({ courseKey: course.courseKey }, { $set: { lastEvaluatedAt: new Date() } }),
      saveStanding(course.courseKey, standingOf(evaluation.verdicts)),
    ]);
    return evaluation;
  } finally {
    clearInterval(renew);
    await renewing;
    await releaseLease(name);
  }
}
