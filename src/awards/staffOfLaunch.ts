/**
 * What a staff launch tells Laurel about its person: they are staff in this course from now on
 * (never evaluated or awarded, whatever the roster says), and whether they grade only.
 *
 * Moodle launches anyone with mod/lti:manage as Instructor, the non-editing teacher included, but
 * its NRPS names Instructor only those who may manage activities (moodle/course:manageactivities):
 * a Moodle staff launch asks NRPS for the course's Instructors (one small page), and a person it
 * does not list grades only. Elsewhere LTI says it itself, with the Instructor sub-role Grader.
 */
import type { LtijsToken } from 'ltijs';
import type { Logger } from 'pino';
import { audienceOf, hasCourseStaffRole, isGraderByRoles, isPlatformAdmin } from '../lti/roles.js';
import { lmsClientFor } from '../lms/forCourse.js';
import type { CourseRecord } from '../store/course.js';
import { recordStaffLaunch } from '../store/courseStaff.js';

export async function recordStaffOfLaunch(course: CourseRecord, token: LtijsToken, log?: Logger): Promise<void> {
  const roles = token.platformContext.roles ?? [];
  if (!hasCourseStaffRole(roles)) return;
  await recordStaffLaunch(course.courseKey, token.user, await gradesOnly(course, roles, token.user, log));
}

/** True: grades only; false: edits too; undefined: not known this time (what was known stays). */
async function gradesOnly(course: CourseRecord, roles: string[], userId: string, log?: Logger): Promise<boolean | undefined> {
  if (isGraderByRoles(roles)) return true;
  if (isPlatformAdmin(roles) || course.productFamily !== 'moodle') return false;
  if (!course.membershipsUrl) return undefined;
  try {
    const client = await lmsClientFor(course);
    const instructors = await client.members(course.membershipsUrl, { role: 'Instructor' });
    // Whatever the LMS does with the filter, only a listing as staff makes an editor.
    return !instructors.some((m) => m.userId === userId && m.status === 'Active' && audienceOf(m.roles) === 'staff');
  } catch (err) {
    log?.warn({ err, courseKey: course.courseKey }, 'could not ask the LMS whether this teacher may edit (NRPS): what Laurel knew stays');
    return undefined;
  }
}
