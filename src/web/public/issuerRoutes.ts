/**
 * An issuer's public documents: the OB 3.0 Profile, its did:web document and JWKs (every key it
 * ever signed with), and the OB 2.0 Issuer with its revocation list.
 */
import { Router } from 'express';
import { issuerUrls } from '../../credentials/urls.js';
import { ob2Issuer, ob2RevocationList } from '../../credentials/ob2.js';
import { issuerProfile, VC_CONTEXT_URL } from '../../credentials/openBadgeCredential.js';
import { OB_CONTEXT_URL } from '../../credentials/documentLoader.js';
import { issuerDidDocument, issuerJwks, issuerOf } from '../../awards/issuerDocuments.js';
import { issuerProfileByKey } from '../../store/issuerProfile.js';
import { revokedOfIssuer } from '../../store/issuedCredential.js';
import { sendProblem } from '../shared/errorPage.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { sendPublicJson } from './publicJson.js';

export function issuerRoutes(base: string): Router {
  const router = Router();
  const unknown = (req: Parameters<typeof sendProblem>[0], res: Parameters<typeof sendProblem>[1]) =>
    sendProblem(req, res, { status: 404, reason: 'unknown_issuer', title: 'No such issuer', detail: `Laurel knows no issuer ${req.params.key}.`, params: { key: req.params.key } });

  router.get('/issuers/:key', asyncRoute(async (req, res) => {
    const profile = await issuerProfileByKey(req.params.key);
    if (!profile) return unknown(req, res);
    const issuer = issuerOf(base, profile);
    const jwks = (await issuerJwks(base, issuer.key)) as { keys: object[] };
    sendPublicJson(res, {
      '@context': [VC_CONTEXT_URL, OB_CONTEXT_URL],
      ...issuerProfile(issuer), // as every credential names its issuer
      // Not an OB term: where verifiers find the keys for VC-JWT, beside the DID document.
      publicKeys: { didDocument: issuerUrls(base, issuer.key).didDocument, jwks: issuerUrls(base, issuer.key).jwks },
      jwks: jwks.keys,
    }, { type: 'application/ld+json' });
  }));

  router.get('/issuers/:key/did.json', asyncRoute(async (req, res) => {
    const doc = await issuerDidDocument(base, req.params.key);
    if (!doc) return unknown(req, res);
    sendPublicJson(res, doc, { type: 'application/did+json' });
  }));

  router.get('/issuers/:key/jwks.json', asyncRoute(async (req, res) => {
    const jwks = await issuerJwks(base, req.params.key);
    if (!jwks) return unknown(req, res);
    sendPublicJson(res, jwks, { type: 'application/jwk-set+json' });
  }));

  router.get('/ob2/issuers/:key', asyncRoute(async (req, res) => {
    const profile = await issuerProfileByKey(req.params.key);
    if (!profile) return unknown(req, res);
    sendPublicJson(res, ob2Issuer({ base, issuer: issuerOf(base, profile) }), { type: 'application/ld+json' });
  }));

  router.get('/ob2/issuers/:key/revocations', asyncRoute(async (req, res) => {
    const profile = await issuerProfileByKey(req.params.key);
    if (!profile) return unknown(req, res);
    const revoked = await revokedOfIssuer(profile.key);
    sendPublicJson(res, ob2RevocationList({ base, issuer: issuerOf(base, profile), revoked }), { type: 'application/ld+json' });
  }));
  return router;
}
