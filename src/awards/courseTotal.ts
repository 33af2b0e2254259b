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
 * - Canvas, through a developer key that enforces scopes: the edit needs the grant to carry the
 *   key's `url:PUT|…/assignments/:id` scope, which Laurel asks for only from a course with a
 *   "Badge:" column (canvasOAuth.ts). A grant given without it is not sent the PUT (Canvas would
 *   answer 401, as to a revoked token): the instructor is asked to connect Canvas again.
 * - Moodle: nothing over AGS or the web services Laurel uses; a teacher sets the item's weight to 0
 *   (the badge editor says how, before the box is ticked).
 */
import type { LineItem } from '../rules/snapshot.js';
import type { CourseRecord } from '../store/course.js';
import { lmsConnectionOf } from '../store/lmsConnection.js';
import { canvasApiFor } from '../lms/sources/readLmsApi.js';
import { scopesEditAssignments } from '../lms/canvasRest/canvasOAuth.js';
import { canvasGrantOf, type CanvasGrant } from '../store/canvasGrant.js';
import { record, text } from '../lms/read.js';
import type { LmsClient } from '../lms/client.js';

/** Why Laurel could not leave the column out (the dashboard says it with what to do: gradebookNotes.ts). */
export type OmitProblem = 'no-course-id' | 'not-connected' | 'no-edit-scope' | 'ambiguous' | 'not-kept' | 'refused';

/** omitted: out of the total now; problem: Laurel tried and could not; undefined: not something Laurel can do here. */
export type OutOfTotal = { omitted: true } | { problem: OmitProblem; detail?: string } | undefined;

export async function leaveOutOfCourseTotal(course: CourseRecord, column: LineItem, client: LmsClient): Promise<OutOfTotal> {
  if (course.productFamily !== 'canvas') return undefined;
  const connection = await lmsConnectionOf(course.issuer, course.clientId);
  if (connection?.kind !== 'canvas-rest') return undefined;
  if (!course.lmsCourseId) return { problem: 'no-course-id' };
  try {
    const found = await canvasApiFor(course, connection, {
      transport: client.transport,
      roster: async () => (course.membershipsUrl ? client.members(course.membershipsUrl) : []),
    });
    if (found === 'none' || found === 'refused') return { problem: 'not-connected' };
    if (connection.enforcesScopes && !scopesEditAssignments(found.grant.scopes)) return { problem: 'no-edit-scope' };
    const path = `/api/v1/courses/${encodeURIComponent(course.lmsCourseId)}/assignments`;
    const candidates = (await found.api.list(path)).map(record).filter((a) =>
      text(a.name) === column.label && Number(a.points_possible) === column.scoreMaximum
      && Array.isArray(a.submission_types) && a.submission_types.length === 1 && a.submission_types[0] === 'none');
    if (candidates.length !== 1) return { problem: 'ambiguous', detail: String(candidates.length) };
    const id = text(candidates[0]!.id)!;
    if (candidates[0]!.omit_from_final_grade === true) return { omitted: true };
    const updated = record(await found.api.put(`${path}/${encodeURIComponent(id)}`, { assignment: { omit_from_final_grade: true } }));
    return updated.omit_from_final_grade === true ? { omitted: true } : { problem: 'not-kept' };
  } catch (err) {
    return { problem: 'refused', detail: (err as Error).message };
  }
}

/**
 * The Canvas grant this course is read through, where its developer key enforces scopes: only
 * there do the grant's scopes limit what Laurel may do. Undefined elsewhere, and for a grant
 * Canvas refused. Read once by a page that asks more than one question of it.
 */
export async function scopedCanvasGrant(course: CourseRecord): Promise<Pick<CanvasGrant, 'scopes'> | undefined> {
  if (course.productFamily !== 'canvas' || !course.lmsApiGrantedBy) return undefined;
  const connection = await lmsConnectionOf(course.issuer, course.clientId);
  if (connection?.kind !== 'canvas-rest' || !connection.enforcesScopes) return undefined;
  const grant = await canvasGrantOf(course.issuer, course.clientId, [course.lmsApiGrantedBy]);
  return grant && !grant.refusedAt ? grant : undefined;
}

/**
 * Whether the Canvas grant this course is read through was given without the edit scope, on a
 * key that enforces scopes: Laurel cannot leave "Badge:" columns out of the final grade until an
 * instructor connects Canvas again from a course with such a column (Laurel then asks for it).
 */
export async function lacksEditScope(course: CourseRecord, grant = scopedCanvasGrant(course)): Promise<boolean> {
  const scoped = await grant;
  return Boolean(scoped && !scopesEditAssignments(scoped.scopes));
}
