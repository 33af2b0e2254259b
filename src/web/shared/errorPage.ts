/**
 * Error pages a person can act on: what went wrong and what to do. Never a stack trace.
 */
import type { Request, Response } from 'express';
import type { Params, Translator } from '../../i18n/translate.js';

export interface Problem {
  status: number;
  title: string;
  detail: string;
  /** Stable code for logs and tests, e.g. "bad_signature". */
  reason: string;
  todo?: string;
  /**
   * Where the catalogue says this problem in other languages (problem.<key>.title / .detail /
   * .todo); default: the reason. Each part it has no text for is shown in the English given.
   */
  key?: string;
  /** The values the catalogue's texts name, e.g. { path } in "Nothing lives at {path}." */
  params?: Params;
}

/** The problem in the page's language; JSON answers keep the English. */
export function problemIn(p: Problem, tr: Translator): Problem {
  const key = `problem.${p.key ?? p.reason}`;
  const part = (name: 'title' | 'detail' | 'todo', english: string | undefined) => (english === undefined ? undefined : tr.tOr(`${key}.${name}`, english, p.params));
  return { ...p, title: part('title', p.title)!, detail: part('detail', p.detail)!, todo: part('todo', p.todo) };
}

export function sendProblem(req: Request, res: Response, p: Problem): void {
  req.log?.warn({ reason: p.reason, detail: p.detail, status: p.status }, p.title);
  res.status(p.status);
  res.setHeader('X-Laurel-Reason', p.reason);
  if (req.accepts(['html', 'json']) === 'json') {
    res.json({ error: p.reason, title: p.title, detail: p.detail, todo: p.todo, requestId: req.id });
    return;
  }
  res.render('error', { problem: p, cspNonce: res.locals.cspNonce });
}
