/**
 * Keeping a "Badge:" column out of the course total, where the LMS lets a tool do it. Both LMSs
 * add a column made through AGS to the total (a course out of 200 became out of 201 in Moodle
 * 4.5, and a learner without the badge lost a little); AGS itself has no way to say "do not
 * count this".
 *
 * - Canvas: the line item is an assignment (Lti::LineItem belongs_to :assignment, created with the
 *   label as name and submission type "none"), and its REST API can set the assignment's
 *   `omit_from_final_grade` (assignments_api_controller.rb#update). The line item does not say its
 *   assignment's id, so Laurel finds the one assignment with the column's name, 1 point and no
 *   submission; when it cannot tell which, it says so rather than touch another.
 * - Moodle: nothing over AGS or the web services Laurel uses; a teacher sets the item's weight to 0
 *   (the badge editor says how, before the box is ticked).
 */
import type { LineItem } from '../rules/snapshot.js';
import type { CourseRecord } from '../store/course.js';
import { lmsConnectionOf } from '../store/lmsConnection.js';
import { canvasApiFor } from '../lms/sources/readLmsApi.js';
import { record, text } from '../lms/read.js';
import type { LmsClient } from '../lms/client.js';

/** omitted: out of the total now; problem: Laurel tried and could not (why, what to do); undefined: not something Laurel can do here. */
export type OutOfTotal = { omitted: true } | { problem: string } | undefined;

export async function leaveOutOfCourseTotal(course: CourseRecord, column: LineItem, client: LmsClient): Promise<OutOfTotal> {
  if (course.productFamily !== 'canvas') return undefined;
  const connection = await lmsConnectionOf(course.issuer, course.clientId);
  if (connection?.kind !== 'canvas-rest') return undefined;
  if (!course.lmsCourseId) return { problem: 'Canvas did not send its course id with the launch (canvas_course_id=$Canvas.course.id in Laurel\'s custom fields), so Laurel cannot find the column\'s assignment.' };
  try {
    const found = await canvasApiFor(course, connection, {
      transport: client.transport,
      roster: async () => (course.membershipsUrl ? client.members(course.membershipsUrl) : []),
    });
    if (found === 'none' || found === 'refused') {
      return { problem: 'no instructor of this course has connected Canvas (or the connection was refused): connect Canvas from Laurel\'s course page, and Laurel leaves the column out of the final grade.' };
    }
    const path = `/api/v1/courses/${encodeURIComponent(course.lmsCourseId)}/assignments`;
    const candidates = (await found.api.list(path)).map(record).filter((a) =>
      text(a.name) === column.label && Number(a.points_possible) === column.scoreMaximum
      && Array.isArray(a.submission_types) && a.submission_types.length === 1 && a.submission_types[0] === 'none');
    if (candidates.length !== 1) {
      return { problem: `Laurel found ${candidates.length} Canvas assignments named "${column.label}" and cannot tell which is its column; in Canvas, edit that assignment and tick "Do not count this assignment towards the final grade".` };
    }
    const id = text(candidates[0]!.id)!;
    if (candidates[0]!.omit_from_final_grade === true) return { omitted: true };
    const updated = record(await found.api.put(`${path}/${encodeURIComponent(id)}`, { assignment: { omit_from_final_grade: true } }));
    return updated.omit_from_final_grade === true ? { omitted: true } : { problem: 'Canvas did not keep "omit from final grade" on the column\'s assignment.' };
  } catch (err) {
    return { problem: `Canvas refused to leave the column out of the final grade (${(err as Error).message}). If the Canvas developer key enforces scopes, an administrator adds url:PUT|/api/v1/courses/:course_id/assignments/:id to it and an instructor connects Canvas again; or, in Canvas, edit the assignment and tick "Do not count this assignment towards the final grade".` };
  }
}
