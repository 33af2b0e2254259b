/**
 * LTI Dynamic Registration (digest §2): the admin page that opens the tool's registration URL in an
 * iframe with `openid_configuration` and `registration_token`, and the registration endpoint the
 * tool POSTs its client metadata to. Registered tools are active at once (Moodle would show them as
 * pending until the admin activates them; Canvas would still need the key enabled and installed).
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { escapeHtml, page } from './html.js';
import type { Platform } from './platform.js';
import { registerTool } from './tools.js';

export const REGISTER_PAGE_PATH = '/emulator/register';
export const REGISTERED_PAGE_PATH = '/emulator/registered';
export const DR_IFRAME_PATH = '/api/lti/accounts/self/dr_iframe';
const TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

export function dynamicRegistrationUrl(p: Platform, toolRegisterUrl: string): string {
  return `${p.url}${REGISTER_PAGE_PATH}?${new URLSearchParams({ url: toolRegisterUrl })}`;
}

/**
 * The admin page: a fresh registration token each time, the tool in an iframe, waiting for its
 * close message. Canvas nests the tool one frame deeper: its registration wizard (the school's host)
 * frames `/api/lti/accounts/:account_id/dr_iframe?url=…` (also the school's host), which frames the
 * tool and forwards the tool's close message up (canvas-lms
 * app/views/lti/ims/dynamic_registration/dr_iframe.html.erb). Its openid_configuration URL is on
 * the issuer's host, with the token in it (dynamic_registration_controller.rb
 * oidc_configuration_url: `host: parsed_issuer.host` outside development).
 */
export function registerPage(p: Platform) {
  return (req: Request, res: Response) => {
    const toolUrl = httpUrl(req.query.url);
    if (!toolUrl) {
      res.status(400).type('html').send(page('Dynamic registration', '<main><p class="error">Give the tool\'s registration URL as ?url=</p></main>'));
      return;
    }
    const token = randomBytes(24).toString('base64url');
    p.registrationTokens.add(token);
    const canvas = p.flavour === 'canvas';
    // Canvas puts the token into the configuration URL; Moodle's is a fixed address.
    const configUrl = canvas
      ? `${p.issuer}${p.paths.openidConfiguration}?registration_token=${token}`
      : `${p.url}${p.paths.openidConfiguration}`;
    toolUrl.searchParams.set('openid_configuration', configUrl);
    toolUrl.searchParams.set('registration_token', token);
    const framed = canvas ? `${DR_IFRAME_PATH}?${new URLSearchParams({ url: toolUrl.toString() })}` : toolUrl.toString();
    // Canvas's wizard hears the close message from its own dr_iframe; Moodle's page from the tool.
    const closeFrom = canvas ? new URL(p.url).origin : toolUrl.origin;
    res.type('html').send(page('Dynamic registration', `<main><h1>Register an LTI tool</h1>
<iframe id="registration" src="${escapeHtml(framed)}" style="width:100%;height:80vh;border:1px solid #ccc"></iframe></main>
<script>
window.addEventListener('message', function (event) {
  if (event.origin !== ${JSON.stringify(closeFrom)} || !event.data || event.data.subject !== 'org.imsglobal.lti.close') return;
  location.href = ${JSON.stringify(REGISTERED_PAGE_PATH)};
});
</script>`));
  };
}

/**
 * Canvas's dr_iframe (dynamic_registration_controller.rb `dr_iframe`, dr_iframe.html.erb): 400
 * without a url, 401 when its registration_token is not one this Canvas issued, else the tool's
 * registration page in a frame, with the tool's close message forwarded to the wizard above.
 */
export function drIframe(p: Platform) {
  return (req: Request, res: Response) => {
    const toolUrl = httpUrl(req.query.url);
    if (!toolUrl) {
      res.status(400).json({ errors: [{ message: 'url is missing or not an http(s) URL' }] });
      return;
    }
    if (!p.registrationTokens.has(toolUrl.searchParams.get('registration_token') ?? '')) {
      res.status(401).json({ errorMessage: 'Invalid root_account_id in registration_token' });
      return;
    }
    res.type('html').send(`<!doctype html><style>body{margin:0;padding:0}</style>
<script>
var onMessage = function (message) {
  if (message.data && message.data.subject === 'org.imsglobal.lti.close' && message.origin === ${JSON.stringify(toolUrl.origin)}) {
    window.removeEventListener('message', onMessage);
    window.parent.postMessage(message.data, '*');
  }
};
window.addEventListener('message', onMessage);
</script>
<iframe src="${escapeHtml(toolUrl.toString())}" style="width:100%;height:600px;border:0;display:block"></iframe>`);
  };
}

