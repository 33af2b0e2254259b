/**
 * Canvas OAuth2 for an API developer key (digest §10): an instructor authorises Laurel once
 * (`/login/oauth2/auth`), Laurel exchanges the code for an hour-long access token and a refresh
 * token (`/login/oauth2/token`), and refreshes the access token from then on, acting for that
 * instructor. Tokens and the client secret never appear in an error message.
 */
import { LmsError } from '../errors.js';
import { errorFor, readJson, send, type Transport } from '../http.js';
import { num, record, text } from '../read.js';
import type { CanvasTokens } from '../../store/canvasGrant.js';

export type { CanvasTokens };

/**
 * What Laurel reads, as Canvas names scopes: asked for whenever the developer key enforces scopes,
 * so an administrator who ticks these (and only these) can connect Laurel.
 */
export const CANVAS_READ_SCOPES = [
  'url:GET|/api/v1/courses/:course_id/assignments',
  'url:GET|/api/v1/courses/:course_id/students/submissions',
  'url:GET|/api/v1/courses/:course_id/modules',
  'url:GET|/api/v1/courses/:course_id/enrollments',
] as const;

/**
 * The one thing Laurel edits: its own "Badge:" columns' assignments, left out of the final grade
 * (awards/courseTotal.ts). Asked for only from a course that has such a column: Canvas refuses an
 * authorisation that names a scope the key lacks as a whole (oauth2_provider_controller.rb#auth),
 * so asking it everywhere would shut out a key an administrator kept read-only.
 */
export const CANVAS_EDIT_SCOPE = 'url:PUT|/api/v1/courses/:course_id/assignments/:id';

/**
 * A module's items on their own (context_module_items_api_controller.rb#index). Needed only when
 * Canvas leaves them out of the modules: a key that enforces scopes without "Allow Include
 * Parameters" has Canvas ignore `include[]=items` (doc/api/developer_keys.md, "Canvas API
 * Includes"; the option is off by default). Optional, as the edit scope: asked of every key that
 * enforces scopes, and asked again without it when the key lacks it.
 */
export const CANVAS_ITEMS_SCOPE = 'url:GET|/api/v1/courses/:course_id/modules/:module_id/items';

/**
 * Laurel's messages as Canvas conversations, sent by the instructor whose grant reads the course
 * (messages/throughLms.ts, canvasConversations.ts). Optional, as the items one: asked of every key
 * that enforces scopes, so an administrator who ticks it gets messages through Canvas, and one who
 * does not still has instructors connect to read (messages then go by e-mail, or not at all).
 */
export const CANVAS_CONVERSATIONS_SCOPE = 'url:POST|/api/v1/conversations';

/** Scopes a connection works without: Canvas refusing one, Laurel asks again leaving it out. */
export const CANVAS_OPTIONAL_SCOPES = [CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE] as const;

/** Every scope Laurel may ask for: what the admin page lists for the key. */
export const CANVAS_API_SCOPES = [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE] as const;

/** What to ask of a key that enforces scopes: all of them, but the edit one only when the course needs it. */
export function canvasScopesFor(o: { editsAssignments: boolean }): string[] {
  return CANVAS_API_SCOPES.filter((s) => o.editsAssignments || s !== CANVAS_EDIT_SCOPE);
}

/**
 * The scopes to ask again after Canvas refused `asked`: without the optional ones Canvas named as
 * not granted (its InvalidScopeError lists them), or without every optional one when it named none
 * Laurel can tell. Undefined when there is nothing to leave out (a read scope is missing).
 */
export function scopesWithoutRefused(asked: readonly string[], said: string | undefined): string[] | undefined {
  const named = said?.split(/not granted:/)[1] ?? '';
  const refused = CANVAS_OPTIONAL_SCOPES.filter((s) => asked.includes(s) && named.includes(s));
  const dropped = refused.length ? refused : named.trim() ? [] : CANVAS_OPTIONAL_SCOPES.filter((s) => asked.includes(s));
  return dropped.length ? asked.filter((s) => !(dropped as readonly string[]).includes(s)) : undefined;
}

/**
 * Whether a grant given with these scopes lets Laurel edit assignments. Canvas's token answer does
 * not say its scopes (Canvas::OAuth::Token#as_json): Laurel records what it asked for. No list: a
 * grant asked without scopes (the key does not enforce them: the user's whole access), or one
 * given before Laurel recorded them, when it always asked the edit scope.
 */
export function scopesEditAssignments(scopes: readonly string[] | undefined): boolean {
  return scopes === undefined || scopes.includes(CANVAS_EDIT_SCOPE);
}

/**
 * Whether a grant reaches the module items endpoint: always through a key that enforces no scopes;
 * else only when given with that scope (Laurel asked for it only since it needed it).
 */
export function scopesReadModuleItems(enforcesScopes: boolean, scopes: readonly string[] | undefined): boolean {
  return !enforcesScopes || Boolean(scopes?.includes(CANVAS_ITEMS_SCOPE));
}

