/**
 * An instructor grants Laurel access to the Canvas REST API (issue 8): from the course page, to
 * Canvas's own OAuth2 pages (in a new tab: Canvas's login does not run inside an iframe), and
 * back to /lms/canvas/callback. The OAuth `state` is sealed (secrets/sealed.ts), names the
 * platform, the course and the person, and lasts ten minutes: the callback needs no session,
 * and a grant can only land on the person who asked for it. Disconnecting forgets the grant.
 *
 * Through a key that enforces scopes, Laurel asks for the read scopes, the module items and the
 * conversations ones, and for the edit scope only from a course with a "Badge:" column (canvasOAuth.ts). Canvas refuses a
 * scope the key lacks by sending the browser back with `error=invalid_scope` and no `state`
 * (oauth2_provider_controller.rb#auth, request_error.rb#append_error): a cookie on the callback's
 * path keeps what was asked, so refused optional scopes are asked again without them (the course is
 * read; its columns left in the total by hand; module items inline only if the key allows include
 * parameters; messages by e-mail rather than as conversations), and any other refusal says what the key lacks.
 */
import { Router, type CookieOptions, type Request, type Response } from 'express';
import cookieParser from 'cookie-parser';
import { CANVAS_EDIT_SCOPE, canvasAuthorizeUrl, canvasScopesFor, exchangeCanvasCode, scopesEditAssignments, scopesSendConversations, scopesWithoutRefused } from '../../lms/canvasRest/canvasOAuth.js';
import { CANVAS_CALLBACK_PATH, canvasRedirectUri } from '../../lms/canvasRest/canvasRedirect.js';
import { LmsError } from '../../lms/errors.js';
import { newTransport } from '../../lms/http.js';
import { seal, unseal } from '../../secrets/sealed.js';
import { connectionSecrets, lmsConnectionOf } from '../../store/lmsConnection.js';
import { deleteCanvasGrant, saveCanvasGrant } from '../../store/canvasGrant.js';
import { setLmsApiGrantedBy } from '../../store/course.js';
import { hasBadgeColumn } from '../../store/badge.js';
import { retryLeavingOut } from '../../store/badgeColumn.js';
import { lmsUserIdsOf } from '../../store/lmsUser.js';
import { recordAudit } from '../../store/auditLog.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { auditInCourse } from '../shared/audit.js';
import { courseOf, editorsOnly } from '../shared/courseContext.js';
import { sendProblem } from '../shared/errorPage.js';
import { personName } from '../shared/personName.js';

const STATE_LIFETIME_MS = 10 * 60_000;

interface ConnectState {
  issuer: string; clientId: string; userId: string; name: string; courseKey: string; canvasUserId?: string; until: number;
  /** The scopes asked for (a key that enforces scopes), recorded with the grant: Canvas's token answer does not say them. */
  scopes?: string[];
  /** Canvas refused the edit scope: this is a request asked again without it. */
  editRefused?: boolean;
}

/** The state again, for Canvas's one answer that leaves it out (a refused scope). */
const STATE_COOKIE = 'laurel_canvas_connect';
/** Lax: Canvas sends the browser back by a top-level redirect, which carries it. */
const stateCookie = (publicUrl: string): CookieOptions => ({ path: CANVAS_CALLBACK_PATH, httpOnly: true, sameSite: 'lax', secure: publicUrl.startsWith('https:') });
const forgetStateCookie = (res: Response, publicUrl: string) => res.clearCookie(STATE_COOKIE, stateCookie(publicUrl));

/** Sends the browser to Canvas's authorize page for this state, the state kept in the cookie too. */
function toCanvas(res: Response, publicUrl: string, connection: { baseUrl: string; apiClientId?: string }, state: ConnectState): void {
  const sealed = seal(JSON.stringify(state));
  res.cookie(STATE_COOKIE, sealed, { ...stateCookie(publicUrl), maxAge: STATE_LIFETIME_MS });
  res.redirect(303, canvasAuthorizeUrl({ baseUrl: connection.baseUrl, clientId: connection.apiClientId!, redirectUri: canvasRedirectUri(publicUrl), state: sealed, scopes: state.scopes }));
}

