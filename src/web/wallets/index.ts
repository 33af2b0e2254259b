/**
 * What wallets call, without a session: each protocol's routes (OpenID4VCI, the VC-API exchange),
 * composed here so that `web/app.ts` mounts one router.
 */
import { Router } from 'express';

export function walletRoutes(): Router {
  const router = Router();
  return router;
}
