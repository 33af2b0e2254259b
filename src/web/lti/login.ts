/**
 * OIDC third-party login initiation (LTI 1.3 core §5.1.1): the platform sends iss,
 * login_hint, target_link_uri…; Laurel answers with the authentication request, carrying a
 * fresh state and nonce, bound to the browser by a cookie.
 *
 * Inside the LMS's iframe that cookie is third-party. When the platform offers LTI Platform
 * Storage (`lti_storage_target`, Canvas does), the state is also put there: in a named frame on
 * the platform's login origin, or, with `_parent`, in the page around Laurel, which this page
 * believes only on a site the platform is known to show Laurel from (any site may frame it). Otherwise (Moodle)
 * the browser comes back once to /lti/login/check before going to the platform: if the
 * (partitioned) cookie came with it, the login goes on; if not (a browser that keeps no
 * cookie in a cross-site frame at all), Laurel offers to start the same login in a new window,
 * where the cookie is first-party. That must be decided before the platform is asked: Moodle
 * uses up `lti_message_hint` at its authentication endpoint (mod/lti/auth.php unsets it).
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import cookieParser from 'cookie-parser';
import { lti } from '../../lti/provider.js';
import { ROUTES } from '../../lti/scopes.js';
import { peekLaunchState, saveLaunchState } from '../../store/launchState.js';
import { stateCookieName, stateCookieOptions } from './stateCookie.js';
import type { StorageOrigins } from '../shared/frameAncestors.js';
import { sendProblem } from '../shared/errorPage.js';

const STORAGE_TARGET = /^[\w-]{1,64}$/;
/** What a login initiation may carry (LTI 1.3 core §5.1.1), kept to start it again in a new window. */
const INITIATION = ['iss', 'login_hint', 'target_link_uri', 'lti_message_hint', 'client_id', 'lti_deployment_id'] as const;

function param(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name] ?? req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}


export function loginRouter(o: { publicUrl: string; secureCookies: boolean; storageOrigins: StorageOrigins }): Router {
  const router = Router();
  router.all(ROUTES.login, express.urlencoded({ extended: false, limit: '16kb' }), async (req: Request, res: Response) => {
    const iss = param(req, 'iss');
    const loginHint = param(req, 'login_hint');
    const targetLinkUri = param(req, 'target_link_uri');
    if (!iss || !loginHint || !targetLinkUri) {
      return sendProblem(req, res, { status: 400, reason: 'login_parameters_missing', title: 'Incomplete login request', detail: 'The LMS must send iss, login_hint and target_link_uri to start an LTI launch.' });
    }
    if (!targetLinkUri.startsWith(o.publicUrl + '/')) {
      return sendProblem(req, res, { status: 400, reason: 'foreign_target_link_uri', params: { publicUrl: o.publicUrl }, title: 'Launch aimed elsewhere', detail: `target_link_uri must be a Laurel URL under ${o.publicUrl}.`, todo: 'Check the tool URL configured in the LMS.' });
    }
    const clientId = param(req, 'client_id');
    const found = clientId ? await lti.getPlatform(iss, clientId) : await lti.getPlatform(iss);
    const candidates = found === false ? [] : Array.isArray(found) ? found : [found];
    if (candidates.length !== 1) {
      return sendProblem(req, res, {
        status: 400,
        reason: candidates.length === 0 ? 'unknown_platform' : 'client_id_needed',
        key: candidates.length === 0 && clientId ? 'unknown_platform_client' : undefined,
        params: { issuer: iss, clientId },
        title: candidates.length === 0 ? 'This LMS is not registered with Laurel' : 'Which Laurel registration?',
        detail: candidates.length === 0 ? `No platform with issuer ${iss}${clientId ? ` and client id ${clientId}` : ''} is registered.` : `Several registrations share issuer ${iss}; the LMS must send client_id.`,
        todo: 'An LMS administrator registers Laurel (dynamic registration, or "npm run platform -- add").',
      });
    }
    const platform = candidates[0];
    if (!(await platform.platformActive())) {
      return sendProblem(req, res, { status: 401, reason: 'platform_inactive', title: 'Laurel is waiting for approval', detail: 'This LMS registered Laurel, and a Laurel administrator has not approved it yet.', todo: 'Ask your Laurel administrator to approve it ("npm run platform -- approve").' });
    }

    const state = randomBytes(24).toString('base64url');
    const nonce = randomBytes(24).toString('base64url');
    const authEndpoint = await platform.platformAuthEndpoint();
    const storageTarget = param(req, 'lti_storage_target');
    const useStorage = storageTarget !== undefined && STORAGE_TARGET.test(storageTarget);
    // A named storage frame is on the OIDC auth origin (Canvas's post_message_forwarding); with
    // `_parent` the page learns the course page's origin from its lti.capabilities answer, if it
    // is one of the platform's known sites.
    const storageOrigin = new URL(authEndpoint).origin;

    const auth = new URL(authEndpoint);
    const query: Record<string, string | undefined> = {
      scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
      client_id: await platform.platformClientId(), redirect_uri: o.publicUrl + ROUTES.launch,
      login_hint: loginHint, lti_message_hint: param(req, 'lti_message_hint'), state, nonce,
    };
    for (const [k, v] of Object.entries(query)) if (v !== undefined) auth.searchParams.set(k, v);
    const initiation = Object.fromEntries(INITIATION.flatMap((k) => { const v = param(req, k); return v === undefined ? [] : [[k, v]]; }));
    await saveLaunchState({
      state, nonce, issuer: iss, clientId: await platform.platformClientId(),
      ...(useStorage ? { storageTarget, storageOrigin } : { authRequest: auth.toString(), initiation }),
    });

    // The cookie is set in both cases: where the browser keeps it, the launch needs nothing more.
    res.cookie(stateCookieName(state), '1', stateCookieOptions(o.secureCookies));
    if (!useStorage) return res.redirect(302, `${o.publicUrl}${ROUTES.loginCheck}?state=${encodeURIComponent(state)}`);
    const origins = storageTarget === '_parent' ? o.storageOrigins(iss, await platform.platformClientId()) : [];
    res.render('lti/platform-storage', { mode: 'put', target: storageTarget, origin: storageOrigin, origins, state, nonce, next: auth.toString(), fields: {} });
  });

  router.get(ROUTES.loginCheck, cookieParser(), async (req: Request, res: Response) => {
    const state = param(req, 'state');
    const pending = state ? await peekLaunchState(state) : null;
    if (!state || !pending?.authRequest) {
      return sendProblem(req, res, { status: 400, reason: 'unknown_state', key: 'login_expired', title: 'This login has expired', detail: 'The login is unknown, already used, or older than 10 minutes.', todo: 'Go back to your course and open Laurel again.' });
    }
    if (req.cookies?.[stateCookieName(state)] === '1') return res.redirect(302, pending.authRequest);
    // This browser keeps no cookie for Laurel inside the LMS's frame: the same login, started
    // again in a window of its own, keeps it. The platform has not been asked yet.
    req.log.info({ reason: 'state_cookie_blocked' }, 'the browser kept no cookie in the LMS frame: offering a new window');
    res.render('lti/new-window', { action: `${o.publicUrl}${ROUTES.login}`, fields: pending.initiation ?? {} });
  });
  return router;
}
