/**
 * Who may do what, from the LTI `roles` claim. Who is staff, learner, Test Student or observer is
 * the rules' reading (rules/audience.ts), shared here so launches and rosters never disagree.
 */
import { audienceOf, parseRole, STAFF_CONTEXT_ROLES, type Audience } from '../rules/audience.js';

export { audienceOf, parseRole, type Audience };

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
