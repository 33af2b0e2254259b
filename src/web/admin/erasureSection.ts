/**
 * The admin page's section for learners' data (issue 20): the platform's requests for erasure,
 * confirmed or declined here; a person's data downloaded by their LMS user id (as administrators
 * are granted: store/platformAdministrators.ts); and an erasure on a request the institution
 * received through its own channels, which names what will be lost and asks to be ticked.
 * Everything is the launch's own platform: a request of another platform is not found.
 */
import { Router, type Request, type Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { asyncRoute } from '../shared/asyncRoute.js';
import { sendProblem } from '../shared/errorPage.js';
import { personName } from '../shared/personName.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { parseLmsUserId } from '../../store/platformAdministrators.js';
import { dropPendingRequest, erasureRequestById, erasureRequestsOf, isErasureChoice } from '../../store/erasureRequest.js';
import { erasuresOf, type ErasureRecord } from '../../store/erasure.js';
import { recordAudit, registrationKey } from '../../store/auditLog.js';
import { NobodyThereError, personOfLmsUserId, requestOnBehalf } from '../../privacy/erasure/confirmErasure.js';
import { confirmInBackground } from '../../privacy/erasure/erasureInBackground.js';
import { exportPerson, isEmptyExport } from '../../privacy/export/exportPerson.js';
import type { Translator } from '../../i18n/translate.js';
import type { MessageKey } from '../../i18n/en.js';

const token = (res: Response) => res.locals.token as LtijsToken;
const isCanvas = (t: LtijsToken) => t.platformInfo?.product_family_code === 'canvas';

/** What a form of the section typed, shown again when it had problems. */
interface Typed { userId?: string; choice?: string }

/** The admin page again (adminPages.ts), saying what was done or what to fix. */
export type AdminPage = (res: Response, s: { problems?: string[]; saved?: string }) => Promise<void>;

/** The section's view model (adminPages.ts's page()). */
export async function erasureSection(res: Response, tr: Translator) {
  const t = token(res);
  const [requests, done] = await Promise.all([erasureRequestsOf({ issuer: t.iss, clientId: t.clientId }), erasuresOf({ issuer: t.iss, clientId: t.clientId }, 10)]);
  const typed = (res.locals.erasureTyped ?? {}) as Typed;
  return {
    requests: requests.map((r) => ({ id: r._id, name: r.name, date: tr.date(r.confirmedAt ?? r.requestedAt), choice: tr.t(`erasure.admin.choice.${r.choice}`), unfinished: Boolean(r.erasureId) })),
    done: done.map((e) => ({ date: tr.date(e.doneAt ?? e.confirmedAt), choice: tr.t(`erasure.admin.choice.${e.choice}`), counts: countsInWords(tr, e.counts), finished: Boolean(e.doneAt) })),
    input: typed.userId ?? '', choice: typed.choice ?? '', invalid: typed.userId !== undefined,
  };
}

const adminOf = (res: Response) => ({ userId: token(res).user, name: personName(token(res)) });

/** What the administrator reads once they confirmed: what was erased, or that it goes on without them. */
function saidDone(tr: Translator, e: ErasureRecord | 'running', name: string): string {
  if (e === 'running') return tr.t('erasure.admin.running', { name });
  return tr.t('erasure.admin.done', { choice: tr.t(`erasure.admin.choice.${e.choice}`), counts: countsInWords(tr, e.counts), id: e._id });
}

/** What an erasure changed, in the reader's words ("credentials revoked: 2, sessions ended: 1"). */
function countsInWords(tr: Translator, counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n > 0).map(([kind, n]) => `${tr.t(`erasure.count.${kind}` as MessageKey)}: ${n}`);
  return parts.length ? parts.join(', ') : tr.t('erasure.count.nothing');
}

export function erasureRoutes(page: AdminPage): Router {
  const router = Router();

  /** A request of this platform, or the page saying it is no longer there. */
  async function requestOf(req: Request, res: Response) {
    const t = token(res);
    const request = await erasureRequestById(String(req.params.id));
    if (!request || request.issuer !== t.iss || request.clientId !== t.clientId) {
      const tr = pageTranslator(res);
      sendProblem(req, res, { status: 404, reason: 'erasure_request_not_found', title: tr.t('erasure.admin.goneTitle'), detail: tr.t('erasure.admin.gone'), todo: tr.t('erasure.admin.goneTodo') });
      return null;
    }
    return request;
  }

  router.post('/admin/erasure/requests/:id/confirm', asyncRoute(async (req, res) => {
    const request = await requestOf(req, res);
    if (!request) return;
    const record = await confirmInBackground(request, adminOf(res), req.log);
    await page(res, { saved: saidDone(pageTranslator(res), record, request.name) });
  }));

  router.post('/admin/erasure/requests/:id/decline', asyncRoute(async (req, res) => {
    const request = await requestOf(req, res);
    if (!request) return;
    if (await dropPendingRequest(request._id)) {
      await recordAudit({ platform: registrationKey({ issuer: request.issuer, clientId: request.clientId }), actor: token(res).user, actorName: personName(token(res)), action: 'platform.erasureDeclined', detail: 'a request for erasure' });
      req.log.info({ platform: token(res).iss }, 'erasure request declined');
    }
    await page(res, { saved: pageTranslator(res).t('erasure.admin.declined') });
  }));

  /** The person named by LMS user id, or the page saying what to fix. */
  async function personNamed(res: Response, typed: Typed) {
    const tr = pageTranslator(res);
    const t = token(res);
    const id = parseLmsUserId(typed.userId);
    res.locals.erasureTyped = typed;
    if (!id) { await page(res, { problems: [tr.t('admin.administrators.invalid')] }); return null; }
    const person = await personOfLmsUserId({ issuer: t.iss, clientId: t.clientId }, id, isCanvas(t));
    if (!person) { await page(res, { problems: [tr.t('erasure.admin.notFound', { userId: id })] }); return null; }
    return { person, id };
  }

  router.get('/admin/erasure/export', asyncRoute(async (req, res) => {
    const named = await personNamed(res, { userId: typeof req.query.userId === 'string' ? req.query.userId : '' });
    if (!named) return;
    const data = await exportPerson(named.person);
    if (isEmptyExport(data)) { await page(res, { problems: [pageTranslator(res).t('erasure.admin.nothingHeld', { userId: named.id })] }); return; }
    req.log.info({ platform: token(res).iss }, 'a person\'s data exported by an administrator');
    res.set('Cache-Control', 'no-store');
    res.attachment('laurel-my-data.json');
    res.type('application/json').send(JSON.stringify(data, null, 2));
  }));

  router.post('/admin/erasure/erase', asyncRoute(async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    const tr = pageTranslator(res);
    const typed = { userId: body.userId ?? '', choice: body.choice ?? '' };
    const choice = body.choice;
    if (!isErasureChoice(choice)) { res.locals.erasureTyped = typed; await page(res, { problems: [tr.t('erasure.admin.mustChoose')] }); return; }
    if (body.confirm !== 'on') { res.locals.erasureTyped = typed; await page(res, { problems: [tr.t('erasure.admin.mustConfirm')] }); return; }
    const named = await personNamed(res, typed);
    if (!named) return;
    try {
      const request = await requestOnBehalf(named.person, choice);
      const record = await confirmInBackground(request, adminOf(res), req.log);
      res.locals.erasureTyped = undefined;
      await page(res, { saved: saidDone(tr, record, request.name) });
    } catch (err) {
      if (!(err instanceof NobodyThereError)) throw err;
      await page(res, { problems: [tr.t('erasure.admin.nothingHeld', { userId: named.id })] });
    }
  }));
  return router;
}
