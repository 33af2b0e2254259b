/**
 * A full evaluation of a course under the course's lease: whichever instance holds it runs
 * the course; the others wait or skip. The lease is renewed while the run lasts and runs out
 * by itself if the process dies.
 *
 * The scheduler lists due courses before it runs them, and another instance may evaluate one
 * meanwhile: under the lease it checks that nobody did (`listed`), and a failure is stamped under
 * the lease too (`failedAt`), so no instance starts a course another has just finished.
 */
import { underLease } from '../store/lease.js';
import { CourseModel, findCourse, type CourseRecord } from '../store/course.js';
import { saveStanding } from '../store/courseStanding.js';
import { standingOf } from '../rules/standing.js';
import { evaluateCourse, type Evaluation, type EvaluateOptions } from '../awards/evaluateCourse.js';

export const LEASE_MS = 60_000;

export const courseLease = (courseKey: string) => `evaluate:${courseKey}`;

export interface LeaseRun {
  /** The course as the scheduler listed it: the run is skipped if its last evaluation has moved since. */
  listed?: Pick<CourseRecord, 'lastEvaluatedAt'>;
  /** A failed run counts as an evaluation at this time (stamped under the lease): the course waits one interval. */
  failedAt?: Date;
}

/** Runs the evaluation if the lease can be taken; null when another instance holds it (or, with `listed`, evaluated it since). */
export async function runCourseUnderLease(course: CourseRecord, o: Omit<EvaluateOptions, 'apply' | 'userId'>, run: LeaseRun = {}): Promise<Evaluation | null> {
  const held = await underLease(courseLease(course.courseKey), LEASE_MS, async () => {
    if (run.listed && !sameTime((await findCourse(course.courseKey))?.lastEvaluatedAt, run.listed.lastEvaluatedAt)) return null;
    try {
      const evaluation = await evaluateCourse(course, { ...o, apply: true });
      await Promise.all([
        CourseModel.updateOne({ courseKey: course.courseKey }, { $set: { lastEvaluatedAt: new Date() } }),
        saveStanding(course.courseKey, standingOf(evaluation.verdicts)),
      ]);
      return evaluation;
    } catch (err) {
      // Tried again after one interval, not at the next pass: the LMS may be down or refusing.
      if (run.failedAt) await CourseModel.updateOne({ courseKey: course.courseKey }, { $set: { lastEvaluatedAt: run.failedAt } }).catch(() => {});
      throw err;
    }
  });
  return held.ran ? held.value : null;
}

const sameTime = (a: Date | undefined, b: Date | undefined) => a?.getTime() === b?.getTime();
