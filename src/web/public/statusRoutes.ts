/**
 * Status lists, public and current: a revocation shows in the next request.
 */
import { Router } from 'express';
import { publicStatusList } from '../../awards/statusListCredential.js';
import { sendProblem } from '../errorPage.js';
import { asyncRoute } from '../asyncRoute.js';
import { sendPublicJson } from './publicJson.js';

export function statusRoutes(base: string): Router {
  const router = Router();
  router.get('/status/:listKey', asyncRoute(async (req, res) => {
    const list = await publicStatusList(base, req.params.listKey);
    if (!list) return sendProblem(req, res, { status: 404, reason: 'unknown_status_list', title: 'No such status list', detail: `Laurel publishes no status list ${req.params.listKey}.`, params: { listKey: req.params.listKey } });
    sendPublicJson(res, list, { type: 'application/vc+ld+json' });
  }));
  return router;
}
