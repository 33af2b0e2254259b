/**
 * Where Canvas and Moodle put things and how they name them (digest §8, §9): endpoint paths,
 * service URLs, tool ids, platform identity. Behaviour that differs per flavour lives next to the
 * behaviour (ags.ts, nrps.ts, …), marked with the flavour's name.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SeedCourse, SeedUser } from './course.js';

export type Flavour = 'canvas' | 'moodle';

export interface FlavourPaths {
  auth: string;
  jwks: string;
  token: string;
  /** Where the flavour serves its OpenID configuration (also served at /.well-known/openid-configuration). */
  openidConfiguration: string;
  registration: string;
  deepLinkReturn: string;
}

export const PATHS: Record<Flavour, FlavourPaths> = {
  canvas: {
    auth: '/api/lti/authorize_redirect',
    jwks: '/api/lti/security/jwks',
    token: '/login/oauth2/token',
    openidConfiguration: '/api/lti/security/openid-configuration',
    registration: '/api/lti/registrations',
    deepLinkReturn: '/courses/:courseId/deep_linking_response',
  },
  moodle: {
    auth: '/mod/lti/auth.php',
    jwks: '/mod/lti/certs.php',
    token: '/mod/lti/token.php',
    openidConfiguration: '/mod/lti/openid-configuration.php',
    registration: '/mod/lti/openid-registration.php',
    deepLinkReturn: '/mod/lti/contentitem_return.php',
  },
};

export const PLATFORM_INFO: Record<Flavour, { name: string; version: string; productFamilyCode: Flavour }> = {
  canvas: { name: 'Laurel Emulated Canvas', version: 'cloud', productFamilyCode: 'canvas' },
  moodle: { name: 'Laurel Emulated Moodle', version: '2024100700', productFamilyCode: 'moodle' },
};

/** The ids a platform hands a newly registered tool. */
export function newToolIds(flavour: Flavour, course: SeedCourse, n: number): { clientId: string; deploymentId: string; typeId: string } {
  const typeId = String(n);
  if (flavour === 'canvas') {
    // Canvas: developer key global id as client id; deployment "<tool id>:<context hash>".
    return { clientId: String(10000000000000 + n), deploymentId: `${n}:${course.contextId}`, typeId };
  }
  // Moodle: a random 15-character client id; the deployment id is the tool type id.
  return { clientId: randomBytes(12).toString('base64url').slice(0, 15), deploymentId: typeId, typeId };
}

/** The Canvas login_hint and LTI 1.1 user id: a 40-hex opaque id, not the `sub`. */
export function canvasLegacyUserId(user: SeedUser): string {
  return createHash('sha1').update(`user:${user.lmsId}`).digest('hex');
}

/** `login_hint` in the login initiation: Moodle sends its user id (= sub). */
export function loginHintFor(flavour: Flavour, user: SeedUser): string {
  return flavour === 'canvas' ? canvasLegacyUserId(user) : user.id;
}

/** URLs of the LTI services, as the tool receives them in claims and follows them. */
export function serviceUrls(flavour: Flavour, base: string, course: SeedCourse, typeId: string) {
  if (flavour === 'canvas') {
    const lineItems = `${base}/api/lti/courses/${course.id}/line_items`;
    return {
      lineItems,
      lineItem: (id: string) => `${lineItems}/${id}`,
      results: (id: string) => `${lineItems}/${id}/results`,
      result: (id: string, user: SeedUser) => `${lineItems}/${id}/results/${user.lmsId}`,
      memberships: `${base}/api/lti/courses/${course.id}/names_and_roles`,
    };
  }
  // Moodle carries the tool type in a query string: a tool must insert `/results` before it.
  const services = `${base}/mod/lti/services.php`;
  const q = `?type_id=${typeId}`;
  return {
    lineItems: `${services}/${course.id}/lineitems${q}`,
    lineItem: (id: string) => `${services}/${course.id}/lineitems/${id}/lineitem${q}`,
    results: (id: string) => `${services}/${course.id}/lineitems/${id}/lineitem/results${q}`,
    result: (id: string, user: SeedUser) => `${services}/${course.id}/lineitems/${id}/lineitem/results${q}&user_id=${user.id}`,
    memberships: `${services}/CourseSection/${course.id}/bindings/${typeId}/memberships`,
  };
}
