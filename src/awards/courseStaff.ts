/**
 * Staff are never learners. The roster's roles say who teaches on most LMSs, but not on Moodle,
 * whose NRPS lists a non-editing teacher as a Learner: so Laurel also counts as staff whoever
 * launched it in the course as staff, and whoever the LMS's API lists as teaching it. This is
 * where that knowledge meets the roster: who the learners are, who may be awarded, and what an
 * evaluation learns about the course's staff (who grades only).
 */
import type { CourseSnapshot, Member } from '../rules/snapshot.js';
import { audienceOf } from '../rules/audience.js';
import { lmsClientFor } from '../lms/forCourse.js';
import type { ListedStaff } from '../lms/sources/readLmsApi.js';
import type { CourseRecord } from '../store/course.js';
import { courseStaffOf, staffIdsOf, updateCourseStaff, type CourseStaff } from '../store/courseStaff.js';

/** A learner of the course: neither the roster's roles nor what Laurel knows make them staff. */
export function isLearner(m: Member, staff: ReadonlySet<string>): boolean {
  return audienceOf(m.roles) === 'learner' && !staff.has(m.userId);
}

/** The snapshot with the course's known staff in it, for the rules to leave out. */
export function withKnownStaff(snapshot: CourseSnapshot, known: CourseStaff): CourseSnapshot {
  const staff = new Set([...(snapshot.staff ?? []), ...staffIdsOf(known)]);
  return staff.size ? { ...snapshot, staff: [...staff] } : snapshot;
}

/** The roster from NRPS alone, with who of it is staff: for pages and awards that need nobody's grades. */
export async function rosterOf(course: CourseRecord): Promise<{ members: Member[]; staff: Set<string> }> {
  const [members, known] = await Promise.all([
    course.membershipsUrl ? lmsClientFor(course).then((c) => c.members(course.membershipsUrl!)) : Promise.resolve([]),
    courseStaffOf(course.courseKey),
  ]);
  return { members, staff: staffIdsOf(known) };
}

/** Why a member cannot be awarded (staff, the Test Student, an observer), in English (the API's words); undefined for a learner. */
export function notALearner(m: Member, staff: ReadonlySet<string>): string | undefined {
  if (isLearner(m, staff)) return undefined;
  const who = m.name ?? m.userId;
  const audience = audienceOf(m.roles);
  if (audience === 'test-student') return `${who} is Canvas's Test Student (Student View, a teacher looking as a learner): badges are for learners.`;
  if (audience === 'observer') return `${who} observes learners in this course (an observer or mentor, not a learner): badges are for learners.`;
  return audience === 'staff'
    ? `${who} is staff in this course (the LMS's roster says so): badges are for learners.`
    : `${who} is staff in this course (they opened Laurel here as staff, or the LMS lists them as a teacher), though the LMS's roster lists them as a learner, as Moodle does for a non-editing teacher: badges are for learners.`;
}

/**
 * What an evaluation learned: the API's teachers (replacing those of its last full reading), and
 * who of the known staff grades only: the API says so (Moodle's `teacher` without an editing
 * role), or, where the API did not list them, the roster calls them a Learner although they
 * launched as staff (Moodle's NRPS for a non-editing teacher). Someone neither lists keeps what
 * was known. Writes only what changed.
 */
export async function learnCourseStaff(course: CourseRecord, known: CourseStaff, members: readonly Member[], listed: ListedStaff[] | undefined, fullRun: boolean): Promise<void> {
  const graders = new Set(known.graders);
  const byApi = new Map((listed ?? []).map((s) => [s.userId, s.gradesOnly]));
  const staff = new Set([...staffIdsOf(known), ...byApi.keys()]);
  for (const m of members) {
    if (!staff.has(m.userId)) continue;
    const gradesOnly = byApi.get(m.userId) ?? (m.status === 'Active' && known.launched.includes(m.userId) ? audienceOf(m.roles) === 'learner' : undefined);
    if (gradesOnly === true) graders.add(m.userId);
    else if (gradesOnly === false) graders.delete(m.userId);
  }
  await updateCourseStaff(course.courseKey, known, {
    graders: [...graders],
    ...(fullRun && listed ? { listed: listed.map((s) => s.userId) } : {}),
  });
}
