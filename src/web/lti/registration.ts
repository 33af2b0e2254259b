/**
 * LTI Dynamic Registration 1.0, tool side: the LMS opens /lti/register with
 * `openid_configuration` and `registration_token`; Laurel reads the platform's configuration,
 * registers itself, stores the platform and its deployment, and asks the LMS to close.
 */
import { isHttpUrl } from '../../httpUrl.js';
import type { Request, Response } from 'express';
import { registerPlatform } from '../../lti/platforms.js';
import { productFamily, registrationRequest, type PlatformConfiguration } from '../../lti/registrationRequest.js';
import { sendProblem } from '../shared/errorPage.js';
import { lmsSaid } from '../../lms/http.js';
import type { RegistrationMode } from '../../../config/index.js';

const TIMEOUT_MS = 10_000;
const REQUIRED = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'registration_endpoint'] as const;

class RegistrationFailed extends Error {
  constructor(readonly reason: string, message: string) { super(message); }
}

async function readConfiguration(url: URL): Promise<PlatformConfiguration> {
  const res = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) })
    .catch((err: Error) => { throw new RegistrationFailed('configuration_unreachable', `the platform configuration at ${url} could not be read (${err.message})`); });
  if (!res.ok) throw new RegistrationFailed('configuration_unreachable', `the platform configuration at ${url} answered HTTP ${res.status}`);
  const config = (await res.json().catch(() => null)) as PlatformConfiguration | null;
  if (!config || typeof config !== 'object') throw new RegistrationFailed('configuration_invalid', 'the platform configuration is not JSON');
  const missing = REQUIRED.filter((k) => typeof config[k] !== 'string');
  if (missing.length) throw new RegistrationFailed('configuration_invalid', `the platform configuration lacks ${missing.join(', ')}`);
  // Dynamic Registration §3.5.1: the configuration must be served under the issuer's own URL.
  if (!url.href.startsWith(config.issuer.replace(/\/$/, ''))) throw new RegistrationFailed('issuer_mismatch', `the issuer ${config.issuer} does not match the configuration URL ${url.origin}`);
  return config;
}

async function postRegistration(config: PlatformConfiguration, body: object, token: string | undefined) {
  const res = await fetch(config.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch((err: Error) => { throw new RegistrationFailed('registration_unreachable', `the registration endpoint could not be reached (${err.message})`); });
  const answer = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) {
    const said = lmsSaid(answer);
    throw new RegistrationFailed('registration_refused', `the LMS refused the registration (${said ? `${said}, ` : ''}HTTP ${res.status})`);
  }
  const clientId = answer.client_id;
  if (typeof clientId !== 'string' || !clientId) throw new RegistrationFailed('registration_invalid', 'the LMS answered without a client_id');
  const named = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    clientId,
    // Moodle: the one deployment, in the tool-configuration claim.
    deploymentId: named(answer['https://purl.imsglobal.org/spec/lti-tool-configuration']?.deployment_id),
    // Newer Canvas: the root-account deployment it made at registration, at the top level
    // (canvas-lms dynamic_registration_controller.rb render_registration); more come with each
    // "+ App › By Client ID", so Laurel keeps learning them from launches.
    rootDeploymentId: named(answer.deployment_id),
  };
}

export function dynamicRegistration(o: { publicUrl: string; mode: RegistrationMode; onRegistered?: () => void }) {
  return async (req: Request, res: Response) => {
    const configParam = req.query.openid_configuration;
    const token = typeof req.query.registration_token === 'string' ? req.query.registration_token : undefined;
    if (typeof configParam !== 'string' || !isHttpUrl(configParam)) {
      return sendProblem(req, res, { status: 400, reason: 'openid_configuration_missing', title: 'Not a registration request', detail: 'Open this URL from your LMS\'s "register an LTI tool" page: it adds openid_configuration and registration_token.' });
    }
    const configUrl = new URL(configParam);
    try {
      const config = await readConfiguration(configUrl);
      const { clientId, deploymentId, rootDeploymentId } = await postRegistration(config, registrationRequest(o.publicUrl, config), token);
      const family = productFamily(config);
      const platform = await registerPlatform({
        issuer: config.issuer, clientId, name: `${family} ${new URL(config.issuer).host}`,
        authEndpoint: config.authorization_endpoint, tokenEndpoint: config.token_endpoint, jwksUri: config.jwks_uri,
        deploymentIds: [deploymentId ?? rootDeploymentId].filter((d): d is string => d !== undefined),
        learnsDeployments: !deploymentId, active: o.mode === 'open',
      }).catch((err: Error) => { throw new RegistrationFailed('registration_invalid', err.message); });
      req.log.info({ issuer: config.issuer, clientId, deploymentId: deploymentId ?? rootDeploymentId, active: platform.active }, 'platform registered');
      o.onRegistered?.();
      res.render('lti/registered', { issuer: config.issuer, family, active: platform.active });
    } catch (err) {
      if (!(err instanceof RegistrationFailed)) throw err;
      sendProblem(req, res, { status: 400, reason: err.reason, key: 'registration_failed', title: 'Laurel could not register with this LMS', detail: err.message + '.', todo: 'Check the URL given to the LMS, or register Laurel by hand (README: manual settings).' });
    }
  };
}
