/**
 * Names and Role Provisioning Services 2.0 (digest §5). Canvas lists active and inactive members
 * with full role URIs and offers a `differences` link; Moodle lists active enrolments only, with
 * short role names, under a URL bound to the tool type.
 */
import type { Express, Request, RequestHandler, Response } from 'express';
import type { SeedUser } from './course.js';
import { canvasLegacyUserId } from './flavours.js';
import { linkHeader, paginate } from './paging.js';
import { servicesFor, type Platform } from './platform.js';
import { matchesRoleFilter, membershipRoles } from './roles.js';
import { NRPS_MEMBERSHIPS } from './scopes.js';
import { inCourse, logServiceRequests, requireScope, serviceError, throttleServiceRequests, type ServiceLocals } from './serviceGuard.js';

const MEMBERSHIP_CONTAINER = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

export function mountNrps(app: Express, p: Platform): void {
  const path = p.flavour === 'canvas'
    ? '/api/lti/courses/:courseId/names_and_roles'
    : '/mod/lti/services.php/CourseSection/:courseId/bindings/:typeId/memberships';
  // Moodle's memberships resource reads no Accept header: `*/*` is answered too (checked against 4.5).
  const moodleChecks: RequestHandler[] = p.flavour === 'moodle' ? [moodleToolBinding(p)] : [];
  app.get(path, logServiceRequests(p), throttleServiceRequests(p), requireScope(p, [NRPS_MEMBERSHIPS]), inCourse(p), ...moodleChecks, memberships(p));
}

/** Moodle: the URL names the tool type the token must belong to. */
function moodleToolBinding(p: Platform): RequestHandler {
  return (req, res, next) => {
    if (req.params.typeId === (res.locals as ServiceLocals).tool.typeId) return next();
    serviceError(p, res, 403, 'This tool is not bound to this context');
  };
}

function memberships(p: Platform) {
  return (req: Request, res: Response) => {
    const { tool } = res.locals as ServiceLocals;
    const url = servicesFor(p, tool).memberships;
    const q = req.query as Record<string, string | undefined>;
    const canvas = p.flavour === 'canvas';
    // Canvas's differences view: here simply the members whose enrolment is no longer active.
    const differences = canvas && q.since !== undefined;
    // A concluded enrolment is not a current one: never listed (course.ts, MemberStatus).
    const listed = p.course.users.filter((u) => u.enrolled !== false && u.status !== 'Concluded' &&
      (differences ? u.status !== 'Active' : canvas ? u.status !== 'Deleted' : u.status === 'Active') &&
      (q.role === undefined || matchesRoleFilter(p.flavour, u.role, q.role)));

    const page = paginate(p, req, listed, { moodleNrps: !canvas });
    const links = canvas ? [...page.links, { rel: 'differences', url: `${url}?since=${encodeURIComponent(new Date().toISOString())}` }] : page.links;
    if (links.length) res.set('Link', linkHeader(links));
    const body = {
      id: new URL(req.originalUrl, p.url).toString(),
      context: { id: p.course.contextId, label: p.course.label, title: p.course.title },
      members: page.items.map((u) => member(p, u)),
    };
    res.status(200).type(MEMBERSHIP_CONTAINER).send(JSON.stringify(body));
  };
}

function member(p: Platform, u: SeedUser): Record<string, unknown> {
  const m: Record<string, unknown> = { status: u.status, user_id: u.id, roles: membershipRoles(p.flavour, u.role) };
  if (!p.privacy.hideNames) {
    Object.assign(m, { name: u.name, given_name: u.givenName, family_name: u.familyName });
    if (p.flavour === 'canvas') m.picture = `${p.url}/images/messages/avatar-50.png`;
  }
  if (!p.privacy.hideEmails) m.email = u.email;
  // Moodle adds the user's idnumber (empty here, as in its launches) and, with names, the user name (memberships.php).
  if (p.flavour === 'moodle') {
    m.lis_person_sourcedid = '';
    if (!p.privacy.hideNames) m.ext_user_username = u.email.split('@')[0];
  }
  if (p.flavour === 'canvas') Object.assign(m, { lis_person_sourcedid: u.sourcedId, lti11_legacy_user_id: canvasLegacyUserId(u) });
  return m;
}
