/**
 * How each LMS names a course member's role, in the launch and in NRPS (digest §1, §5, §9).
 */
import type { CourseRole } from './course.js';
import type { Flavour } from './flavours.js';

const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const SYSTEM_USER = 'http://purl.imsglobal.org/vocab/lis/v2/system/person#User';
const TEACHING_ASSISTANT = `${MEMBERSHIP}/Instructor#TeachingAssistant`;
/**
 * canvas-lms lib/lti/substitutions_helper.rb, LIS_V2_LTI_ADVANTAGE_ROLE_MAP: StudentViewEnrollment is
 * membership#Learner plus lti/system/person#TestUser (and the fake student's "fake_student" user role
 * adds TestUser again: the launch dedupes); ObserverEnrollment is membership#Mentor.
 */
const TEST_USER = 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser';
const MENTOR = `${MEMBERSHIP}#Mentor`;

/**
 * A site administrator's extra roles: Canvas adds the institution Administrator role for every
 * account admin, root or sub-account alike (canvas-lms lib/lti/substitutions_helper.rb,
 * LIS_V2_LTI_ADVANTAGE_ROLE_MAP: "admin" and AccountUser both map to it; a sub-account admin is
 * told apart only by $Canvas.user.isRootAccountAdmin, customVariables.ts); Moodle sends the institution and system Administrator roles for site admins.
 */
export function adminRoles(flavour: Flavour): string[] {
  return flavour === 'canvas'
    ? [`${INSTITUTION}#Administrator`]
    : [`${INSTITUTION}#Administrator`, 'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'];
}

/** The `roles` claim of a launch. */
export function launchRoles(flavour: Flavour, role: CourseRole, enrolled = true): string[] {
  if (flavour === 'canvas') {
    // Not enrolled (an account admin opening the course): no context role, only system#User.
    if (!enrolled) return [SYSTEM_USER];
    // Canvas adds an institution role and system#User; a TA is Instructor plus the TA sub-role.
    switch (role) {
      case 'Instructor': return [`${INSTITUTION}#Instructor`, `${MEMBERSHIP}#Instructor`, SYSTEM_USER];
      case 'TeachingAssistant': return [`${MEMBERSHIP}#Instructor`, TEACHING_ASSISTANT, SYSTEM_USER];
      case 'Learner': return [`${INSTITUTION}#Student`, `${MEMBERSHIP}#Learner`, SYSTEM_USER];
      case 'TestStudent': return [`${MEMBERSHIP}#Learner`, TEST_USER, SYSTEM_USER];
      case 'Observer': return [MENTOR, SYSTEM_USER];
    }
  }
  // Moodle launches from an activity as Instructor whoever holds mod/lti:manage, which the
  // non-editing teacher role has: a TA arrives as a plain Instructor.
  return [`${MEMBERSHIP}#${role === 'Instructor' || role === 'TeachingAssistant' ? 'Instructor' : 'Learner'}`];
}

/** A member's `roles` in an NRPS answer. */
export function membershipRoles(flavour: Flavour, role: CourseRole): string[] {
  if (flavour === 'canvas') {
    switch (role) {
      case 'Instructor': return [`${MEMBERSHIP}#Instructor`];
      case 'TeachingAssistant': return [`${MEMBERSHIP}#Instructor`, TEACHING_ASSISTANT];
      case 'Learner': return [`${MEMBERSHIP}#Learner`];
      case 'TestStudent': return [`${MEMBERSHIP}#Learner`, TEST_USER];
      case 'Observer': return [MENTOR];
    }
  }
  // Moodle's NRPS sends short names (seen) and decides at course level by
  // moodle/course:manageactivities, which a non-editing teacher lacks: the TA, Moodle's non-editing
  // teacher, is listed as Learner (seen on Moodle 4.5), though launched as Instructor.
  return [role === 'Instructor' ? 'Instructor' : 'Learner'];
}

/** Does a member match an NRPS `role` filter (a full URI or a short name)? */
export function matchesRoleFilter(flavour: Flavour, role: CourseRole, filter: string): boolean {
  const wanted = filter.includes('#') ? filter.slice(filter.lastIndexOf('#') + 1) : filter;
  return membershipRoles(flavour, role).some((r) => r === filter || r.slice(r.lastIndexOf('#') + 1) === wanted);
}
