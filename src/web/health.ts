import { Router } from 'express';
import { pingDatabase } from '../store/connect.js';

/** Liveness and readiness in one: 200 when the database answers, 503 when it does not. */
export function health(): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const database = await pingDatabase();
    res.status(database ? 200 : 503).json({ status: database ? 'ok' : 'unavailable', database: database ? 'ok' : 'unreachable' });
  });
  return router;
}
