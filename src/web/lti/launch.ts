/**
 * The launch (form POST of id_token + state to /lti/launch), checked before ltijs runs:
 * the state must come from this browser (cookie, or LTI Platform Storage when the iframe's
 * cookies are blocked), then the id_token is validated in full (idToken.ts).
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { decodeJwt, errors, jwtVerify } from 'jose';
import { LaunchRejected } from '../../lti/launchRejected.js';
import { validateIdToken, type IdTokenChecks } from '../../lti/idToken.js';
import { ROUTES } from '../../lti/scopes.js';
import { peekLaunchState, takeLaunchState } from '../../store/launchState.js';
import { clearStateCookie, stateCookieName } from './stateCookie.js';
import { isNonceUsed } from '../../store/usedNonce.js';
import { sendProblem } from '../shared/errorPage.js';
import { allowFramingBy, frameableByAnySite, type StorageOrigins } from '../shared/frameAncestors.js';
import { launchOrigins } from '../../lti/launchOrigins.js';
import { learnFrameOrigins } from '../../store/frameOrigins.js';

/** A launch posted again finds its state used up; its nonce tells a replay from a stale login. */
async function wasReplayed(idToken: string): Promise<boolean> {
  try {
    const { iss, nonce } = decodeJwt(idToken);
    return typeof iss === 'string' && typeof nonce === 'string' && (await isNonceUsed(iss, nonce));
  } catch {
    return false;
  }
}

function rejectLaunch(req: Request, res: Response, err: LaunchRejected): void {
  frameableByAnySite(res);
  sendProblem(req, res, {
    status: 401, reason: err.reason, key: 'launch_rejected', params: { detail: err.detail },
    title: 'Laurel could not accept this launch', detail: `The launch was refused: ${err.detail}.`,
    todo: 'Go back to your course and open Laurel again. If it keeps happening, give your LMS administrator the request id below.',
  });
}

/** Keeps what the platform says short and printable: it is shown to the person as it came. */
const said = (v: unknown): string => (typeof v === 'string' ? v.replace(/[^\x20-\x7E\u00A0-\uFFFF]/g, ' ').slice(0, 200) : '');

/**
 * The platform answered the authentication request with an OIDC error in place of an id_token
 * (Security Framework §5.1.1.5; Canvas: app/controllers/lti/ims/authentication_controller.rb).
 * login_required means the browser has no LMS session, or another person's: only the person can fix it.
 */
function platformLoginError(req: Request, res: Response, o: { secureCookies: boolean }): void {
  const body = req.body as Record<string, unknown>;
  if (typeof body.state === 'string' && body.state !== '') {
    clearStateCookie(res, body.state, o.secureCookies);
  }
  frameableByAnySite(res); // shown in the platform's page, whose host no validated launch may have named yet
  const error = said(body.error);
  const description = said(body.error_description);
  req.log?.info({ error, description }, 'the platform answered the login with an OIDC error');
  if (error === 'login_required') {
    return sendProblem(req, res, {
      status: 401, reason: 'platform_login_required',
      title: 'Sign in to your LMS in this browser, then open Laurel again',
      detail: 'Your LMS (Canvas, for example) did not find you signed in in this browser, or found someone else signed in, so it could not tell Laurel who you are.',
      todo: 'Sign in to your LMS in this browser as yourself (if someone else is signed in, sign them out first), then go back to your course and open Laurel again.',
    });
  }
  rejectLaunch(req, res, new LaunchRejected('platform_refused_login', `your LMS refused the login (${error}${description ? `: ${description}` : ''})`));
}

/** Told the sites a validated launch was shown from, so the pages after it may be framed there. */
export type FrameOriginsListener = (origins: string[], platform: { issuer: string; clientId: string }) => void;

