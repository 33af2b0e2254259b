/**
 * Status lists, public and current: a revocation shows in the next request. One list, two forms
 * at one URL: the credential with its Data Integrity proof (JSON, the default) and the same list
 * as a VC-JWT for `Accept: application/vc+jwt`, which is what a credential's VC-JWT points a
 * verifier to (its credentialStatus names the one URL). The VC-JWT also has its own URL, the
 * list's with `.jwt`, as a credential's VC-JWT has, for clients that cannot set Accept.
 */
import { Router, type Request } from 'express';
import { publicStatusList, publicStatusListJwt } from '../../awards/statusListCredential.js';
import { sendProblem } from '../shared/errorPage.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { sendPublicFile, sendPublicJson } from './publicJson.js';

const JWT_TYPES = ['application/vc+jwt', 'application/jwt'];

/** Whether the client prefers a JWT to JSON; anything else (no Accept, `*\/*`, JSON) gets JSON. */
function wantsJwt(req: Request): boolean {
  const preferred = req.accepts(['application/vc+ld+json', 'application/ld+json', 'application/json', ...JWT_TYPES]);
  return typeof preferred === 'string' && JWT_TYPES.includes(preferred);
}

export function statusRoutes(base: string): Router {
  const router = Router();
  router.get('/status/:file', asyncRoute(async (req, res) => {
    const file = req.params.file!;
    const ownUrl = file.endsWith('.jwt');
    const listKey = ownUrl ? file.slice(0, -'.jwt'.length) : file;
    const jwt = ownUrl || wantsJwt(req);
    // Caches must keep the two forms of the one URL apart.
    if (!ownUrl) res.vary('Accept');
    const list = jwt ? await publicStatusListJwt(base, listKey) : await publicStatusList(base, listKey);
    if (!list) return sendProblem(req, res, { status: 404, reason: 'unknown_status_list', title: 'No such status list', detail: `Laurel publishes no status list ${listKey}.`, params: { listKey } });
    if (typeof list === 'string') return sendPublicFile(res, list, 'application/vc+jwt');
    sendPublicJson(res, list, { type: 'application/vc+ld+json' });
  }));
  return router;
}
