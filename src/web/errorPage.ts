/**
 * Error pages a person can act on: what went wrong and what to do. Never a stack trace.
 */
import type { Request, Response } from 'express';

export interface Problem {
  status: number;
  title: string;
  detail: string;
  /** Stable code for logs and tests, e.g. "bad_signature". */
  reason: string;
  todo?: string;
}

export function sendProblem(req: Request, res: Response, p: Problem): void {
  req.log?.warn({ reason: p.reason, detail: p.detail, status: p.status }, p.title);
  res.status(p.status);
  res.setHeader('X-Laurel-Reason', p.reason);
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: p.reason, title: p.title, detail: p.detail, todo: p.todo });
    return;
  }
  res.render('error', { problem: p, cspNonce: res.locals.cspNonce });
}
