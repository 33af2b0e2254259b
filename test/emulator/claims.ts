/**
 * The id_token claims a real launch carries, per flavour (digest §1, §8, §9).
 */
import { randomBytes } from 'node:crypto';
import { uuid, type SeedUser } from './course.js';
import { canvasLegacyUserId, PLATFORM_INFO } from './flavours.js';
import { substituteCustom } from './customVariables.js';
import { findUser, servicesFor, visibleLineItems, type LtiMessageType, type Platform } from './platform.js';
import { adminRoles, launchRoles } from './roles.js';
import { AGS_SCOPES, NRPS_MEMBERSHIPS } from './scopes.js';
import { findTool, type RegisteredTool } from './tools.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
const DL_SETTINGS = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';
const BASIC_OUTCOME = 'https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome';
const ID_TOKEN_LIFETIME_SECONDS = 300;

export interface ClaimsRequest {
  userId: string;
  clientId: string;
  nonce: string;
  message?: LtiMessageType;
  resourceLinkId?: string;
  targetLinkUri?: string;
  /** The user's language (default "en"): launch_presentation.locale, and Canvas's top-level locale claim. */
  locale?: string;
}

export function idTokenClaims(p: Platform, o: ClaimsRequest): Record<string, unknown> {
  const tool = findTool(p, o.clientId);
  const user = findUser(p, o.userId);
  if (!tool) throw new Error(`No tool with client id ${o.clientId}`);
  if (!user) throw new Error(`No user ${o.userId} in the course`);
  const message = o.message ?? 'LtiResourceLinkRequest';
  const { course, flavour } = p;
  const services = servicesFor(p, tool);
  const link = message === 'LtiResourceLinkRequest' ? resourceLink(p, tool, o.resourceLinkId) : undefined;
  const now = Math.floor(Date.now() / 1000);
  const locale = o.locale ?? 'en';

  const claims: Record<string, unknown> = {
    iss: p.issuer,
    aud: tool.clientId, // both LMSs send a string, so no azp check is triggered by an array
    // Canvas adds azp; Moodle 4.5 does not (mod/lti/locallib.php, lti_sign_jwt; checked against it).
    ...(flavour === 'canvas' ? { azp: tool.clientId } : {}),
    sub: user.id,
    iat: now,
    exp: now + ID_TOKEN_LIFETIME_SECONDS,
    nonce: o.nonce,
    [`${LTI}message_type`]: message,
    [`${LTI}version`]: '1.3.0',
    [`${LTI}deployment_id`]: tool.deploymentId,
    [`${LTI}target_link_uri`]: o.targetLinkUri ?? (message === 'LtiDeepLinkingRequest' ? tool.deepLinkingUri ?? tool.targetLinkUri : tool.targetLinkUri),
    [`${LTI}roles`]: launchClaimRoles(flavour, user),
    // An observer's learners, by their LTI user ids (canvas-lms lib/lti/messages/jwt_message.rb, add_mentorship_claims!, current_observee_list).
    ...(user.observes?.length ? { [`${LTI}role_scope_mentor`]: user.observes } : {}),
    [`${LTI}context`]: {
      id: course.contextId,
      label: course.label,
      title: course.title,
      type: [flavour === 'canvas' ? 'http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering' : 'CourseSection'],
    },
    [`${LTI}tool_platform`]: {
      guid: flavour === 'canvas' ? `${uuid(p.url)}:canvas-lms` : new URL(p.url).host,
      name: PLATFORM_INFO[flavour].name,
      version: PLATFORM_INFO[flavour].version,
      product_family_code: PLATFORM_INFO[flavour].productFamilyCode,
      // Moodle also sends the site's full name (tool_consumer_instance_description).
      ...(flavour === 'moodle' ? { description: PLATFORM_INFO[flavour].name } : {}),
    },
    [`${LTI}launch_presentation`]: {
      document_target: 'iframe',
      return_url: flavour === 'canvas'
        ? `${p.courseHost ?? p.url}/courses/${course.id}`
        : `${p.url}/mod/lti/return.php?course=${course.id}&launch_container=3&instanceid=${link?.id ?? ''}&sesskey=emulated`,
      locale,
    },
    ...profileClaims(p, user),
  };
  if (link) claims[`${LTI}resource_link`] = { id: link.id, title: link.title, description: '' };

  const agsScopes = tool.scopes.filter((s) => AGS_SCOPES.includes(s));
  if (agsScopes.length > 0) {
    claims[AGS_CLAIM] = { scope: agsScopes, lineitems: services.lineItems, ...(link?.lineItemId ? { lineitem: services.lineItem(link.lineItemId) } : {}) };
  }
  if (tool.scopes.includes(NRPS_MEMBERSHIPS)) {
    // Moodle lists both versions its memberships service speaks (mod/lti/service/memberships, checked against 4.5).
    claims[NRPS_CLAIM] = { context_memberships_url: services.memberships, service_versions: flavour === 'moodle' ? ['1.0', '2.0'] : ['2.0'] };
  }
  if (message === 'LtiDeepLinkingRequest') claims[DL_SETTINGS] = deepLinkingSettings(p, tool);

  if (flavour === 'canvas') {
    const legacyId = canvasLegacyUserId(user);
    claims.locale = locale;
    claims[`${LTI}custom`] = { canvas_course_id: course.id, canvas_user_id: user.lmsId, ...substituteCustom(flavour, course, user, tool.customParameters) };
    // Canvas leaves a variable it cannot substitute as the literal "$CourseSection.sourcedId" (seen in the wild).
    claims[`${LTI}lis`] = { person_sourcedid: user.sourcedId, course_offering_sourcedid: '$CourseSection.sourcedId' };
    claims[`${LTI}lti11_legacy_user_id`] = legacyId;
    claims[`${LTI}lti1p1`] = { user_id: legacyId };
    claims['https://www.instructure.com/placement'] = message === 'LtiDeepLinkingRequest' ? 'link_selection' : link?.lineItemId ? null : 'course_navigation';
  } else {
    // Moodle repeats the NRPS URL in custom and sends empty sourcedids and the LTI 1.1 outcome claim (seen).
    claims[`${LTI}custom`] = { ...substituteCustom(flavour, course, user, tool.customParameters), ...(tool.scopes.includes(NRPS_MEMBERSHIPS) ? { context_memberships_url: services.memberships } : {}) };
    claims[`${LTI}lis`] = { person_sourcedid: '', course_section_sourcedid: '' };
    claims[`${LTI}ext`] = { user_username: user.email.split('@')[0], lms: 'moodle-2' };
    if (link?.lineItemId) {
      const sourcedid = { data: { instanceid: link.id, userid: user.id, typeid: tool.typeId, launchid: `ltilaunch${link.id}_${randomBytes(4).readUInt32BE()}` }, hash: randomBytes(32).toString('hex') };
      claims[BASIC_OUTCOME] = { lis_result_sourcedid: JSON.stringify(sourcedid), lis_outcome_service_url: `${p.url}/mod/lti/service.php` };
    }
  }
  return claims;
}

