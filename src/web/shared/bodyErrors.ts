/**
 * Request bodies Laurel will not read: too large, not valid JSON, in an encoding it does not
 * know. They are the sender's mistake, so the answer says what was wrong (never the 500 page):
 * JSON for the APIs, the launch's 401 for a launch, the problem page elsewhere.
 *
 * Too large stays 413 (Content Too Large), the status every HTTP client and proxy reads as
 * "send less"; everything else unreadable is 400.
 */
import type { NextFunction, Request, Response } from 'express';
import { ROUTES } from '../../lti/scopes.js';
import { apiProblem } from './apiProblem.js';
import { sendProblem } from './errorPage.js';

/** What body-parser attaches to the errors it raises (`type` names the kind). */
interface BodyParserError { type?: unknown; status?: unknown; expose?: unknown; limit?: unknown; length?: unknown; message: string }

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

function answer(req: Request, res: Response, status: number, code: 'body_too_large' | 'body_unreadable', detail: string): void {
  const path = req.originalUrl.split('?')[0]!; // req.path is relative to the router it reaches
  if (path === ROUTES.launch) {
    // A launch is refused like any other bad launch (launch.ts): 401, a reason, a log line.
    const reason = code === 'body_too_large' ? 'launch_too_large' : 'malformed_launch';
    sendProblem(req, res, { status: 401, reason, key: 'launch_rejected', params: { detail }, title: 'Laurel could not accept this launch', detail: `The launch was refused: ${detail}.` });
    return;
  }
  if (path.startsWith('/api/')) {
    req.log?.warn({ reason: code, status }, detail);
    apiProblem(res, status, code, `${detail}.`);
    return;
  }
  sendProblem(req, res, { status, reason: code, title: 'Laurel could not read this request', detail: `${detail}.`, todo: 'Go back and send it again, shorter.' });
}

/** Error middleware: mount after every router, before the last error handler. */
export function bodyErrors(err: unknown, req: Request, res: Response, next: NextFunction): void {
  const e = err as BodyParserError;
  if (res.headersSent || typeof e?.type !== 'string' || e.expose !== true || typeof e.status !== 'number' || e.status >= 500) return next(err);
  if (e.status === 413) {
    const limit = typeof e.limit === 'number' ? ` the ${kb(e.limit)} Laurel accepts here` : ' what Laurel accepts here';
    return answer(req, res, 413, 'body_too_large', `the request body is larger than${limit}`);
  }
  answer(req, res, 400, 'body_unreadable', `the request body could not be read (${e.message})`);
}

/**
 * A route's own size limit. ltijs parses every body first (up to 100 KB), so a router's
 * `express.json({ limit })` never runs: the declared length is checked here instead.
 */
export function bodyLimit(bytes: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (length <= bytes) return next();
    answer(req, res, 413, 'body_too_large', `the request body (${kb(length)}) is larger than the ${kb(bytes)} Laurel accepts here`);
  };
}
