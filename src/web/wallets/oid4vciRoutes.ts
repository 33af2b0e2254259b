/**
 * The OpenID4VCI issuer's HTTP face, one per issuer profile: its metadata at the well-known URLs
 * (RFC 8615 path insertion, as OpenID4VCI 1.0 section 12.2 and RFC 8414 say), and its token,
 * nonce and credential endpoints under the profile's URL. Wallets call them without a session,
 * from phones and from browsers: any origin may (openToWallets.ts). Answers are JSON in
 * the specifications' shapes, errors included, never an HTML page. Codes and tokens travel in
 * bodies and headers only, so the request log (which logs paths) never holds one.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { oid4vciUrls } from '../../credentials/urls.js';
import { publicBase } from '../../publicBase.js';
import { issuerProfileByKey, type IssuerProfile } from '../../store/issuerProfile.js';
import { requestCredential } from '../../wallets/oid4vci/credentialRequest.js';
import { Oid4vciError } from '../../wallets/oid4vci/errors.js';
import { authorizationServerMetadata, credentialIssuerMetadata } from '../../wallets/oid4vci/issuerMetadata.js';
import { issueNonce } from '../../wallets/oid4vci/nonce.js';
import { redeemPreAuthorizedCode } from '../../wallets/oid4vci/token.js';
import { asyncRoute } from '../shared/asyncRoute.js';

export const OID4VCI_PATHS = {
  issuerMetadata: '/.well-known/openid-credential-issuer/issuers/:key',
  authorizationServerMetadata: '/.well-known/oauth-authorization-server/issuers/:key',
  token: '/issuers/:key/oid4vci/token',
  nonce: '/issuers/:key/oid4vci/nonce',
  credential: '/issuers/:key/oid4vci/credential',
} as const;

const ALL_PATHS = Object.values(OID4VCI_PATHS);

/** An error as OAuth and OpenID4VCI write it; the log gets its code and description, which name no secret. */
function sendError(req: Request, res: Response, err: Oid4vciError): void {
  req.log?.warn({ reason: err.error, status: err.status }, err.description);
  res.status(err.status).set('Cache-Control', 'no-store');
  if (err.status === 401) {
    const realm = `Bearer realm="${oid4vciUrls(publicBase(), String(req.params.key)).credentialIssuer}"`;
    // RFC 6750 section 3.1: a request that sent no token is told only how to authenticate.
    const presented = typeof req.headers.authorization === 'string' && req.headers.authorization.trim() !== '';
    res.set('WWW-Authenticate', presented ? `${realm}, error="${err.error}", error_description="${err.description.replace(/["\\]/g, "'")}"` : realm);
  }
  res.json({ error: err.error, error_description: err.description });
}

function oid4vciRoute(handler: (req: Request, res: Response, profile: IssuerProfile) => Promise<void>) {
  return asyncRoute(async (req, res) => {
    try {
      const profile = await issuerProfileByKey(String(req.params.key));
      if (!profile) throw new Oid4vciError(404, 'unknown_issuer', `Laurel knows no issuer ${String(req.params.key).slice(0, 64)}: check the credential offer's credential_issuer.`);
      await handler(req, res, profile);
    } catch (err) {
      if (!(err instanceof Oid4vciError)) throw err;
      sendError(req, res, err);
    }
  });
}

const noStore = (res: Response) => res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });

export function oid4vciRoutes(): Router {
  const router = Router();
  router.get(OID4VCI_PATHS.issuerMetadata, oid4vciRoute(async (_req, res, profile) => {
    res.set('Cache-Control', 'no-cache').json(credentialIssuerMetadata(publicBase(), profile));
  }));

  router.get(OID4VCI_PATHS.authorizationServerMetadata, oid4vciRoute(async (_req, res, profile) => {
    res.set('Cache-Control', 'no-cache').json(authorizationServerMetadata(publicBase(), profile.key));
  }));

  router.post(OID4VCI_PATHS.token, express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 20 }), oid4vciRoute(async (req, res, profile) => {
    if (!req.is('application/x-www-form-urlencoded')) {
      throw new Oid4vciError(400, 'invalid_request', 'The token request must be a form (application/x-www-form-urlencoded) with grant_type and pre-authorized_code.');
    }
    noStore(res).json(await redeemPreAuthorizedCode(profile.key, req.body as Record<string, unknown>));
  }));

  router.post(OID4VCI_PATHS.nonce, oid4vciRoute(async (_req, res, profile) => {
    noStore(res).json(await issueNonce(profile.key));
  }));

  router.post(OID4VCI_PATHS.credential, express.json({ limit: '32kb' }), oid4vciRoute(async (req, res, profile) => {
    if (!req.is('application/json')) {
      throw new Oid4vciError(400, 'invalid_credential_request', 'The credential request must be JSON (Content-Type: application/json).');
    }
    noStore(res).json(await requestCredential(profile.key, req.headers.authorization, req.body));
  }));

  // A body that cannot be read is the sender's mistake: said as these endpoints say errors.
  router.use(ALL_PATHS, (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const e = err as { type?: unknown; status?: unknown; expose?: unknown; message?: string };
    if (res.headersSent || typeof e?.type !== 'string' || e.expose !== true || typeof e.status !== 'number' || e.status >= 500) return next(err);
    const code = req.originalUrl.split('?')[0]!.endsWith('/credential') ? 'invalid_credential_request' : 'invalid_request';
    sendError(req, res, new Oid4vciError(e.status === 413 ? 413 : 400, code, e.status === 413 ? 'The request body is larger than Laurel takes here.' : `The request body could not be read: ${e.message ?? 'malformed'}.`));
  });
  return router;
}
