/**
 * The courses an instructor may bring badges from: those they launched Laurel from as staff on
 * the same platform (store/taughtCourse.ts), this one aside, with how many badges each holds.
 * Where the LMS sent the course's copy history (Canvas; Moodle after a restore into a new
 * course), the course this one was copied from comes first and is marked.
 */
import type { CourseRecord } from '../store/course.js';
import { listBadges } from '../store/badge.js';
import { taughtCoursesOf, type TaughtCourse } from '../store/taughtCourse.js';

export interface EarlierCourse extends TaughtCourse {
  badges: number;
  /** The most recent course of the history that this person taught: "this course was copied from …". */
  copiedFrom: boolean;
}

export async function earlierCourses(course: CourseRecord, person: string, history: readonly string[]): Promise<EarlierCourse[]> {
  const taught = (await taughtCoursesOf(course.issuer, course.clientId, person)).filter((c) => c.courseKey !== course.courseKey);
  const rank = (c: TaughtCourse) => {
    const at = history.indexOf(c.contextId);
    return at < 0 ? Infinity : at;
  };
  // Stable: within the history by its order, then the rest as launched, most recent first.
  const ordered = taught.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map(({ c }) => c);
  const first = ordered[0] && rank(ordered[0]) < Infinity ? ordered[0].courseKey : undefined;
  const counts = await Promise.all(ordered.map((c) => listBadges(c.courseKey).then((b) => b.length)));
  return ordered.map((c, i) => ({ ...c, badges: counts[i]!, copiedFrom: c.courseKey === first }));
}
