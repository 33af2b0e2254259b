/**
 * Term end, as Laurel can see it. Canvas takes NRPS members and launch roles from current
 * enrolments only (lib/lti/substitutions_helper.rb, course_enrollments: current_enrollments), and
 * a concluded enrolment is `completed` (app/models/enrollment.rb), so at term end the roster
 * shrinks, then empties. A course whose roster had active learners and then shows none for
 * several background runs in a row has ended: Laurel stops reading it (scheduler.ts) rather than
 * evaluate an empty roster forever, and a staff launch resumes it (store/course.ts, resumeCourse).
 * Awards are never touched: an evaluation only adds them.
 */
import type { CourseSnapshot } from '../rules/snapshot.js';
import { audienceOf } from '../rules/audience.js';
import { CourseModel, type CourseRecord } from '../store/course.js';

/** Empty rosters in a row before the course counts as ended: one empty reading may be an LMS hiccup. */
export const EMPTY_RUNS_TO_CONCLUDE = 3;

/** Active learners in a roster: not staff by role or as Laurel knows them, not Test Student nor observer. */
export function activeLearnerCount(snapshot: CourseSnapshot): number {
  const staff = new Set(snapshot.staff ?? []);
  return snapshot.members.filter((m) => m.status === 'Active' && !staff.has(m.userId) && audienceOf(m.roles) === 'learner').length;
}

/** After a background run: remember learners seen, count empty runs, conclude after enough of them. */
export async function noteRosterOfRun(course: CourseRecord, learners: number, now = new Date()): Promise<boolean> {
  if (learners > 0) {
    if (!course.learnersSeen || course.emptyRosterRuns || course.resumedAfterEnd) {
      await CourseModel.updateOne({ courseKey: course.courseKey }, { $set: { learnersSeen: true, emptyRosterRuns: 0 }, $unset: { resumedAfterEnd: 1 } });
    }
    return false;
  }
  if (!course.learnersSeen) return false; // a course not yet started, or one with no learners ever
  const fresh = await CourseModel.findOneAndUpdate({ courseKey: course.courseKey }, { $inc: { emptyRosterRuns: 1 } }, { new: true }).lean();
  if (!fresh || (fresh.emptyRosterRuns ?? 0) < EMPTY_RUNS_TO_CONCLUDE || fresh.concludedAt) return false;
  await CourseModel.updateOne({ courseKey: course.courseKey }, { $set: { concludedAt: now } });
  return true;
}
