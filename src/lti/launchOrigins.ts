/**
 * The sites a launch shows Laurel from, read from an id_token Laurel has validated: the platform
 * signed them, so they are the platform's own hosts. Cloud Canvas builds these URLs from the
 * host the person is browsing (the school's host or its own domain), not from its issuer:
 * canvas-lms lib/lti/messages/jwt_message.rb sets launch_presentation.return_url from the
 * controller's return URL and names_and_roles_service.context_memberships_url with
 * `@expander.controller.polymorphic_url` (the request's host), and
 * lib/lti/messages/deep_linking_request.rb builds deep_link_return_url the same way. The AGS
 * endpoint URLs are read too: the platform signed them, and Canvas may change their host
 * between launches (school host or vanity domain).
 */
import type { JWTPayload } from 'jose';
import { LTI } from './idToken.js';
import { frameOrigin } from '../store/frameOrigins.js';

const AGS = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
const DEEP_LINKING = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';

const field = (claim: unknown, name: string): unknown =>
  (claim && typeof claim === 'object' && !Array.isArray(claim) ? (claim as Record<string, unknown>)[name] : undefined);

/** At most a handful of origins, each a bare http(s) origin; anything else in the claims is ignored. */
export function launchOrigins(payload: JWTPayload): string[] {
  const urls = [
    field(payload[`${LTI}launch_presentation`], 'return_url'),
    field(payload[DEEP_LINKING], 'deep_link_return_url'),
    field(payload[NRPS], 'context_memberships_url'),
    field(payload[AGS], 'lineitems'),
    field(payload[AGS], 'lineitem'),
  ];
  const origins = new Set<string>();
  for (const url of urls) {
    const origin = typeof url === 'string' ? frameOrigin(url) : null;
    if (origin) origins.add(origin);
  }
  return [...origins].sort();
}
