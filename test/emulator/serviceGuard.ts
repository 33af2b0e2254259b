/**
 * What every LTI service request (token, AGS, NRPS) goes through: the request log, throttling on
 * demand, the bearer access token and its scopes. Also how each flavour words a service error.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { withCourse, type AccessToken, type Platform } from './platform.js';
import { findTool, type RegisteredTool } from './tools.js';

export interface ServiceLocals { tool: RegisteredTool; token: AccessToken }

export function logServiceRequests(p: Platform): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => p.requests.push({ method: req.method, path: req.originalUrl, status: res.statusCode }));
    next();
  };
}

/**
 * Answers the next throttled requests as each LMS does when its budget runs dry: Canvas 403 with
 * its rate-limit headers (digest §8), Moodle (or the proxy in front of it) 429. Both send Retry-After.
 */
export function throttleServiceRequests(p: Platform): RequestHandler {
  return (req, res, next) => {
    const t = p.throttle;
    if (t.remaining <= 0 || (t.paths && !t.paths.test(req.originalUrl))) return next();
    t.remaining--;
    res.set('Retry-After', String(t.retryAfterSeconds));
    if (p.flavour === 'canvas') {
      res.set({ 'X-Rate-Limit-Remaining': '0.0', 'X-Request-Cost': '1.52' });
      res.status(403).type('text/plain').send('403 Forbidden (Rate Limit Exceeded)\n');
    } else {
      res.status(429).type('text/plain').send('Too Many Requests');
    }
  };
}

/** Requires a live access token holding any one of `scopes`; leaves the tool and token in res.locals. */
export function requireScope(p: Platform, scopes: string[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const bearer = /^Bearer (.+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const token = bearer ? p.accessTokens.get(bearer) : undefined;
    const tool = token && findTool(p, token.clientId);
    if (!bearer) return serviceError(p, res, 401, 'Missing access token');
    if (!token || !tool || token.expiresAt <= Date.now()) return serviceError(p, res, 401, 'Invalid or expired access token');
    if (!scopes.some((s) => token.scopes.includes(s))) {
      return serviceError(p, res, 403, `Access token does not carry the scope this request needs (one of: ${scopes.join(', ')})`);
    }
    Object.assign(res.locals, { tool, token } satisfies ServiceLocals);
    next();
  };
}

/** The course in the service URL must be the emulated one. */
export function inCourse(p: Platform): RequestHandler {
  return (req, res, next) => {
    if (req.params.courseId === p.course.id) return next();
    const past = p.pastCourses.find((c) => c.id === req.params.courseId);
    if (past) return withCourse(p, past, next);
    serviceError(p, res, 404, p.flavour === 'canvas' ? 'Context not found' : `Not Found: Course ${req.params.courseId} doesn't exist.`);
  };
}

/**
 * Moodle compares media types literally: a GET's Accept must be absent or exactly the resource's
 * type (so `*\/*` fails), a POST/PUT's Content-Type the expected one, its parameters (`; charset=utf-8`)
 * dropped first (mod/lti/services.php; checked against Moodle 4.5).
 */
export function moodleMediaType(p: Platform, mediaType?: string): RequestHandler {
  return (req, res, next) => {
    if (!mediaType || req.method === 'DELETE') return next();
    const sent = req.method === 'GET' ? req.get('accept') : req.get('content-type')?.split(';')[0];
    if ((req.method === 'GET' && !sent) || sent === mediaType) return next();
    serviceError(p, res, 400, 'No context or unsupported content type');
  };
}

const RAILS_STATUS: Record<number, string> = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 412: 'precondition_failed', 415: 'unsupported_media_type', 422: 'unprocessable_entity',
};

/**
 * Canvas answers errors as JSON `{errors: {type, message}}`. Moodle puts the reason in the HTTP
 * status line and answers JSON naming the request back (mod/lti/classes/local/ltiservice/response.php,
 * send(); checked against Moodle 4.5): `{status, reason, request: {method, url, accept?, contentType?}}`.
 */
export function serviceError(p: Platform, res: Response, status: number, message: string): void {
  if (p.flavour === 'canvas') {
    res.status(status).json({ errors: { type: RAILS_STATUS[status] ?? String(status), message } });
  } else {
    const req = res.req;
    const request: Record<string, string> = { method: req.method, url: req.originalUrl };
    if (req.get('accept') !== undefined) request.accept = req.get('accept')!;
    if (req.get('content-type') !== undefined) request.contentType = req.get('content-type')!.split(';')[0]!;
    res.statusMessage = message.replace(/[^\x20-\x7e]/g, '?');
    res.status(status).type('application/json; charset=utf-8').send(JSON.stringify({ status, reason: message, request }, null, 4));
  }
}
