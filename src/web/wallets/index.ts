/**
 * What wallets call, without a session: each protocol's routes (OpenID4VCI, the VC-API exchange),
 * composed here so that `web/app.ts` mounts one router.
 */
import { Router } from 'express';
import { oid4vciRoutes } from './oid4vciRoutes.js';
import { vcApiRoutes } from './vcApiRoutes.js';

export function walletRoutes(): Router {
  const router = Router();
  router.use(oid4vciRoutes(), vcApiRoutes());
  return router;
}
