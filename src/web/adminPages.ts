/**
 * The admin page, for the LMS's administrators (institution or system Administrator role in the
 * launch): the institution's issuer profile, its signing keys and their rotation.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { isPlatformAdmin } from '../lti/roles.js';
import { IssuerProfileError, issuerProfileOf, saveIssuerProfile, type IssuerProfileInput } from '../store/issuerProfile.js';
import { publishedKeys, rotateIssuerKeys } from '../store/issuerKeys.js';
import { issuerDid, issuerUrls } from '../credentials/urls.js';
import { publicBase } from '../awards/publicBase.js';
import { sendProblem } from './errorPage.js';
import { asyncRoute } from './asyncRoute.js';
import { personName } from './coursePages.js';

const token = (res: Response) => res.locals.token as LtijsToken;

function adminOnly(req: Request, res: Response, next: NextFunction): void {
  if (isPlatformAdmin(token(res).platformContext?.roles)) return next();
  sendProblem(req, res, { status: 403, reason: 'not_admin', title: 'This is for LMS administrators', detail: 'The issuer profile is set by an administrator of the LMS (the institution or system Administrator role).' });
}

async function page(res: Response, o: { problems?: string[]; saved?: string; input?: Partial<IssuerProfileInput> } = {}) {
  const t = token(res);
  const profile = await issuerProfileOf(t.iss);
  const base = publicBase();
  const keys = await publishedKeys(profile.key);
  const ltik = res.locals.ltik as string;
  res.status(o.problems?.length ? 400 : 200).render('admin/issuer', {
    title: 'Issuer profile', person: { name: personName(t) }, platform: t.iss, profile: { ...profile, ...o.input },
    did: issuerDid(base, profile.key), urls: issuerUrls(base, profile.key), keys, problems: o.problems ?? [], saved: o.saved, ltik,
    q: `ltik=${encodeURIComponent(ltik)}`,
  });
}

export function adminPages(): Router {
  const router = Router();
  router.use('/admin', express.urlencoded({ extended: false, limit: '16kb' }), adminOnly);

  router.get('/admin', asyncRoute((_req, res) => page(res)));

  router.post('/admin/issuer', (req, res, next) => {
    const body = req.body as Record<string, string | undefined>;
    const input: IssuerProfileInput = { name: body.name ?? '', url: body.url ?? '', email: body.email, description: body.description, imageUrl: body.imageUrl };
    saveIssuerProfile(token(res).iss, input, token(res).user)
      .then(() => { req.log.info({ platform: token(res).iss, by: token(res).user }, 'issuer profile saved'); return page(res, { saved: 'The issuer profile is saved. Credentials issued from now on carry it.' }); })
      .catch((err) => (err instanceof IssuerProfileError ? page(res, { problems: err.problems, input }) : Promise.reject(err)))
      .catch(next);
  });

  router.post('/admin/issuer/rotate-keys', (req, res, next) => {
    issuerProfileOf(token(res).iss)
      .then((profile) => rotateIssuerKeys(profile.key))
      .then((ids) => { req.log.info({ platform: token(res).iss, by: token(res).user, keys: ids }, 'issuer keys rotated'); return page(res, { saved: 'New signing keys are in use. The old ones stay published, so badges signed with them still verify.' }); })
      .catch(next);
  });
  return router;
}
