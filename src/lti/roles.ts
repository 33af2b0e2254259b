/**
 * Who may do what, from the LTI `roles` claim. Platforms send full URIs
 * (http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor) and sometimes short forms
 * ("Instructor", as Moodle's NRPS does); sub-roles look like membership/Instructor#TeachingAssistant.
 */
const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const SYSTEM = 'http://purl.imsglobal.org/vocab/lis/v2/system/person';

/** Context roles of course staff (Grader: the Instructor sub-role of those who grade and do not edit). */
const STAFF_CONTEXT_ROLES = ['Instructor', 'TeachingAssistant', 'Grader', 'ContentDeveloper', 'Administrator'];

export type Audience = 'staff' | 'learner';

interface ParsedRole { scope: 'context' | 'institution' | 'system'; name: string }

export function parseRole(role: string): ParsedRole {
  if (role.startsWith(INSTITUTION + '#')) return { scope: 'institution', name: role.slice(INSTITUTION.length + 1) };
  if (role.startsWith(SYSTEM + '#')) return { scope: 'system', name: role.slice(SYSTEM.length + 1) };
  if (role.startsWith(MEMBERSHIP + '#')) return { scope: 'context', name: role.slice(MEMBERSHIP.length + 1) };
  // Sub-role: membership/Instructor#TeachingAssistant
  if (role.startsWith(MEMBERSHIP + '/')) return { scope: 'context', name: role.slice(role.indexOf('#') + 1) };
  // Short forms are context roles (LTI 1.3 §A.2.2, deprecated but still sent).
  return { scope: 'context', name: role.split('#').pop() ?? role };
}

/** An instructor, TA, content developer or course/institution administrator: staff; anyone else is a learner. */
export function audienceOf(roles: readonly string[] = []): Audience {
  const parsed = roles.map(parseRole);
  const staff = parsed.some((r) =>
    (r.scope === 'context' && STAFF_CONTEXT_ROLES.includes(r.name)) ||
    (r.scope !== 'context' && r.name === 'Administrator'));
  return staff ? 'staff' : 'learner';
}

/**
 * Claims an LMS Administrator role (institution or system). On Moodle only site administrators do;
 * on Canvas every account-level role does: who administers Laurel is laurelAdministrator.ts.
 */
export function isPlatformAdmin(roles: readonly string[] = []): boolean {
  return roles.map(parseRole).some((r) => r.scope !== 'context' && r.name === 'Administrator');
}

/**
 * A staff role in the course itself (not only an institution or system role): someone who launches
 * with one is staff in this course for Laurel from then on, whatever the roster says of them.
 */
export function hasCourseStaffRole(roles: readonly string[] = []): boolean {
  return roles.map(parseRole).some((r) => r.scope === 'context' && STAFF_CONTEXT_ROLES.includes(r.name));
}

/**
 * LTI's own word for staff who grade and do not edit: the Instructor sub-role Grader
 * (membership/Instructor#Grader). Administrators and content developers edit whatever else they are.
 */
export function isGraderByRoles(roles: readonly string[] = []): boolean {
  const parsed = roles.map(parseRole);
  const names = new Set(parsed.filter((r) => r.scope === 'context').map((r) => r.name));
  return names.has('Grader') && !names.has('ContentDeveloper') && !names.has('Administrator') && !isPlatformAdmin(roles);
}
