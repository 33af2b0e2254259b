/**
 * A learner's rights over their data (issue 20), from their page: download everything Laurel holds
 * about them on this platform (privacy/export/), and ask for its erasure, which an administrator
 * confirms (web/admin/erasureSection.ts); they may cancel while it waits. Everything is the
 * session's own person: no form names anyone.
 */
import { Router, type Request, type Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { asyncRoute } from '../shared/asyncRoute.js';
import { pageView } from '../shared/pageView.js';
import { personName } from '../shared/personName.js';
import { exportPerson } from '../../privacy/export/exportPerson.js';
import { dropPendingRequest, erasureRequestOf, isErasureChoice, requestErasure } from '../../store/erasureRequest.js';
import { personKey } from '../../store/lmsUser.js';
import { pageTranslator } from '../shared/pageLanguage.js';

export const MY_DATA = '/me/data';
export const MY_ERASURE = '/me/erasure';

const token = (res: Response) => res.locals.token as LtijsToken;
const personOf = (t: LtijsToken) => ({ issuer: t.iss, clientId: t.clientId, userId: t.user });

/** What the page's "Your data" and "Erase my data" sections show. */
export async function myDataView(t: LtijsToken, date: (d: Date) => string) {
  const request = await erasureRequestOf(personOf(t));
  return request ? { request: { date: date(request.requestedAt), choice: request.choice, confirmed: Boolean(request.erasureId) } } : { request: undefined };
}

/** The file: JSON, as an attachment, never cached. */
async function download(_req: Request, res: Response): Promise<void> {
  const data = await exportPerson(personOf(token(res)));
  res.set('Cache-Control', 'no-store');
  res.attachment('laurel-my-data.json');
  res.type('application/json').send(JSON.stringify(data, null, 2));
}

async function ask(req: Request, res: Response): Promise<void> {
  const choice = (req.body as Record<string, string | undefined>).choice;
  if (!isErasureChoice(choice)) {
    res.status(400).render('error', { problem: { status: 400, reason: 'erasure_choice_missing', title: pageTranslator(res).t('erasure.chooseFirst'), detail: pageTranslator(res).t('erasure.credentialsStay') } });
    return;
  }
  await requestErasure(personOf(token(res)), { name: personName(token(res)), choice, by: 'learner' });
  req.log.info({ platform: token(res).iss, choice }, 'erasure requested');
  res.redirect(303, `/me?${pageView(res).q}&note=erasureRequested`);
}

async function cancel(req: Request, res: Response): Promise<void> {
  const t = token(res);
  if (await dropPendingRequest(personKey(t.iss, t.clientId, t.user))) req.log.info({ platform: t.iss }, 'erasure request cancelled');
  res.redirect(303, `/me?${pageView(res).q}&note=erasureCancelled`);
}

export function myDataRoutes(): Router {
  const router = Router();
  router.get(MY_DATA, asyncRoute(download));
  router.post(MY_ERASURE, asyncRoute(ask));
  router.post(`${MY_ERASURE}/cancel`, asyncRoute(cancel));
  return router;
}
