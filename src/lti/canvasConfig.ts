/**
 * The developer-key JSON a Canvas admin pastes (Admin › Developer Keys › + LTI Key › Paste JSON).
 * Placements: the course navigation menu, and link selection (Deep Linking) for modules.
 */
import { LAUREL_SCOPES, ROUTES } from './scopes.js';
import { laurelCustomParameters } from './customParameters.js';

export function canvasDeveloperKey(publicUrl: string) {
  const launch = publicUrl + ROUTES.launch;
  return {
    title: 'Laurel',
    description: 'Open Badges for this course: define badges, see who earned them, share them.',
    oidc_initiation_url: publicUrl + ROUTES.login,
    target_link_uri: launch,
    public_jwk_url: publicUrl + ROUTES.keys,
    scopes: [...LAUREL_SCOPES],
    extensions: [{
      platform: 'canvas.instructure.com',
      privacy_level: 'public',
      domain: new URL(publicUrl).host,
      settings: {
        placements: [
          { placement: 'course_navigation', message_type: 'LtiResourceLinkRequest', text: 'Badges', target_link_uri: launch, default: 'enabled' },
          { placement: 'link_selection', message_type: 'LtiDeepLinkingRequest', text: 'Laurel badges', target_link_uri: launch },
        ],
      },
    }],
    custom_fields: laurelCustomParameters('canvas'),
  };
}
