/**
 * Express 4 does not catch a rejected promise from a handler: this passes it to the error
 * handler, which answers 500 with a request id instead of leaving the request hanging.
 */
import type { NextFunction, Request, Response } from 'express';

export const asyncRoute = (fn: (req: Request, res: Response) => Promise<unknown>) =>
  (req: Request, res: Response, next: NextFunction): void => { fn(req, res).catch(next); };
