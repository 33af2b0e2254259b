/**
 * Who may do what, from the LTI `roles` claim. Platforms send full URIs
 * (http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor) and sometimes short forms
 * ("Instructor", as Moodle's NRPS does); sub-roles look like membership/Instructor#TeachingAssistant.
 */
const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const INSTITUTION = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';
const SYSTEM = 'http://purl.imsglobal.org/vocab/lis/v2/system/person';

/** Context roles that configure and award badges. */
const STAFF_CONTEXT_ROLES = ['Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Administrator'];

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

/** Platform administrators (institution or system Administrator) see the admin pages. */
export function isPlatformAdmin(roles: readonly string[] = []): boolean {
  return roles.map(parseRole).some((r) => r.scope !== 'context' && r.name === 'Administrator');
}
