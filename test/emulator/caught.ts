import type { Request, RequestHandler, Response } from 'express';

/** Express 4 does not catch rejected promises: pass them on to the error handler. */
export function caught(handler: (req: Request, res: Response) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    handler(req, res).catch(next);
  };
}
