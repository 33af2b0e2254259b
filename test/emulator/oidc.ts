/**
 * The OIDC authorization endpoint (digest §1 step 2–3): checks the tool's authentication request
 * against the pending launch and answers with an auto-submitted form posting the signed id_token.
 * Canvas's public endpoint `authorize_redirect` only bounces the browser to `/api/lti/authorize`.
 */
import { randomBytes } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { idTokenClaims } from './claims.js';
import { autoSubmitForm, errorPage } from './html.js';
import { signJwt } from './keys.js';
import type { Platform } from './platform.js';
import { caught } from './caught.js';
import { findTool } from './tools.js';

const CANVAS_AUTHORIZE = '/api/lti/authorize';

export function mountAuthEndpoint(app: Express, p: Platform): void {
  if (p.flavour === 'canvas') {
    app.all(p.paths.auth, (req, res) => {
      const params = new URLSearchParams({ ...(req.query as Record<string, string>), ...(req.body as Record<string, string>) });
      res.redirect(302, `${CANVAS_AUTHORIZE}?${params}`);
    });
    app.all(CANVAS_AUTHORIZE, caught(authorize(p)));
  } else {
    app.all(p.paths.auth, caught(authorize(p)));
  }
}

function authorize(p: Platform) {
  return async (req: Request, res: Response) => {
    const q = { ...(req.query as Record<string, unknown>), ...(req.body as Record<string, unknown>) } as Record<string, string | undefined>;
    const refuse = (message: string) => res.status(400).type('html').send(errorPage('Invalid LTI authentication request', message));

    if (q.scope !== 'openid') return refuse(`scope must be "openid", got "${q.scope ?? ''}".`);
    if (q.response_type !== 'id_token') return refuse(`response_type must be "id_token", got "${q.response_type ?? ''}".`);
    if (q.response_mode !== 'form_post') return refuse(`response_mode must be "form_post", got "${q.response_mode ?? ''}".`);
    if (q.prompt !== 'none') return refuse(`prompt must be "none", got "${q.prompt ?? ''}".`);
    const tool = findTool(p, q.client_id);
    if (!tool) return refuse(`Unknown client_id "${q.client_id ?? ''}".`);
    if (!q.redirect_uri || !tool.redirectUris.includes(q.redirect_uri)) {
      return refuse(`redirect_uri "${q.redirect_uri ?? ''}" is not registered for this tool (registered: ${tool.redirectUris.join(', ')}).`);
    }
    if (!q.nonce) return refuse('nonce is required.');
    const launch = q.lti_message_hint ? p.pendingLaunches.get(q.lti_message_hint) : undefined;
    if (!launch || launch.expiresAt < Date.now()) return refuse('lti_message_hint does not match a launch in progress (unknown or expired).');
    if (launch.tool.clientId !== tool.clientId) return refuse('lti_message_hint belongs to a launch of another tool.');
    if (q.login_hint !== launch.loginHint) return refuse('login_hint does not match the user who started this launch.');
    if (p.flavour === 'canvas' && launch.session !== 'user') {
      // Canvas's validate_current_user! (app/controllers/lti/ims/authentication_controller.rb): no
      // session, or a user whose opaque id is not the login_hint, gets the OIDC error posted to the
      // redirect URI in place of an id_token, with the tool's state; the cached launch stays unread.
      const fields: Record<string, string> = { error: 'login_required', error_description: 'Must have an active user session' };
      if (q.state !== undefined) fields.state = q.state;
      return res.type('html').send(autoSubmitForm(q.redirect_uri, fields));
    }
    // Moodle's mod/lti/auth.php unsets the launch ($SESSION->$launchid) once read: a hint works once.
    if (p.flavour === 'moodle') p.pendingLaunches.delete(q.lti_message_hint!);

    const claims = idTokenClaims(p, {
      userId: launch.user.id,
      clientId: tool.clientId,
      nonce: q.nonce,
      message: launch.message,
      resourceLinkId: launch.resourceLinkId,
      targetLinkUri: launch.targetLinkUri,
      locale: launch.locale,
    });
    const fields: Record<string, string> = { id_token: await signJwt(p.keys, claims) };
    if (q.state !== undefined) fields.state = q.state;
    if (p.flavour === 'canvas') {
      // Canvas's form also carries Rails fields and the storage target (seen); tools must ignore extras.
      Object.assign(fields, { utf8: '✓', authenticity_token: randomBytes(32).toString('base64'), lti_storage_target: p.storageTarget });
    }
    res.type('html').send(autoSubmitForm(q.redirect_uri, fields));
  };
}
