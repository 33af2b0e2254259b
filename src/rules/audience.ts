/**
 * Who a course member is to Laurel, from the roles the LMS sends (launch `roles`, NRPS `roles`):
 * staff, a learner, Canvas's Student View "Test Student", or an observer (a parent or mentor).
 * Pure, so the rules and the edges read a roster the same way. Platforms send full URIs
 * (http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor) and sometimes short forms
 * ("Instructor", as Moodle's NRPS does); sub-roles look like membership/Instructor#TeachingAssistant.
 */
const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const SYSTEM = 'http://purl.imsglobal.org/vocab/lis/v2/system/person';
/**
 * LTI's own vocabulary (lti, not lis): Canvas sends it, with membership#Learner, for the Student
 * View's fake student (canvas-lms lib/lti/substitutions_helper.rb, LIS_V2_LTI_ADVANTAGE_ROLE_MAP:
 * StudentViewEnrollment and "fake_student"); observers are ObserverEnrollment, membership#Mentor.
 */
export const TEST_USER = 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser';

/** Context roles of course staff (Grader: the Instructor sub-role of those who grade and do not edit). */
export const STAFF_CONTEXT_ROLES = ['Instructor', 'TeachingAssistant', 'Grader', 'ContentDeveloper', 'Administrator'];

/**
 * `test-student`: Canvas's Student View, a teacher looking as a learner: never evaluated nor awarded.
 * `observer`: membership#Mentor without the Learner role (Canvas's observers): watches, earns nothing.
 */
export type Audience = 'staff' | 'learner' | 'test-student' | 'observer';

export interface ParsedRole { scope: 'context' | 'institution' | 'system'; name: string }

export function parseRole(role: string): ParsedRole {
  if (role === TEST_USER) return { scope: 'system', name: 'TestUser' };
  if (role.startsWith(INSTITUTION + '#')) return { scope: 'institution', name: role.slice(INSTITUTION.length + 1) };
  if (role.startsWith(SYSTEM + '#')) return { scope: 'system', name: role.slice(SYSTEM.length + 1) };
  if (role.startsWith(MEMBERSHIP + '#')) return { scope: 'context', name: role.slice(MEMBERSHIP.length + 1) };
  // Sub-role: membership/Instructor#TeachingAssistant
  if (role.startsWith(MEMBERSHIP + '/')) return { scope: 'context', name: role.slice(role.indexOf('#') + 1) };
  // Short forms are context roles (LTI 1.3 §A.2.2, deprecated but still sent).
  return { scope: 'context', name: role.split('#').pop() ?? role };
}

/**
 * Staff first (an instructor, TA, content developer or course/institution administrator); then the
 * Test Student (Learner plus TestUser); then an observer (Mentor, not also a Learner); anyone else
 * is a learner.
 */
export function audienceOf(roles: readonly string[] = []): Audience {
  const parsed = roles.map(parseRole);
  const staff = parsed.some((r) =>
    (r.scope === 'context' && STAFF_CONTEXT_ROLES.includes(r.name)) ||
    (r.scope !== 'context' && r.name === 'Administrator'));
  if (staff) return 'staff';
  if (parsed.some((r) => r.scope === 'system' && r.name === 'TestUser')) return 'test-student';
  const context = new Set(parsed.filter((r) => r.scope === 'context').map((r) => r.name));
  if (context.has('Mentor') && !context.has('Learner')) return 'observer';
  return 'learner';
}
