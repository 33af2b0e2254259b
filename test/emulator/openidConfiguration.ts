/**
 * The platform's OpenID configuration (LTI Dynamic Registration 1.0 §3, digest §2). Served at
 * /.well-known/openid-configuration and at the path each LMS uses.
 */
import type { Request, Response } from 'express';
import { PLATFORM_INFO } from './flavours.js';
import type { Platform } from './platform.js';
import { SUPPORTED_SCOPES } from './scopes.js';

export function openidConfiguration(p: Platform): Record<string, unknown> {
  const canvas = p.flavour === 'canvas';
  const config: Record<string, unknown> = {
    issuer: p.issuer,
    authorization_endpoint: `${p.sso}${p.paths.auth}`,
    token_endpoint: `${p.sso}${p.paths.token}`,
    jwks_uri: `${p.sso}${p.paths.jwks}`,
    registration_endpoint: `${p.url}${p.paths.registration}`,
    scopes_supported: ['openid', ...SUPPORTED_SCOPES],
    response_types_supported: ['id_token'],
    subject_types_supported: ['public', 'pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS256'],
    claims_supported: ['sub', 'iss', 'name', 'given_name', 'family_name', 'email', 'locale', ...(canvas ? ['picture'] : [])],
    'https://purl.imsglobal.org/spec/lti-platform-configuration': {
      product_family_code: PLATFORM_INFO[p.flavour].productFamilyCode,
      version: PLATFORM_INFO[p.flavour].version,
      messages_supported: canvas
        ? [
          { type: 'LtiResourceLinkRequest', placements: ['course_navigation', 'assignment_selection', 'link_selection'] },
          { type: 'LtiDeepLinkingRequest', placements: ['assignment_selection', 'link_selection', 'editor_button'] },
        ]
        : [{ type: 'LtiResourceLinkRequest' }, { type: 'LtiDeepLinkingRequest', placements: ['ContentArea'] }],
      variables: canvas
        ? ['$Canvas.course.id', '$Canvas.user.id', '$Canvas.user.loginId', '$Canvas.api.domain', '$Person.email.primary', '$Person.name.full']
        : ['Context.id', 'CourseSection.title', 'Person.name.full', 'Person.email.primary', 'User.id', 'ToolProxyBinding.memberships.url'],
    },
  };
  if (canvas) {
    // Lti::Oidc.auth_domain (security_controller.rb): the sso host in the cloud.
    config.authorization_server = new URL(p.sso).host;
    config['https://canvas.instructure.com/lti/account_name'] = PLATFORM_INFO.canvas.name;
  }
  return config;
}

/**
 * Canvas answers its configuration only for a registration token it issued
 * (app/controllers/security_controller.rb openid_configuration: 401 without one); the emulator's own
 * /.well-known address answers anyone, for tests that read the configuration directly.
 */
export function openidConfigurationHandler(p: Platform) {
  return (req: Request, res: Response) => {
    const token = req.query.registration_token;
    if (p.flavour === 'canvas' && req.path === p.paths.openidConfiguration && !(typeof token === 'string' && p.registrationTokens.has(token))) {
      res.status(401).json({ error: 'Access token missing (You must include the registration_token parameter).' });
      return;
    }
    res.json(openidConfiguration(p));
  };
}
