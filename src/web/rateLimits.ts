/**
 * Rate limits per client address on what anyone can reach without a session: the LTI login and
 * launch, dynamic registration, and the public badge URLs, each counted on its own so a flood of
 * one never locks out the others. The address is Express's `req.ip`, so it follows `trust proxy`
 * (TRUST_PROXY): behind a proxy, set it, or every client shares the proxy's address.
 *
 * Counts live in this instance's memory: with several instances behind a load balancer, a
 * client may reach each instance's limit. (A store shared through MongoDB would count across
 * instances, at the price of a database write per request.)
 */
import { Router, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { RateLimits } from '../../config/index.js';
import { ROUTES } from '../lti/scopes.js';
import { sendProblem } from './shared/errorPage.js';

/**
 * Where the public routers (web/public/, web/wallets/) answer: what verifiers, employers and
 * wallets read, learners' public pages of badges, the OpenID4VCI metadata (its token, nonce and credential endpoints are under
 * /issuers), and the wallets' VC-API exchanges (with LCW's credential requests under them).
 */
const PUBLIC_PATHS = ['/verify', '/profiles', '/credentials', '/ob2', '/achievements', '/images', '/issuers', '/status', '/exchanges',
  '/.well-known/openid-credential-issuer', '/.well-known/oauth-authorization-server'];

export function rateLimits(limits: RateLimits, logger: Logger): Router {
  const router = Router();
  const windowMs = limits.windowSeconds * 1000;
  const limiter = (name: string, limit: number) => rateLimit({
    windowMs,
    limit,
    identifier: name, // names the policy in the RateLimit headers
    standardHeaders: 'draft-8', // RateLimit and RateLimit-Policy; Retry-After once over the limit
    legacyHeaders: false,
    // The library's own warnings (e.g. a permissive trust proxy) go to Laurel's JSON log.
    logger: { warn: (err: unknown) => logger.warn({ err }, 'rate limit'), error: (err: unknown) => logger.error({ err }, 'rate limit') },
    handler: (req: Request, res: Response) => {
      const seconds = String(res.getHeader('Retry-After') ?? limits.windowSeconds);
      sendProblem(req, res, {
        status: 429, reason: 'rate_limited', params: { limit: String(limit), windowSeconds: String(limits.windowSeconds), seconds },
        title: 'Too many requests',
        detail: `Laurel answers at most ${limit} of these requests from one address every ${limits.windowSeconds} seconds, and more came from yours.`,
        todo: `Wait ${seconds} seconds, then try again.`,
      });
    },
  });
  if (limits.launch > 0) router.use([ROUTES.login, ROUTES.launch], limiter('launch', limits.launch));
  if (limits.registration > 0) router.use(ROUTES.register, limiter('registration', limits.registration));
  if (limits.public > 0) router.use(PUBLIC_PATHS, limiter('public', limits.public));
  return router;
}
