/**
 * An instructor grants Laurel access to the Canvas REST API (issue 8): from the course page, to
 * Canvas's own OAuth2 pages (in a new tab: Canvas's login does not run inside an iframe), and
 * back to /lms/canvas/callback. The OAuth `state` is sealed (secrets/sealed.ts), names the
 * platform, the course and the person, and lasts ten minutes: the callback needs no session,
 * and a grant can only land on the person who asked for it. Disconnecting forgets the grant.
 */
import { Router, type Request, type Response } from 'express';
import { exchangeCanvasCode, canvasAuthorizeUrl } from '../lms/canvasRest/canvasOAuth.js';
import { CANVAS_CALLBACK_PATH, canvasRedirectUri } from '../lms/canvasRest/canvasRedirect.js';
import { LmsError } from '../lms/errors.js';
import { newTransport } from '../lms/http.js';
import { seal, unseal } from '../secrets/sealed.js';
import { connectionSecrets, lmsConnectionOf } from '../store/lmsConnection.js';
import { deleteCanvasGrant, saveCanvasGrant } from '../store/canvasGrant.js';
import { setLmsApiGrantedBy } from '../store/course.js';
import { lmsUserIdsOf } from '../store/lmsUser.js';
import { recordAudit } from '../store/auditLog.js';
import { asyncRoute } from './asyncRoute.js';
import { auditInCourse } from './audit.js';
import { courseOf, editorsOnly } from './courseContext.js';
import { sendProblem } from './errorPage.js';
import { personName } from './personName.js';

const STATE_LIFETIME_MS = 10 * 60_000;

interface ConnectState { issuer: string; clientId: string; userId: string; name: string; courseKey: string; canvasUserId?: string; until: number }

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
    const state: ConnectState = { issuer: course.issuer, clientId: course.clientId, userId: token.user, name: personName(token), courseKey: course.courseKey, canvasUserId: known, until: Date.now() + STATE_LIFETIME_MS };
    res.redirect(303, canvasAuthorizeUrl({ baseUrl: connection.baseUrl, clientId: connection.apiClientId!, redirectUri: canvasRedirectUri(publicUrl), state: seal(JSON.stringify(state)), scopes: connection.enforcesScopes }));
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
  router.get(CANVAS_CALLBACK_PATH, asyncRoute(async (req, res) => {
    const q = req.query as Record<string, string | undefined>;
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
    await saveCanvasGrant(state.issuer, state.clientId, state.userId, tokens);
    await setLmsApiGrantedBy(state.courseKey, state.userId);
    await recordAudit({ actor: state.userId, actorName: state.name, courseKey: state.courseKey, action: 'canvas.connected', detail: `Canvas user ${tokens.canvasUserId}` });
    res.render('course/canvas-connected', {});
  }));
  return router;
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
