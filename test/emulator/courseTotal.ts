/**
 * The course total as each LMS counts it, in points, for a test to see which columns count:
 * Canvas's final grade leaves out assignments omitted from it (`omit_from_final_grade`); Moodle's
 * Natural aggregation (its default) adds every grade item, a column a tool made through AGS
 * included, since AGS has no way to leave one out (only a teacher setting its weight to 0 does).
 */
import type { Platform } from './platform.js';
import { findUser, resultsOf } from './platform.js';

export interface CourseTotal { score: number; max: number }

export function courseTotal(p: Platform, userId: string): CourseTotal {
  const user = findUser(p, userId);
  let score = 0, max = 0;
  for (const a of p.course.activities) {
    if (p.flavour === 'canvas' && a.omitFromFinalGrade) continue;
    max += a.scoreMaximum;
    const r = user && resultsOf(p, a.id).find((x) => x.userId === user.id);
    // Both keep a grade against the column's maximum; ungraded counts as zero (Canvas's final grade).
    if (r?.score !== undefined) score += (r.score * a.scoreMaximum) / (r.scoreMaximum ?? a.scoreMaximum);
  }
  return { score: Math.round(score * 100) / 100, max };
}
