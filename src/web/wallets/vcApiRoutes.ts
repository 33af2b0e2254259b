/**
 * The VC-API exchange endpoint a wallet posts to (wallets/vcApi/exchange.ts), and the same
 * exchange's credential request URL LCW posts to from the link Laurel shows
 * (wallets/vcApi/lcwCredentialRequest.ts): no session, no cookie, readable from any origin
 * (openToWallets.ts), under the public rate limit (rateLimits.ts), never cached.
 *
 * The exchange id is in the URL, which the request log writes (the path, as for every request).
 * That is the price of VC-API, where the URL is the exchange: the id alone gives nothing once
 * the exchange is completed (single use) or ten minutes old, and the database keeps only its
 * hash. Nothing else of an exchange is logged: no challenge, no presentation, no credential;
 * a refusal is logged by its code.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { apiProblem } from '../shared/apiProblem.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { DidAuthenticationError } from '../../wallets/vcApi/didAuthentication.js';
import { CREDENTIAL_REQUEST_PATH, EXCHANGE_PATH, ExchangeRefusal, participate } from '../../wallets/vcApi/exchange.js';
import { answerText, requestCredential } from '../../wallets/vcApi/lcwCredentialRequest.js';

/** A DID authentication is about 1 kB; this leaves room for other wallets' longer keys and proofs. */
const BODY_LIMIT = '32kb';

function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

const DID_AUTHENTICATION_STATUS: Record<string, number> = { invalid_presentation: 400, unsupported_did: 400 };

const VC_API = 'VC-API exchange';
const CREDENTIAL_REQUEST = 'LCW credential request';

export function vcApiRoutes(): Router {
  const router = Router();
  router.post(EXCHANGE_PATH, noStore, express.json({ limit: BODY_LIMIT }), asyncRoute(async (req, res) => {
    try {
      const answer = await participate(req.params.exchangeId!, req.body);
      if ('verifiablePresentation' in answer) req.log.info('VC-API exchange completed: the credential went to the wallet');
      res.json(answer);
    } catch (err) {
      refuseOrThrow(req, res, err, VC_API);
    }
  }));
  router.post(CREDENTIAL_REQUEST_PATH, noStore, express.json({ limit: BODY_LIMIT }), asyncRoute(async (req, res) => {
    try {
      const credential = await requestCredential(req.params.exchangeId!, req.body);
      req.log.info('LCW credential request completed: the credential went to the wallet');
      res.type('application/json').send(answerText(credential));
    } catch (err) {
      refuseOrThrow(req, res, err, CREDENTIAL_REQUEST);
    }
  }));
  // A body Laurel cannot read answers JSON here, as the wallet asked in JSON. (The credential
  // request's first: `use` matches by prefix, and its path is under the exchange's.)
  router.use(CREDENTIAL_REQUEST_PATH, unreadable(CREDENTIAL_REQUEST, 'The request body is not JSON: send the signed presentation (DID authentication) as the body.'));
  router.use(EXCHANGE_PATH, unreadable(VC_API, 'The request body is not JSON: send `{}` to start the exchange, then `{ "verifiablePresentation": … }`.'));
  return router;
}

function refuseOrThrow(req: Request, res: Response, err: unknown, flow: string): void {
  if (err instanceof ExchangeRefusal) return refuse(req, res, err.status, err.code, err.message, flow);
  // A presentation that does not authenticate its holder: 400 when malformed, else 401.
  if (err instanceof DidAuthenticationError) return refuse(req, res, DID_AUTHENTICATION_STATUS[err.code] ?? 401, err.code, err.message, flow);
  throw err;
}

function unreadable(flow: string, notJson: string) {
  return (err: { type?: unknown; status?: unknown; expose?: unknown }, req: Request, res: Response, next: NextFunction) => {
    if (typeof err?.type !== 'string' || err.expose !== true || typeof err.status !== 'number' || err.status >= 500) return next(err);
    if (err.status === 413) return refuse(req, res, 413, 'body_too_large', `The request body is larger than the ${BODY_LIMIT} an exchange accepts.`, flow);
    refuse(req, res, 400, 'body_unreadable', notJson, flow);
  };
}

function refuse(req: Request, res: Response, status: number, code: string, detail: string, flow: string): void {
  req.log.warn({ reason: code, status }, `${flow} refused`);
  apiProblem(res, status, code, detail);
}
