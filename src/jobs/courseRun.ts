/**
 * A full evaluation of a course under the course's lease: whichever instance holds it runs
 * the course; the others wait or skip. The lease is renewed while the run lasts and runs out
 * by itself if the process dies.
 */
import { takeLease, releaseLease } from '../store/lease.js';
import { CourseModel, type CourseRecord } from '../store/course.js';
import { evaluateCourse, type Evaluation, type EvaluateOptions } from '../awards/evaluateCourse.js';

export const LEASE_MS = 60_000;

export const courseLease = (courseKey: string) => `evaluate:${courseKey}`;

/** Runs the evaluation if the lease can be taken; null when another instance holds it. */
export async function runCourseUnderLease(course: CourseRecord, o: Omit<EvaluateOptions, 'apply' | 'userId'>): Promise<Evaluation | null> {
  const name = courseLease(course.courseKey);
  if (!(await takeLease(name, LEASE_MS))) return null;
  const renew = setInterval(() => { takeLease(name, LEASE_MS).catch(() => {}); }, LEASE_MS / 3);
  try {
    const evaluation = await evaluateCourse(course, { ...o, apply: true });
    await CourseModel.updateOne({ courseKey: course.courseKey }, { $set: { lastEvaluatedAt: new Date() } });
    return evaluation;
  } finally {
    clearInterval(renew);
    await releaseLease(name);
  }
}
