/**
 * Canvas OAuth2 for API developer keys (digest §10): an admin's key (client id + secret), the
 * authorize step that acts for a user given in the query (as the emulator's launch does), codes
 * exchanged for hour-long bearer tokens with refresh tokens, and the bearer check of /api/v1.
 * Errors are worded as Canvas words them.
 *
 * A key may enforce scopes ("Enforce Scopes" on, with the scopes ticked), as canvas-lms does in
 * app/controllers/oauth2_provider_controller.rb#auth: an authorize request naming no scope, or a
 * scope not on the key, is refused as a whole (lib/canvas/oauth/provider.rb#valid_scopes?), the
 * browser sent back to the redirect URI with `error=invalid_scope` and Canvas's description naming
 * the scopes missing, and without the `state` (lib/canvas/oauth/invalid_scope_error.rb,
 * request_error.rb#append_error). Its tokens then reach only the endpoints of their scopes: any
 * other answers 401 "Insufficient scopes on access token." (application_controller.rb,
 * AccessTokenScopeError, with no WWW-Authenticate header).
 *
 * Such a key also has "Allow Include Parameters", off unless the admin turns it on (canvas-lms
 * db/migrate AddAllowIncludeParamsToDeveloperKey: `change_column_default(:developer_keys,
 * :allow_includes, false)`): without it, Canvas ignores `include`/`includes` on every request
 * made with the key's tokens (doc/api/developer_keys.md, "Canvas API Includes"). canvasIncludes
 * answers what an endpoint is to honour.
 */
import { randomBytes } from 'node:crypto';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { SeedUser } from './course.js';
import { findUser, type Platform } from './platform.js';

const CODE_SECONDS = 600;
const TOKEN_SECONDS = 3600;

export interface CanvasApiKey {
  clientId: string; clientSecret: string; redirectUri?: string;
  /** "Enforce Scopes" on, with these ticked (e.g. `url:GET|/api/v1/courses/:course_id/assignments`); absent: the key does not enforce scopes. */
  scopes?: string[];
  /** "Allow Include Parameters" (Canvas's default: off); matters only on a key that enforces scopes. */
  allowIncludes: boolean;
}
/** `scopes`: those of the authorize request, kept with the code, its token and their refreshes. */
interface Grant { clientId: string; user: SeedUser; expiresAt: number; scopes: string[] }
export interface CanvasToken extends Grant { token: string }

/** OAuth state of one emulator, kept beside the Platform rather than in it: only Canvas has it. */
interface OAuthState { keys: CanvasApiKey[]; codes: Map<string, Grant>; tokens: Map<string, CanvasToken>; refreshTokens: Map<string, Grant> }
const states = new WeakMap<Platform, OAuthState>();

function stateOf(p: Platform): OAuthState {
  let s = states.get(p);
  if (!s) states.set(p, (s = { keys: [], codes: new Map(), tokens: new Map(), refreshTokens: new Map() }));
  return s;
}

/** Registers an API developer key, as an admin does under Developer Keys → + API Key (with `scopes`: Enforce Scopes on, these ticked). */
export function canvasApiKey(p: Platform, o: { redirectUri?: string; scopes?: string[]; allowIncludes?: boolean } = {}): CanvasApiKey {
  const s = stateOf(p);
  const key: CanvasApiKey = {
    clientId: String(10000000000000 + 500 + s.keys.length), clientSecret: randomBytes(32).toString('base64url'), redirectUri: o.redirectUri,
    allowIncludes: o.allowIncludes ?? false,
    ...(o.scopes ? { scopes: [...o.scopes] } : {}),
  };
  s.keys.push(key);
  return key;
}

/** Expires every access token issued so far; refresh tokens still work. */
export function expireCanvasTokens(p: Platform): void {
  for (const t of stateOf(p).tokens.values()) t.expiresAt = 0;
}

/** Revokes every access and refresh token, as deleting the user's access token does. */
export function revokeCanvasTokens(p: Platform): void {
  const s = stateOf(p);
  s.tokens.clear();
  s.refreshTokens.clear();
}

export function mountCanvasOAuth(app: Express, p: Platform): void {
  app.get('/login/oauth2/auth', authorize(p));
  // The LTI client-credentials grant shares this path: anything else goes on to token.ts.
  app.post('/login/oauth2/token', express.json(), token(p));
}

function authorize(p: Platform): RequestHandler {
  return (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const key = stateOf(p).keys.find((k) => k.clientId === q.client_id);
    if (!key) return oauthError(res, 401, 'invalid_client', 'unknown client');
    if (q.response_type !== 'code') return oauthError(res, 400, 'unsupported_response_type', 'Only response_type=code is supported');
    if (!q.redirect_uri || (key.redirectUri && !q.redirect_uri.startsWith(key.redirectUri))) {
      return oauthError(res, 400, 'invalid_request', 'redirect_uri does not match client settings');
    }
    const scopes = (q.scope ?? q.scopes ?? '').split(' ').filter(Boolean);
    if (key.scopes) {
      const missing = scopes.filter((x) => !key.scopes!.includes(x));
      // valid_scopes? also wants at least one: a key that enforces scopes refuses a request naming none.
      if (!scopes.length || missing.length) return invalidScope(res, q.redirect_uri, missing);
    }
    // The emulator's stand-in for the login and "Authorize" pages: the user is named in the query,
    // else the course's first instructor is the one signed in (what the demo's browser needs).
    const user = q.user === undefined ? p.course.users.find((u) => u.role === 'Instructor' && u.status === 'Active') : findUser(p, q.user);
    if (!user) return oauthError(res, 400, 'invalid_request', `No user ${q.user} in this course (pass ?user=)`);
    const code = randomBytes(24).toString('hex');
    stateOf(p).codes.set(code, { clientId: key.clientId, user, expiresAt: Date.now() + CODE_SECONDS * 1000, scopes });
    const back = new URL(q.redirect_uri);
    back.searchParams.set('code', code);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    res.redirect(302, back.toString());
  };
}