/**
 * Whether a grant may send conversations: always through a key that enforces no scopes; else only
 * one given with that scope (grants from before Laurel asked it never carry it: Canvas would answer
 * 401 "Insufficient scopes", so Laurel does not try).
 */
export function scopesSendConversations(enforcesScopes: boolean, scopes: readonly string[] | undefined): boolean {
  return !enforcesScopes || Boolean(scopes?.includes(CANVAS_CONVERSATIONS_SCOPE));
}

/** An API developer key (Admin › Developer Keys › + API Key) and the Canvas it belongs to. */
export interface CanvasDeveloperKey {
  /** e.g. https://school.instructure.com */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Laurel's OAuth callback, as entered in the key's Redirect URIs. */
  redirectUri: string;
}

/** RFC 6749 §5.1: expires_in is optional; Canvas issues tokens for an hour. */
const DEFAULT_EXPIRES_IN_S = 3600;

/** `scopes`: for a key that enforces scopes (canvasScopesFor); none for one that does not. */
export function canvasAuthorizeUrl(o: { baseUrl: string; clientId: string; redirectUri: string; state: string; scopes?: readonly string[] }): string {
  const u = new URL('/login/oauth2/auth', o.baseUrl);
  u.search = new URLSearchParams({ client_id: o.clientId, response_type: 'code', redirect_uri: o.redirectUri, state: o.state }).toString();
  if (o.scopes?.length) u.searchParams.set('scope', o.scopes.join(' '));
  return u.toString();
}

export async function exchangeCanvasCode(key: CanvasDeveloperKey, code: string, transport: Transport): Promise<CanvasTokens> {
  const body = await tokenRequest(key, transport, { grant_type: 'authorization_code', code, redirect_uri: key.redirectUri });
  const refreshToken = text(body.refresh_token);
  if (!refreshToken) throw new LmsError('bad_response', `Canvas answered the code exchange at ${tokenUrl(key)} without a refresh token.`, { url: tokenUrl(key) });
  return tokens(key, body, refreshToken, transport);
}

/** Canvas keeps the refresh token for the life of the grant and usually leaves it out of the answer. */
export async function refreshCanvasToken(key: CanvasDeveloperKey, refreshToken: string, transport: Transport): Promise<CanvasTokens> {
  const body = await tokenRequest(key, transport, { grant_type: 'refresh_token', refresh_token: refreshToken });
  return tokens(key, body, text(body.refresh_token) ?? refreshToken, transport);
}

function tokenUrl(key: CanvasDeveloperKey): string {
  return new URL('/login/oauth2/token', key.baseUrl).toString();
}

async function tokenRequest(key: CanvasDeveloperKey, t: Transport, grant: Record<string, string>): Promise<Record<string, unknown>> {
  const url = tokenUrl(key);
  const res = await send(t, 'POST', url, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ ...grant, client_id: key.clientId, client_secret: key.clientSecret }).toString(),
  });
  if (!res.ok) throw await refused(res, key, url);
  return record(await readJson(res, url));
}

function tokens(key: CanvasDeveloperKey, body: Record<string, unknown>, refreshToken: string, t: Transport): CanvasTokens {
  const accessToken = text(body.access_token);
  const user = record(body.user);
  const canvasUserId = text(user.id);
  if (!accessToken || !canvasUserId) {
    throw new LmsError('bad_response', `Canvas's token endpoint ${tokenUrl(key)} answered without an access_token or user id.`, { url: tokenUrl(key) });
  }
  const userName = text(user.name);
  return {
    accessToken,
    refreshToken,
    expiresAt: new Date(t.now().getTime() + (num(body.expires_in) ?? DEFAULT_EXPIRES_IN_S) * 1000),
    canvasUserId,
    ...(userName ? { userName } : {}),
  };
}

/** A grant Canvas no longer honours needs a person: the instructor authorises again, or an admin fixes the key. */
async function refused(res: Response, key: CanvasDeveloperKey, url: string): Promise<LmsError> {
  const oauth = record(await res.clone().json().catch(() => ({})));
  const said = [text(oauth.error), text(oauth.error_description)].filter(Boolean).join(': ');
  const o = { status: res.status, url };
  if (res.status === 401 || oauth.error === 'invalid_client') {
    return new LmsError('reconnect', `Canvas did not accept Laurel's API developer key (client id ${key.clientId}; ${res.status} ${said}). ` +
      `An administrator checks the developer key on Laurel's admin page (client id, secret, and that the key is switched on in Canvas); then an instructor connects Canvas again from Laurel's course page.`, o);
  }
  if (oauth.error === 'invalid_grant') {
    return new LmsError('reconnect', `Canvas no longer accepts the connection an instructor gave Laurel (${res.status} ${said}): it was revoked, expired or already used. ` +
      `An instructor connects Canvas again from Laurel's course page.`, o);
  }
  return errorFor(res, 'POST', url);
}
