/**
 * What wallets call, without a session: each protocol's routes (OpenID4VCI, the VC-API exchange),
 * composed here so that `web/app.ts` mounts one router.
 */
import { Router } from 'express';
import { vcApiRoutes } from './vcApiRoutes.js';

export function walletRoutes(): Router {
  const router = Router();
  router.use(vcApiRoutes());
  return router;
}
