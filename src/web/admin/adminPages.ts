/**
 * The admin page, for Laurel's administrators of a platform (lti/laurelAdministrator.ts: a Canvas
 * root account admin, a Moodle site administrator, or whom one of them granted it): their own platform's registration and deployments, the background sync interval for
 * it, how long its courses' personal data is kept (retentionSection.ts), its LMS API connection, the messages Laurel sends there and those that failed, the
 * institution's issuer profile, its signing keys and their
 * rotation. Everything is read
 * and written for the launch's platform only; no form field names a platform.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { isLaurelAdministrator, lmsUserIdOf } from '../../lti/laurelAdministrator.js';
import { grantAdministrator, grantedAdministrators, parseLmsUserId, revokeAdministrator } from '../../store/platformAdministrators.js';
import { IssuerProfileError, issuerProfileOf, saveIssuerProfile, type IssuerProfileInput } from '../../store/issuerProfile.js';
import { publishedKeys, rotateIssuerKeys } from '../../store/issuerKeys.js';
import { MAX_SYNC_INTERVAL_MINUTES, PlatformSettingsError, platformSettingsOf, saveSyncInterval } from '../../store/platformSettings.js';
import { issuerDid, issuerUrls } from '../../credentials/urls.js';
import { publicBase } from '../../publicBase.js';
import { sendProblem } from '../shared/errorPage.js';
import { bodyLimit } from '../shared/bodyErrors.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { inputProblemsIn, inputProblemText } from '../shared/inputProblemText.js';
import type { InputProblem } from '../../inputProblem.js';
import type { Translator } from '../../i18n/translate.js';
import type { MessageKey } from '../../i18n/en.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { auditOnPlatform, registrationOf } from '../shared/audit.js';
import { auditOfPlatform } from '../../store/auditLog.js';
import { csv } from '../shared/csv.js';
import { personName } from '../shared/personName.js';
import { platformOverview } from './platformOverview.js';
import { keyStatus, lastRotation } from './keyStatus.js';
import { removalSection } from './removalSection.js';
import { lmsSection, type LmsTyped } from './lmsSection.js';
import { messagesSection } from './messagesSection.js';
import { describeRetention, retentionRoutes, retentionSection } from './retentionSection.js';
import { erasureRoutes, erasureSection } from './erasureSection.js';
import { connectCanvasApi, connectMoodleWs, disconnectLmsApi, LmsConnectionError, recheckMoodleWs, type ChangedBy, type CheckContext, type LmsChange } from '../../lms/sources/connectLms.js';
import { lmsCourseIdOf } from '../../lti/courseOfLaunch.js';
import { addConfiguredFrameOrigin, FrameOriginError, frameOriginsOf, removeConfiguredFrameOrigin, type FrameOriginsOfPlatform } from '../../store/frameOrigins.js';
import type { PlatformOrigins } from '../shared/frameAncestors.js';

const token = (res: Response) => res.locals.token as LtijsToken;

export interface AdminOptions {
  /** The server's SYNC_INTERVAL_MINUTES: what a platform gets until its administrator sets its own. */
  syncIntervalMinutes: number;
  /** The server's RETENTION_DAYS: what a platform gets until its administrator sets its own. */
  retentionDays: number;
  /** Who may frame Laurel: reloaded after the page adds or removes a site, so the CSP follows at once. */
  platformOrigins: PlatformOrigins;
}

function adminOnly(req: Request, res: Response, next: NextFunction): void {
  isLaurelAdministrator(token(res)).then((admin) => {
    if (admin) return next();
    const userId = lmsUserIdOf(token(res)) ?? '?';
    sendProblem(req, res, {
      status: 403, reason: 'not_admin', title: 'This is for Laurel\'s administrators of this platform',
      detail: 'The platform\'s settings, issuer profile, signing keys and LMS API connection are for the administrators of the whole LMS: on Canvas, the root account\'s administrators (a sub-account administrator is not one), on Moodle its site administrators, and whom one of them made a Laurel administrator.',
      todo: `Ask a Laurel administrator of this platform to add your LMS user id (${userId}) on the admin page, or the server\'s operator to run "npm run platform -- grant-admin PLATFORM_ID ${userId}".`,
      params: { userId },
    });
  }, next);
}

interface PageState {
  problems?: string[];
  saved?: string;
  /** What was typed, shown again when it had problems. */
  input?: Partial<IssuerProfileInput>;
  syncInput?: string;
  /** The retention days typed, shown again when they had problems. */
  retentionInput?: string;
  lmsTyped?: LmsTyped;
  /** An LMS user id typed in the grant form that is not one. */
  grantInput?: string;
  /** A site typed in the frame origins form that is not one. */
  frameOriginInput?: string;
}