/** Inside the launch: /course/lms/canvas/connect (to Canvas) and /course/lms/canvas/disconnect. */
export function canvasConnect(publicUrl: string): Router {
  const router = Router();
  router.get('/course/lms/canvas/connect', editorsOnly, asyncRoute(async (req, res) => {
    const { token, course } = courseOf(res);
    const connection = await lmsConnectionOf(course.issuer, course.clientId);
    if (connection?.kind !== 'canvas-rest') {
      return sendProblem(req, res, { status: 409, reason: 'canvas_not_connected', title: 'Canvas is not connected to Laurel', detail: 'No Canvas API developer key is set for this Canvas.', todo: 'Ask your Canvas administrator to add Laurel\'s developer key on Laurel\'s admin page.' });
    }
    const known = (await lmsUserIdsOf(course.issuer, course.clientId)).get(token.user);
    const scopes = connection.enforcesScopes ? canvasScopesFor({ editsAssignments: await hasBadgeColumn(course.courseKey) }) : undefined;
    toCanvas(res, publicUrl, connection, {
      issuer: course.issuer, clientId: course.clientId, userId: token.user, name: personName(token), courseKey: course.courseKey, canvasUserId: known,
      until: Date.now() + STATE_LIFETIME_MS, ...(scopes ? { scopes } : {}),
    });
  }));
  router.post('/course/lms/canvas/disconnect', editorsOnly, asyncRoute(async (_req, res) => {
    const { token, course, ltik } = courseOf(res);
    if (await deleteCanvasGrant(course.issuer, course.clientId, token.user)) await auditInCourse(res, { action: 'canvas.disconnected', detail: 'Laurel forgot this person\'s Canvas grant' });
    res.redirect(303, `/course?ltik=${encodeURIComponent(ltik)}`);
  }));
  return router;
}

/** Outside the launch (Canvas sends the browser here): stores the grant and says so. */
export function canvasCallback(publicUrl: string): Router {
  const router = Router();
  router.get(CANVAS_CALLBACK_PATH, cookieParser(), asyncRoute(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.error === 'invalid_scope') return scopeRefused(req, res, publicUrl, openState(q.state ?? (req.cookies as Record<string, string | undefined>)[STATE_COOKIE]), q.error_description);
    const state = openState(q.state);
    if (!state) return refuse(req, res, 400, 'canvas_state_invalid', 'This Canvas authorisation link is not valid or is older than ten minutes.', 'Go back to your course, open Laurel and click "Connect Canvas" again.');
    if (q.error || !q.code) return refuse(req, res, 400, 'canvas_denied', `Canvas did not grant access${q.error ? ` (${q.error_description ?? q.error})` : ''}.`, 'Click "Connect Canvas" again and choose "Authorize" on Canvas\'s page.');
    const connection = await lmsConnectionOf(state.issuer, state.clientId);
    if (connection?.kind !== 'canvas-rest') return refuse(req, res, 409, 'canvas_not_connected', 'Canvas was disconnected from Laurel meanwhile.', 'Ask your Canvas administrator to add Laurel\'s developer key on Laurel\'s admin page.');
    const key = { baseUrl: connection.baseUrl, clientId: connection.apiClientId!, clientSecret: connectionSecrets(connection).apiClientSecret!, redirectUri: canvasRedirectUri(publicUrl) };
    let tokens;
    try {
      tokens = await exchangeCanvasCode(key, q.code, newTransport());
    } catch (err) {
      if (err instanceof LmsError) return refuse(req, res, 502, 'canvas_exchange_failed', err.message, 'Click "Connect Canvas" again; if it keeps failing, give your Canvas administrator this message.');
      throw err;
    }
    // Someone signed in to Canvas as another person than the one who launched Laurel: their access must not read this course as if it were the instructor's.
    if (state.canvasUserId && tokens.canvasUserId !== state.canvasUserId) {
      return refuse(req, res, 403, 'canvas_other_user', 'Canvas authorised a different Canvas user than the one who opened Laurel.', 'Sign in to Canvas as yourself in this browser, then click "Connect Canvas" again.');
    }
    await saveCanvasGrant(state.issuer, state.clientId, state.userId, tokens, state.scopes);
    await setLmsApiGrantedBy(state.courseKey, state.userId);
    // Columns the last grant could not leave out of the final grade are tried again with this one.
    if (scopesEditAssignments(state.scopes)) await retryLeavingOut(state.courseKey);
    const editing = scopesEditAssignments(state.scopes) ? '' : ', without the scope to edit assignments';
    const messaging = scopesSendConversations(Boolean(connection.enforcesScopes), state.scopes) ? '' : ', without the scope to send conversations';
    await recordAudit({ actor: state.userId, actorName: state.name, courseKey: state.courseKey, action: 'canvas.connected', detail: `Canvas user ${tokens.canvasUserId}${editing}${messaging}` });
    forgetStateCookie(res, publicUrl);
    res.render('course/canvas-connected', { editRefused: Boolean(state.editRefused) });
  }));
  return router;
}

