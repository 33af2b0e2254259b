/**
 * The client registration Laurel sends in LTI Dynamic Registration 1.0 (§3.5): its URLs,
 * the messages and placements it offers, the AGS and NRPS scopes it needs. Pure.
 */
import { LAUREL_SCOPES, ROUTES } from './scopes.js';
import { laurelCustomParameters } from './customParameters.js';

export interface PlatformConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  registration_endpoint: string;
  scopes_supported?: string[];
  claims_supported?: string[];
  'https://purl.imsglobal.org/spec/lti-platform-configuration'?: { product_family_code?: string; version?: string; messages_supported?: { type: string }[] };
}

export function productFamily(c: PlatformConfiguration): string {
  return c['https://purl.imsglobal.org/spec/lti-platform-configuration']?.product_family_code ?? 'lms';
}

export function registrationRequest(publicUrl: string, config: PlatformConfiguration) {
  const launch = publicUrl + ROUTES.launch;
  const canvas = productFamily(config) === 'canvas';
  const wanted = ['iss', 'sub', 'name', 'given_name', 'family_name', 'email', 'locale'];
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: publicUrl + ROUTES.login,
    redirect_uris: [launch],
    client_name: 'Laurel',
    jwks_uri: publicUrl + ROUTES.keys,
    logo_uri: publicUrl + '/assets/laurel.svg',
    token_endpoint_auth_method: 'private_key_jwt',
    scope: LAUREL_SCOPES.filter((s) => !config.scopes_supported || config.scopes_supported.includes(s)).join(' '),
    'https://purl.imsglobal.org/spec/lti-tool-configuration': {
      domain: new URL(publicUrl).host,
      description: 'Open Badges for this course: define badges, see who earned them, share them.',
      target_link_uri: launch,
      claims: config.claims_supported ? wanted.filter((c) => config.claims_supported!.includes(c)) : wanted,
      custom_parameters: laurelCustomParameters(productFamily(config)),
      messages: [
        { type: 'LtiResourceLinkRequest', label: 'Badges', target_link_uri: launch, placements: ['course_navigation'], ...(canvas ? { 'https://canvas.instructure.com/lti/course_navigation/default_enabled': true } : {}) },
        { type: 'LtiDeepLinkingRequest', label: 'Add Laurel badges', target_link_uri: launch, placements: ['link_selection'] },
      ],
      ...(canvas ? { 'https://canvas.instructure.com/lti/privacy_level': 'public' } : {}),
    },
  };
}