/** Each site once where it needs no more: a launch naming the registration's own host tells nothing new. */
function frameOriginsView(registration: string[], frames: FrameOriginsOfPlatform, typed: string | undefined) {
  return {
    registration, learned: frames.learned.filter((l) => !registration.includes(l.origin)), configured: frames.configured,
    input: typed ?? '', invalid: typed !== undefined,
  };
}

/** The origins of the registration's own addresses: they always frame Laurel (frameAncestors.ts). */
function registrationOrigins(p: { issuer: string; authEndpoint: string; tokenEndpoint: string } | null): string[] {
  return p ? [...new Set([p.issuer, p.authEndpoint, p.tokenEndpoint].filter((u) => URL.canParse(u)).map((u) => new URL(u).origin))].sort() : [];
}

async function page(res: Response, o: AdminOptions, s: PageState = {}) {
  const t = token(res);
  const tr = pageTranslator(res);
  const [profile, platform, settings, lms, granted, frames, messages, erasure] = await Promise.all([
    issuerProfileOf({ issuer: t.iss, clientId: t.clientId }), platformOverview(t), platformSettingsOf(t.iss, t.clientId), lmsSection(t, s.lmsTyped),
    grantedAdministrators({ issuer: t.iss, clientId: t.clientId }), frameOriginsOf(t.iss, t.clientId), messagesSection(t, tr), erasureSection(res, tr),
  ]);
  const base = publicBase();
  const keys = await publishedKeys(profile.key);
  const ltik = res.locals.ltik as string;
  res.status(s.problems?.length ? 400 : 200).render('admin/index', {
    title: tr.t('admin.title'), person: { name: personName(t) }, iss: t.iss, platform,
    profile: { ...profile, ...s.input }, did: issuerDid(base, profile.key), urls: issuerUrls(base, profile.key),
    keys: keyStatus(keys), lastRotation: lastRotation(keys),
    sync: { own: settings.syncIntervalMinutes, serverDefault: o.syncIntervalMinutes, max: MAX_SYNC_INTERVAL_MINUTES, input: s.syncInput ?? settings.syncIntervalMinutes?.toString() ?? '', invalid: s.syncInput !== undefined },
    retention: retentionSection(settings, o.retentionDays, s.retentionInput), describeRetention: (days: number) => describeRetention(days, tr),
    administrators: { granted, own: lmsUserIdOf(t), input: s.grantInput ?? '', invalid: s.grantInput !== undefined },
    erasure,
    frameOrigins: frameOriginsView(registrationOrigins(platform), frames, s.frameOriginInput),
    lms, lmsProblemText: (p: InputProblem) => inputProblemText(p, tr), messages,
    problems: s.problems ?? [], saved: s.saved, describeInterval: (minutes: number) => describeInterval(minutes, tr), ltik, q: `ltik=${encodeURIComponent(ltik)}`,
  });
}

