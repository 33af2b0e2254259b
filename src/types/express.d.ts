import type { Logger } from 'pino';

declare global {
  namespace Express {
    interface Request {
      /** Request id, also sent back as X-Request-Id. */
      id: string;
      log: Logger;
      /** The ltik session token, found by ltijs in the query, body or Authorization header. */
      token?: string;
    }
  }
}
export {};