function token(p: Platform): RequestHandler {
  return (req, res, next) => {
    const b = (req.body ?? {}) as Record<string, string | undefined>;
    if (b.grant_type !== 'authorization_code' && b.grant_type !== 'refresh_token') return next();
    const s = stateOf(p);
    const key = s.keys.find((k) => k.clientId === b.client_id);
    if (!key || key.clientSecret !== b.client_secret) return oauthError(res, 401, 'invalid_client', 'unknown client');

    let grant: Grant | undefined;
    if (b.grant_type === 'authorization_code') {
      grant = b.code ? s.codes.get(b.code) : undefined;
      if (b.code) s.codes.delete(b.code); // a code is good once
      if (!grant || grant.clientId !== key.clientId || grant.expiresAt <= Date.now()) return oauthError(res, 400, 'invalid_grant', 'authorization_code not found');
    } else {
      grant = b.refresh_token ? s.refreshTokens.get(b.refresh_token) : undefined;
      if (!grant || grant.clientId !== key.clientId) return oauthError(res, 400, 'invalid_grant', 'refresh_token not found');
    }

    const access = { token: randomBytes(32).toString('hex'), clientId: key.clientId, user: grant.user, expiresAt: Date.now() + TOKEN_SECONDS * 1000, scopes: grant.scopes };
    s.tokens.set(access.token, access);
    const body: Record<string, unknown> = {
      access_token: access.token,
      token_type: 'Bearer',
      user: { id: Number(grant.user.lmsId), name: grant.user.name, global_id: String(10000000000000 + Number(grant.user.lmsId)), effective_locale: 'en' },
      canvas_region: 'not_configured',
      expires_in: TOKEN_SECONDS,
    };
    // Canvas sends a refresh token with the code exchange only; refreshing keeps the same one.
    if (b.grant_type === 'authorization_code') {
      const refresh = randomBytes(32).toString('hex');
      s.refreshTokens.set(refresh, { clientId: key.clientId, user: grant.user, expiresAt: Infinity, scopes: grant.scopes });
      body.refresh_token = refresh;
    }
    res.json(body);
  };
}

function oauthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/**
 * Canvas's InvalidScopeError, sent back to the redirect URI (not an out-of-band one, which the
 * emulator does not offer): `error` and `error_description` added to its query, no `state`.
 */
function invalidScope(res: Response, redirectUri: string, missing: string[]): void {
  const back = new URL(redirectUri);
  back.searchParams.append('error', 'invalid_scope');
  back.searchParams.append('error_description', 'A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner. ' +
    `The following scopes were requested, but not granted: ${toSentence(missing)}`);
  res.redirect(302, back.toString());
}

/** Rails's Array#to_sentence in English: "a", "a and b", "a, b, and c". */
function toSentence(words: string[]): string {
  if (words.length < 3) return words.join(' and ');
  return `${words.slice(0, -1).join(', ')}, and ${words.at(-1)}`;
}

/** A token of a key that enforces scopes reaches only the endpoints of its scopes (after requireCanvasToken). */
export function requireCanvasScope(p: Platform, scope: string): RequestHandler {
  return (_req, res, next) => {
    const t = res.locals.canvasToken as CanvasToken;
    const key = stateOf(p).keys.find((k) => k.clientId === t.clientId);
    if (key?.scopes && !(t.scopes.includes(scope) && key.scopes.includes(scope))) {
      res.status(401).json({ errors: [{ message: 'Insufficient scopes on access token.' }] });
      return;
    }
    next();
  };
}

/**
 * The `include[]` (or `include`, `includes[]`, `includes`) values a request asks for, as Canvas
 * honours them: none for a token of a key that enforces scopes without "Allow Include Parameters".
 */
export function canvasIncludes(p: Platform, req: Request, res: Response): string[] {
  const t = res.locals.canvasToken as CanvasToken | undefined;
  const key = t && stateOf(p).keys.find((k) => k.clientId === t.clientId);
  if (key?.scopes && !key.allowIncludes) return [];
  const q = req.query as Record<string, unknown>;
  return [q.include, q.includes].flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v])).map(String);
}

/** Requires a live API token; leaves it in res.locals.canvasToken. */
export function requireCanvasToken(p: Platform): RequestHandler {
  return (req, res, next) => {
    const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    if (!bearer) {
      res.status(401).json({ status: 'unauthenticated', errors: [{ message: 'user authorization required' }] });
      return;
    }
    const t = stateOf(p).tokens.get(bearer);
    if (!t || t.expiresAt <= Date.now()) {
      res.set('WWW-Authenticate', 'Bearer realm="canvas-lms"');
      res.status(401).json({ errors: [{ message: 'Invalid access token.' }] });
      return;
    }
    res.locals.canvasToken = t;
    next();
  };
}