export function adminPages(o: AdminOptions): Router {
  const router = Router();
  router.use('/admin', bodyLimit(16 * 1024), express.urlencoded({ extended: false, limit: '16kb' }), adminOnly);
  router.use(removalSection());

  router.get('/admin', asyncRoute((_req, res) => page(res, o)));
  router.use(retentionRoutes(o.retentionDays, (res, s) => page(res, o, s)));
  router.use(erasureRoutes((res, s) => page(res, o, s)));

  /** The registration's changes (issuer profile, keys, sync interval, LMS API) as CSV, newest first. */
  router.get('/admin/audit.csv', asyncRoute(async (_req, res) => {
    const entries = await auditOfPlatform(registrationOf(token(res)));
    res.attachment('laurel-administration-audit.csv');
    res.type('text/csv').send(csv([['at', 'by (user id)', 'by (name)', 'action', 'details'], ...entries.map((e) => [e.at, e.actor, e.actorName ?? '', e.action, e.detail])]));
  }));

  router.post('/admin/issuer', (req, res, next) => {
    const body = req.body as Record<string, string | undefined>;
    const input: IssuerProfileInput = { name: body.name ?? '', url: body.url ?? '', email: body.email, description: body.description, imageUrl: body.imageUrl, linkedInOrganizationId: body.linkedInOrganizationId };
    saveIssuerProfile({ issuer: token(res).iss, clientId: token(res).clientId }, input, token(res).user)
      .then(() => auditOnPlatform(res, { action: 'issuer.changed', detail: `${input.name} (${input.url})` }))
      .then(() => { req.log.info({ platform: token(res).iss, by: token(res).user }, 'issuer profile saved'); return page(res, o, { saved: pageTranslator(res).t('admin.saved.issuer') }); })
      .catch((err) => (err instanceof IssuerProfileError ? page(res, o, { problems: inputProblemsIn(err.problems, pageTranslator(res)), input }) : Promise.reject(err)))
      .catch(next);
  });

  router.post('/admin/issuer/rotate-keys', (req, res, next) => {
    issuerProfileOf({ issuer: token(res).iss, clientId: token(res).clientId })
      .then((profile) => rotateIssuerKeys(profile.key))
      .then(async (ids) => { await auditOnPlatform(res, { action: 'issuer.keysRotated', detail: `new keys ${ids.join(', ')}` }); req.log.info({ platform: token(res).iss, by: token(res).user, keys: ids }, 'issuer keys rotated'); return page(res, o, { saved: pageTranslator(res).t('admin.saved.keys') }); })
      .catch(next);
  });

  /** Makes an LMS user an administrator of this platform in Laurel, or no longer one. */
  router.post('/admin/administrators', (req, res, next) => {
    const body = req.body as Record<string, string | undefined>;
    const tr = pageTranslator(res);
    const t = token(res);
    const userId = parseLmsUserId(body.userId);
    if (!userId) { page(res, o, { problems: [tr.t('admin.administrators.invalid')], grantInput: body.userId ?? '' }).catch(next); return; }
    const revoke = body.action === 'revoke';
    (revoke ? revokeAdministrator : grantAdministrator)({ issuer: t.iss, clientId: t.clientId }, userId, t.user)
      .then(async (changed) => {
        if (changed) {
          await auditOnPlatform(res, { action: revoke ? 'platform.adminRevoked' : 'platform.adminGranted', detail: `LMS user ${userId}` });
          req.log.info({ platform: t.iss, by: t.user, userId }, revoke ? 'Laurel administrator revoked' : 'Laurel administrator granted');
        }
        return page(res, o, { saved: tr.t(revoke ? 'admin.saved.adminRevoked' : 'admin.saved.adminGranted', { userId }) });
      })
      .catch(next);
  });

  /**
   * Adds or removes a site that may show Laurel's pages for this platform (as `npm run platform --
   * add-frame-origin` does), then reloads who may frame Laurel, so this instance's CSP follows at once.
   */
  router.post('/admin/frame-origins', (req, res, next) => {
    const body = req.body as Record<string, string | undefined>;
    const tr = pageTranslator(res);
    const t = token(res);
    const typed = body.origin ?? '';
    const remove = body.action === 'remove';
    const change = remove
      ? removeConfiguredFrameOrigin(t.iss, t.clientId, typed).then((removed) => ({ origin: typed.trim(), changed: removed }))
      : addConfiguredFrameOrigin(t.iss, t.clientId, typed).then(({ origin, added }) => ({ origin, changed: added }));
    change
      .then(async ({ origin, changed }) => {
        if (changed) {
          await auditOnPlatform(res, { action: remove ? 'platform.frameOriginRemoved' : 'platform.frameOriginAdded', detail: origin });
          await o.platformOrigins.refresh();
          req.log.info({ platform: t.iss, clientId: t.clientId, by: t.user, origin }, remove ? 'frame origin removed' : 'frame origin added');
        }
        // Saying it again when it was already so: adding is idempotent.
        const saved = remove ? (changed ? 'admin.saved.frameOriginRemoved' : 'admin.saved.frameOriginNotConfigured') : 'admin.saved.frameOriginAdded';
        return page(res, o, { saved: tr.t(saved, { origin }) });
      })
      .catch((err) => (err instanceof FrameOriginError ? page(res, o, { problems: inputProblemsIn(err.problems, tr), frameOriginInput: typed }) : Promise.reject(err)))
      .catch(next);
  });

  router.post('/admin/sync-interval', (req, res, next) => {
    const t = token(res);
    const typed = (req.body as Record<string, string | undefined>).syncIntervalMinutes;
    saveSyncInterval(t.iss, t.clientId, typed, t.user)
      .then(async (settings) => {
        await auditOnPlatform(res, { action: 'platform.settings', detail: `sync interval: ${settings.syncIntervalMinutes ?? 'server default'} (client ${t.clientId})` });
        req.log.info({ platform: t.iss, clientId: t.clientId, by: t.user, syncIntervalMinutes: settings.syncIntervalMinutes ?? 'server default' }, 'sync interval saved');
        const tr = pageTranslator(res);
        const saved = settings.syncIntervalMinutes === undefined ? tr.t('admin.saved.syncDefault', { interval: describeInterval(o.syncIntervalMinutes, tr) })
          : tr.t('admin.saved.sync', { interval: describeInterval(settings.syncIntervalMinutes, tr) });
        return page(res, o, { saved });
      })
      .catch((err) => (err instanceof PlatformSettingsError ? page(res, o, { problems: inputProblemsIn(err.problems, pageTranslator(res)), syncInput: typed ?? '' }) : Promise.reject(err)))
      .catch(next);
  });

  /** The LMS API connection (issue 8): checked, stored and audited by lms/sources/connectLms.ts, as `npm run platform` does. */
  router.post('/admin/lms/canvas', (req, res, next) => {
    const t = token(res);
    const body = req.body as Record<string, string | undefined>;
    const form = { baseUrl: body.baseUrl, apiClientId: body.apiClientId, apiClientSecret: body.apiClientSecret, enforcesScopes: body.enforcesScopes !== undefined };
    connectCanvasApi({ issuer: t.iss, clientId: t.clientId }, form, changedBy(res))
      .then((change) => lmsSaved(req, res, o, change, 'admin.saved.lmsCanvas'))
      .catch((err) => (err instanceof LmsConnectionError
        ? page(res, o, { problems: inputProblemsIn(err.problems, pageTranslator(res)), lmsTyped: { canvas: { baseUrl: form.baseUrl ?? '', apiClientId: form.apiClientId ?? '', enforcesScopes: form.enforcesScopes } } })
        : Promise.reject(err)))
      .catch(next);
  });

  router.post('/admin/lms/moodle', (req, res, next) => {
    const t = token(res);
    const body = req.body as Record<string, string | undefined>;
    connectMoodleWs({ issuer: t.iss, clientId: t.clientId }, { baseUrl: body.baseUrl, token: body.token, courseId: body.courseId }, changedBy(res), checkContext(res))
      .then((change) => lmsSaved(req, res, o, change, change.check ? 'admin.saved.lmsMoodleLacking' : 'admin.saved.lmsMoodle'))
      .catch((err) => (err instanceof LmsConnectionError
        ? page(res, o, { problems: inputProblemsIn(err.problems, pageTranslator(res)), lmsTyped: { moodle: { baseUrl: body.baseUrl ?? '', courseId: body.courseId ?? '' } } })
        : Promise.reject(err)))
      .catch(next);
  });

  /** Checks the stored Moodle token again on a course, after a Moodle administrator changed its role or service. */
  router.post('/admin/lms/moodle/check', (req, res, next) => {
    const t = token(res);
    const body = req.body as Record<string, string | undefined>;
    recheckMoodleWs({ issuer: t.iss, clientId: t.clientId }, { courseId: body.courseId }, checkContext(res))
      .then((check) => {
        req.log.info({ platform: t.iss, clientId: t.clientId, by: t.user, courseId: check.courseId, problems: check.problems.map((p) => p.code) }, 'Moodle web services checked');
        const tr = pageTranslator(res);
        return page(res, o, { saved: check.problems.length ? tr.tn('admin.saved.lmsCheckedLacking', check.problems.length, { course: check.courseId }) : tr.t('admin.saved.lmsChecked', { course: check.courseId }) });
      })
      .catch((err) => (err instanceof LmsConnectionError ? page(res, o, { problems: inputProblemsIn(err.problems, pageTranslator(res)) }) : Promise.reject(err)))
      .catch(next);
  });

  router.post('/admin/lms/disconnect', (req, res, next) => {
    const t = token(res);
    disconnectLmsApi({ issuer: t.iss, clientId: t.clientId }, changedBy(res))
      .then((change) => lmsSaved(req, res, o, change, change.changed ? 'admin.saved.lmsDisconnected' : 'admin.saved.lmsNotConnected'))
      .catch(next);
  });
  return router;
}

const changedBy = (res: Response): ChangedBy => ({ actor: token(res).user, actorName: personName(token(res)) });

/** The administrator launched from a course: the token is checked there unless they name another. */
const checkContext = (res: Response): CheckContext => ({ launchCourseId: lmsCourseIdOf(token(res)) });

/** The page again, saying what was done: the same words when it was already so (saving is idempotent). */
function lmsSaved(req: Request, res: Response, o: AdminOptions, change: LmsChange, said: MessageKey): Promise<void> {
  const t = token(res);
  if (change.changed) req.log.info({ platform: t.iss, clientId: t.clientId, by: t.user, change: said, grantsDropped: change.grantsDropped }, 'LMS API connection changed');
  const tr = pageTranslator(res);
  const dropped = change.grantsDropped ? ` ${tr.tn('admin.saved.lmsGrantsDropped', change.grantsDropped)}` : '';
  return page(res, o, { saved: tr.t(said) + dropped });
}

function describeInterval(minutes: number, tr: Translator): string {
  return minutes === 0 ? tr.t('admin.interval.off') : tr.tn('admin.interval.every', minutes);
}
