/**
 * Removing the administrator's own platform from Laurel (issue 20, part 4), the last thing on the
 * admin page: a confirmation page says what will be lost and what happens to the credentials it
 * issued, and removes nothing until the administrator types the platform's issuer or name, as a
 * repository is deleted on GitHub. Then the removal is recorded and the LMS can no longer launch
 * Laurel, this session going with it; the rest of the registration goes in the background
 * (privacy/removal/removalInBackground.ts), and a last page says it is under way. Mounted inside
 * adminPages.ts, behind its check that the caller administers the platform.
 */
import { Router, type Request, type Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { asyncRoute } from '../shared/asyncRoute.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { sendProblem } from '../shared/errorPage.js';
import { platformOverview } from './platformOverview.js';
import { gatherRemovalFacts, removePlatform, type RemovalTarget } from '../../privacy/removal/removePlatform.js';
import { removeInBackground } from '../../privacy/removal/removalInBackground.js';
import { confirmsRemoval, keptLines, lostLines, type RemovalFacts } from '../../privacy/removal/removalSummary.js';

const token = (res: Response) => res.locals.token as LtijsToken;

async function targetOf(res: Response): Promise<RemovalTarget | null> {
  const p = await platformOverview(token(res));
  return p && { issuer: p.issuer, clientId: p.clientId, platformId: p.platformId, platformName: p.name };
}

function confirmPage(res: Response, facts: RemovalFacts, problem?: string, typed = '') {
  const tr = pageTranslator(res);
  const ltik = res.locals.ltik as string;
  res.status(problem ? 400 : 200).render('admin/removal-confirm', {
    title: tr.t('removal.title'), name: facts.platformName, issuer: facts.issuer,
    lost: lostLines(facts, tr), kept: keptLines(facts, tr), problem, typed, ltik, q: `ltik=${encodeURIComponent(ltik)}`,
  });
}

const noPlatform = (req: Request, res: Response) => sendProblem(req, res, {
  status: 404, reason: 'unknown_platform', title: 'This LMS is not registered with Laurel',
  detail: `No platform with issuer ${token(res).iss} is registered.`, params: { issuer: token(res).iss },
});

export function removalSection(): Router {
  const router = Router();
  router.get('/admin/removal', asyncRoute(async (req, res) => {
    const target = await targetOf(res);
    if (!target) return noPlatform(req, res);
    confirmPage(res, await gatherRemovalFacts(target));
  }));

  router.post('/admin/removal', asyncRoute(async (req, res) => {
    const target = await targetOf(res);
    if (!target) return noPlatform(req, res);
    const facts = await gatherRemovalFacts(target);
    const typed = typeof req.body?.confirm === 'string' ? (req.body.confirm as string).slice(0, 500) : '';
    if (!confirmsRemoval(typed, facts)) {
      const tr = pageTranslator(res);
      const params = { typed: typed.trim(), issuer: facts.issuer, name: facts.platformName };
      return confirmPage(res, facts, tr.t(typed.trim() ? 'removal.wrongConfirmation' : 'removal.emptyConfirmation', params), typed);
    }
    // At once: the record, then ltijs's records (no launch from then on); the rest, minutes for a
    // large platform, runs on in the background (removalInBackground.ts) and says in the log when done.
    await removePlatform(target, 'admin', { facts, until: 'ltijs' });
    req.log.info({ platformId: target.platformId, platform: target.issuer, clientId: target.clientId }, 'platform removal under way');
    void removeInBackground(target, 'admin', req.log);
    const tr = pageTranslator(res);
    res.set('Cache-Control', 'no-store');
    res.render('admin/removal-done', { title: tr.t('removal.doneTitle'), name: target.platformName, issuer: target.issuer, credentials: facts.credentials });
  }));
  return router;
}