/**
 * Canvas refused a scope its developer key lacks. The optional scopes Canvas named (the edit one,
 * the module items one, the conversations one) are asked for again without them; otherwise the page says what Canvas named (its InvalidScopeError lists the scopes missing:
 * none when Laurel asked for none, the key enforcing scopes that Laurel's admin page says it does not).
 */
async function scopeRefused(req: Request, res: Response, publicUrl: string, state: ConnectState | undefined, said: string | undefined): Promise<void> {
  const fewer = state?.scopes && scopesWithoutRefused(state.scopes, said);
  if (state && fewer) {
    const connection = await lmsConnectionOf(state.issuer, state.clientId);
    if (connection?.kind === 'canvas-rest') {
      const editRefused = state.editRefused || (state.scopes!.includes(CANVAS_EDIT_SCOPE) && !fewer.includes(CANVAS_EDIT_SCOPE));
      return toCanvas(res, publicUrl, connection, { ...state, scopes: fewer, ...(editRefused ? { editRefused } : {}), until: Date.now() + STATE_LIFETIME_MS });
    }
  }
  forgetStateCookie(res, publicUrl);
  const canvasSaid = said || 'invalid_scope';
  const askedNone = said !== undefined && /not granted:\s*$/.test(said);
  if (askedNone) {
    return sendProblem(req, res, {
      status: 400, reason: 'canvas_scopes_not_asked', title: 'Laurel could not connect to Canvas', params: { said: canvasSaid },
      detail: `Canvas's developer key for Laurel enforces scopes, but Laurel's admin page says it does not, so Laurel asked for none and Canvas refused (Canvas said: ${canvasSaid}).`,
      todo: 'Ask your Canvas administrator to tick "The key enforces scopes" under LMS API connection on Laurel\'s admin page; then click "Connect Canvas" again.',
    });
  }
  sendProblem(req, res, {
    status: 400, reason: 'canvas_scope_refused', title: 'Laurel could not connect to Canvas', params: { said: canvasSaid },
    detail: `Canvas's developer key for Laurel does not allow every scope Laurel asked for (Canvas said: ${canvasSaid}).`,
    todo: 'Ask your Canvas administrator to allow the scopes Canvas names on Laurel\'s developer key (Admin → Developer Keys → the key → Edit), as Laurel\'s admin page lists them; then click "Connect Canvas" again.',
  });
}

function openState(raw: string | undefined): ConnectState | undefined {
  if (!raw) return undefined;
  try {
    const state = JSON.parse(unseal(raw)) as ConnectState;
    return state.until > Date.now() ? state : undefined;
  } catch {
    return undefined; // altered, or sealed under a secret no longer configured
  }
}

function refuse(req: Request, res: Response, status: number, reason: string, detail: string, todo: string): void {
  sendProblem(req, res, { status, reason, title: 'Laurel could not connect to Canvas', detail, todo });
}