export function launchGuard(o: { checks: IdTokenChecks; secureCookies: boolean; onFrameOrigins?: FrameOriginsListener; storageOrigins?: StorageOrigins }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.id_token === undefined && body.error !== undefined) return platformLoginError(req, res, o);
    if (body.id_token === undefined) return next();
    try {
      if (typeof body.id_token !== 'string') throw new LaunchRejected('malformed_token', 'id_token must be a single string');
      const state = body.state;
      if (typeof state !== 'string' || state === '') throw new LaunchRejected('missing_state', 'the launch carries no state');
      const pending = await peekLaunchState(state);
      if (!pending) {
        if (await wasReplayed(body.id_token)) throw new LaunchRejected('nonce_replayed', 'this id_token was already used (replayed nonce)');
        throw new LaunchRejected('unknown_state', 'the state is unknown, already used, or older than 10 minutes');
      }

      if (req.cookies?.[stateCookieName(state)] !== '1') {
        if (!pending.storageTarget) throw new LaunchRejected('state_not_bound', 'this browser did not start this launch (its state cookie is missing)');
        if (body.lti_storage_state === undefined) {
          // No cookie came back: ask the platform's storage for the state from inside the browser.
          // As at login (login.ts): with `_parent`, only a site the platform shows Laurel from is believed.
          const origins = pending.storageTarget === '_parent' ? o.storageOrigins?.(pending.issuer, pending.clientId) ?? [] : [];
          return res.render('lti/platform-storage', { mode: 'get', target: pending.storageTarget, origin: pending.storageOrigin, origins, state, nonce: '', next: ROUTES.launch, fields: { id_token: body.id_token, state } });
        }
        if (body.lti_storage_state !== state || body.lti_storage_nonce !== pending.nonce) {
          throw new LaunchRejected('state_mismatch', 'the state kept in the platform\'s storage does not match this launch');
        }
      }
      if (!(await takeLaunchState(state))) throw new LaunchRejected('unknown_state', 'the state was already used');
      clearStateCookie(res, state, o.secureCookies);

      const claims = await validateIdToken(body.id_token, { issuer: pending.issuer, clientId: pending.clientId, nonce: pending.nonce }, o.checks);
      // The platform signed where it shows Laurel (the school's host, its own domain): this
      // page and the ones after it may be framed there (store/frameOrigins.ts).
      const origins = launchOrigins(claims);
      await learnFrameOrigins(pending.issuer, pending.clientId, origins);
      o.onFrameOrigins?.(origins, { issuer: pending.issuer, clientId: pending.clientId });
      allowFramingBy(res, origins);
      // ltijs checks its own state cookie next; the browser binding was proven above.
      (req.signedCookies as Record<string, string>)['state' + state] = pending.issuer;
      next();
    } catch (err) {
      if (err instanceof LaunchRejected) return rejectLaunch(req, res, err);
      next(err);
    }
  };
}

const RESERVED = new Set<string>([ROUTES.keys, ROUTES.register, ROUTES.login]);

/**
 * The ltik session token (ltijs signs it, HS256 with Laurel's secret) is checked here first so
 * a tampered or stale token gets a clear 401; ltijs's tokens carry no expiry of their own.
 */
export function sessionGuard(o: { secret: string; maxAgeMinutes: number }) {
  const key = new TextEncoder().encode(o.secret);
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.token || RESERVED.has(req.path)) return next();
    try {
      await jwtVerify(req.token, key, { algorithms: ['HS256'], maxTokenAge: `${o.maxAgeMinutes} minutes` });
      next();
    } catch (err) {
      const expired = err instanceof errors.JWTExpired || (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iat');
      sendProblem(req, res, {
        status: 401, reason: expired ? 'session_expired' : 'session_invalid',
        title: expired ? 'Your Laurel session has ended' : 'This Laurel session is not valid',
        detail: expired ? `Sessions last ${o.maxAgeMinutes} minutes.` : 'The session token was changed or was not issued by Laurel.',
        todo: 'Open Laurel again from your course.', params: { minutes: o.maxAgeMinutes },
      });
    }
  };
}

export function installLaunchGuards(app: Express, o: { checks: IdTokenChecks; secureCookies: boolean; secret: string; sessionMaxAgeMinutes: number; onFrameOrigins?: FrameOriginsListener; storageOrigins?: StorageOrigins }): void {
  app.post(ROUTES.launch, launchGuard(o));
  app.use(sessionGuard({ secret: o.secret, maxAgeMinutes: o.sessionMaxAgeMinutes }));
}