function httpUrl(v: unknown): URL | undefined {
  try {
    const url = new URL(String(v));
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** What the admin sees after the tool closed the registration. */
export function registeredPage(p: Platform) {
  return (_req: Request, res: Response) => {
    const rows = p.tools.map((t) => `<li>${escapeHtml(t.name)} — client id <code>${escapeHtml(t.clientId)}</code>, deployment <code>${escapeHtml(t.deploymentId)}</code></li>`).join('');
    res.type('html').send(page('Registered tools', `<main><h1>Registered tools</h1><ul>${rows}</ul></main>`));
  };
}

/** POST of the tool's client registration (LTI-DR §3.5), authorised by a registration token this platform issued. */
export function registrationEndpoint(p: Platform) {
  return (req: Request, res: Response) => {
    const token = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!token || !p.registrationTokens.has(token)) {
      res.status(401).json({ error: 'invalid_token', error_description: 'A registration token issued by this platform is required as Authorization: Bearer.' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const invalid = invalidRegistration(body);
    if (invalid) {
      res.status(400).json({ error: 'invalid_client_metadata', error_description: invalid });
      return;
    }
    p.registrationTokens.delete(token);

    const config = body[TOOL_CONFIGURATION] as Record<string, unknown>;
    const messages = Array.isArray(config.messages) ? (config.messages as Record<string, unknown>[]) : [];
    const deepLinking = messages.find((m) => m.type === 'LtiDeepLinkingRequest');
    const tool = registerTool(p, {
      name: typeof body.client_name === 'string' ? body.client_name : 'Tool',
      initiateLoginUri: body.initiate_login_uri as string,
      redirectUris: body.redirect_uris as string[],
      jwksUri: body.jwks_uri as string,
      targetLinkUri: config.target_link_uri as string,
      ...(typeof deepLinking?.target_link_uri === 'string' ? { deepLinkingUri: deepLinking.target_link_uri } : {}),
      scopes: typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : [],
      ...(isStringRecord(config.custom_parameters) ? { customParameters: config.custom_parameters } : {}),
    });
    res.json({
      client_id: tool.clientId,
      application_type: body.application_type ?? 'web',
      grant_types: body.grant_types ?? ['implicit', 'client_credentials'],
      response_types: body.response_types ?? ['id_token'],
      initiate_login_uri: tool.initiateLoginUri,
      redirect_uris: tool.redirectUris,
      client_name: tool.name,
      jwks_uri: tool.jwksUri,
      ...(body.logo_uri ? { logo_uri: body.logo_uri } : {}),
      token_endpoint_auth_method: 'private_key_jwt',
      scope: tool.scopes.join(' '),
      // Moodle names the deployment in the tool configuration. Canvas creates one later, when an
      // admin installs the key; newer Canvas (lti_registrations_next) also makes a root-account
      // deployment now and names it at the top level (dynamic_registration_controller.rb,
      // render_registration: `deployment_id: deployment&.deployment_id`).
      [TOOL_CONFIGURATION]: p.flavour === 'moodle' ? { ...config, deployment_id: tool.deploymentId } : config,
      ...(p.flavour === 'canvas' && p.rootDeploymentAtRegistration ? { deployment_id: tool.deploymentId } : {}),
    });
  };
}

function invalidRegistration(body: Record<string, unknown>): string | undefined {
  if (!isUrl(body.initiate_login_uri)) return 'initiate_login_uri is required and must be a URL';
  if (!Array.isArray(body.redirect_uris) || body.redirect_uris.length === 0 || !body.redirect_uris.every(isUrl)) return 'redirect_uris is required: a non-empty array of URLs';
  if (!isUrl(body.jwks_uri)) return 'jwks_uri is required and must be a URL';
  const config = body[TOOL_CONFIGURATION];
  if (!config || typeof config !== 'object') return `${TOOL_CONFIGURATION} is required`;
  const c = config as Record<string, unknown>;
  if (typeof c.domain !== 'string' || c.domain === '') return `${TOOL_CONFIGURATION}.domain is required`;
  if (!isUrl(c.target_link_uri)) return `${TOOL_CONFIGURATION}.target_link_uri is required and must be a URL`;
  return undefined;
}

function isUrl(v: unknown): v is string {
  return typeof v === 'string' && httpUrl(v) !== undefined;
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && Object.values(v).every((x) => typeof x === 'string');
}
