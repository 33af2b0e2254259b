/**
 * The admin page's retention section (privacy/retention/): what is removed from a course no longer
 * launched and what is kept, the platform's setting (its own days, or the server's RETENTION_DAYS;
 * 0 keeps everything, which the page warns of), and what the platform's last pass removed, in
 * counts. Its form sets the days for the launch's platform only.
 */
import { Router, type Request, type Response } from 'express';
import type { LtijsToken } from 'ltijs';
import {
  MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, PlatformSettingsError, saveRetentionDays, type PlatformSettings, type RetentionCounts,
} from '../../store/platformSettings.js';
import { retentionDaysOf } from '../../privacy/retention/dueForRetention.js';
import type { Translator } from '../../i18n/translate.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { auditOnPlatform } from '../shared/audit.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { inputProblemsIn } from '../shared/inputProblemText.js';

/** What the last pass removed, in the order the page lists it. */
const COUNTED = ['courses', 'reasons', 'renewals', 'learners', 'evidence', 'credentials', 'standings', 'jobs'] as const satisfies readonly (keyof RetentionCounts)[];

export interface RetentionView {
  own?: number;
  serverDefault: number;
  /** The days in force: 0 keeps forever. */
  days: number;
  min: number;
  max: number;
  input: string;
  invalid: boolean;
  last?: { at: Date; removed: { kind: (typeof COUNTED)[number]; count: number }[] };
}

export function retentionSection(settings: PlatformSettings, serverDefault: number, typed?: string): RetentionView {
  const last = settings.lastRetention;
  return {
    own: settings.retentionDays, serverDefault, days: retentionDaysOf(settings.retentionDays, serverDefault),
    min: MIN_RETENTION_DAYS, max: MAX_RETENTION_DAYS,
    input: typed ?? settings.retentionDays?.toString() ?? '', invalid: typed !== undefined,
    ...(last ? { last: { at: last.at, removed: COUNTED.map((kind) => ({ kind, count: last[kind] ?? 0 })).filter((r) => r.count > 0) } } : {}),
  };
}

/** "365 days", or "kept forever" for 0. */
export function describeRetention(days: number, tr: Translator): string {
  return days === 0 ? tr.t('retention.forever') : tr.tn('retention.days', days);
}

/** The admin page again, saying what was saved or what to fix (adminPages.ts renders it). */
export type RenderAdminPage = (res: Response, s: { saved?: string; problems?: string[]; retentionInput?: string }) => Promise<void>;

export function retentionRoutes(serverDefault: number, render: RenderAdminPage): Router {
  const router = Router();
  router.post('/admin/retention', asyncRoute(async (req: Request, res: Response) => {
    const t = res.locals.token as LtijsToken;
    const tr = pageTranslator(res);
    const typed = (req.body as Record<string, string | undefined>).retentionDays;
    let settings: PlatformSettings;
    try {
      settings = await saveRetentionDays(t.iss, t.clientId, typed, t.user);
    } catch (err) {
      if (!(err instanceof PlatformSettingsError)) throw err;
      return render(res, { problems: inputProblemsIn(err.problems, tr), retentionInput: typed ?? '' });
    }
    await auditOnPlatform(res, { action: 'platform.settings', detail: `retention: ${settings.retentionDays ?? 'server default'} days (client ${t.clientId})` });
    req.log.info({ platform: t.iss, clientId: t.clientId, by: t.user, retentionDays: settings.retentionDays ?? 'server default' }, 'retention saved');
    const days = describeRetention(retentionDaysOf(settings.retentionDays, serverDefault), tr);
    return render(res, { saved: tr.t(settings.retentionDays === undefined ? 'retention.savedDefault' : 'retention.saved', { days }) });
  }));
  return router;
}