/** Moodle's roles come sorted (institution Administrator, membership Instructor, system Administrator; checked against 4.5). */
function launchClaimRoles(flavour: Platform['flavour'], user: SeedUser): string[] {
  const roles = [...launchRoles(flavour, user.role, user.enrolled !== false && user.status !== 'Concluded'), ...(user.siteAdmin || (flavour === 'canvas' && user.subAccountAdmin) ? adminRoles(flavour) : [])];
  return flavour === 'moodle' ? roles.sort() : roles;
}

/** The link being launched: a seeded activity's, or the tool's own course-level placement. */
function resourceLink(p: Platform, tool: RegisteredTool, resourceLinkId?: string): { id: string; title: string; lineItemId?: string } {
  const placement = p.flavour === 'canvas' ? uuid(`placement:${tool.clientId}`) : String(100 + Number(tool.typeId));
  const id = resourceLinkId ?? placement;
  const activity = visibleLineItems(p, tool).find((a) => a.resourceLinkId === id);
  return { id, title: activity?.label ?? tool.name, lineItemId: activity?.id };
}

function profileClaims(p: Platform, user: SeedUser): Record<string, string> {
  const claims: Record<string, string> = {};
  if (!p.privacy.hideNames) {
    Object.assign(claims, { name: user.name, given_name: user.givenName, family_name: user.familyName });
    if (p.flavour === 'canvas') claims.picture = `${p.url}/images/messages/avatar-50.png`;
  }
  if (!p.privacy.hideEmails) claims.email = user.email;
  return claims;
}

function deepLinkingSettings(p: Platform, tool: RegisteredTool): Record<string, unknown> {
  const data = `dl-${randomBytes(12).toString('hex')}`;
  p.deepLinkData.set(data, tool.clientId);
  const returnUrl = p.flavour === 'canvas'
    ? `${p.courseHost ?? p.url}${p.paths.deepLinkReturn.replace(':courseId', p.course.id)}?modal=true`
    : `${p.url}${p.paths.deepLinkReturn}?course=${p.course.id}&id=${tool.typeId}&sesskey=emulated`;
  return {
    deep_link_return_url: returnUrl,
    accept_types: ['ltiResourceLink'],
    accept_presentation_document_targets: ['iframe', 'window'],
    accept_multiple: true,
    auto_create: false,
    data,
  };
}
