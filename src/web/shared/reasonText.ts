/**
 * A verdict's reason in the page's language. rules/ writes each reason in English (`text`, kept
 * with awards) and the facts it was made from (kind, met, seen, threshold, subject, sentence,
 * details); the page says it again from those facts. A reason stored before the facts existed,
 * or one this file does not know, is shown as its English text.
 */
import type { Reason } from '../../rules/verdict.js';
import { formatPercent } from '../../rules/text.js';
import type { Translator } from '../../i18n/translate.js';
import type { LmsApiSource, SourceStatus } from '../../rules/snapshot.js';

const GAP_KEYS = { missing: 'reason.gap.missing', unavailable: 'reason.gap.unavailable', ungraded: 'reason.gap.ungraded', 'no maximum': 'reason.gap.noMaximum' } as const;

const STATE_KEYS = { 'not connected': 'source.notConnected', 'not authorized': 'source.notAuthorized', failed: 'source.failed' } as const;

/** Why an LMS API's item cannot be read, and what to do, in the page's language. */
export function unreadSourceText(source: LmsApiSource, state: Exclude<SourceStatus, 'read'>, { t }: Translator): string {
  const name = t(`source.name.${source}`);
  return t(state === 'needs reconnect' ? `source.needsReconnect.${source}` : STATE_KEYS[state], { source: name });
}

export function reasonText(r: Reason, tr: Translator): string {
  const recency = r.details?.recency;
  if (!recency) return sentenceText(r, tr);
  // A rule bounded in time: the grade's own sentence (said as met: it was), then when it was given.
  const { withinDays = 0, gradedAt = '' } = r.details!;
  const said = sentenceText({ ...r, met: true }, tr);
  const values = { count: String(withinDays), date: gradedAt.slice(0, 10) };
  return recency === 'undated' ? tr.tn('reason.undated', withinDays, { said, ...values })
    : tr.tn(recency === 'recent' ? 'reason.recent' : 'reason.tooOld', withinDays, { said, ...values });
}

function sentenceText(r: Reason, tr: Translator): string {
  const { t } = tr;
  const subject = r.subject ?? '';
  const number = (n: unknown) => (typeof n === 'number' ? tr.number(n) : String(n ?? ''));
  // A seen percent is rounded as in English: down when unmet, so the text never contradicts the verdict.
  const seenPercent = () => tr.number(Number(formatPercent(Number(r.seen), r.met)));

  switch (r.kind) {
    case 'all':
    case 'any':
      if (!r.children) return r.text;
      return r.children.length === 0 ? t('reason.none') : t(`reason.${r.kind}`, { met: number(r.seen), count: number(r.children.length) });
    case 'approval':
      return r.met ? t('reason.approved') : t('reason.notApproved');
  }
  switch (r.sentence) {
    case 'gone': return r.kind === 'prerequisite' ? t('reason.badgeGone', { subject }) : t('reason.gone', { subject });
    case 'ungraded': return t('reason.ungraded', { subject });
    case 'no threshold': return t('reason.noThreshold', { subject });
    case 'no maximum': return t('reason.noMaximum', { subject });
    case 'percent': return t('reason.percent', { subject, seen: seenPercent(), needed: number(r.threshold) });
    case 'points': {
      const values = { subject, seen: number(r.seen), needed: number(r.threshold) };
      return r.details?.outOf ? t('reason.pointsOutOf', { ...values, outOf: number(r.details.outOf) }) : t('reason.points', values);
    }
    case 'graded': return t('reason.graded', { subject });
    case 'completed': return t('reason.completed', { subject });
    case 'not completed': return t('reason.notCompleted', { subject });
    case 'unavailable': {
      const { source, state } = r.details ?? {};
      return source && state ? t('reason.unavailable', { subject, why: unreadSourceText(source, state, tr) }) : r.text;
    }
    case 'held': return t('reason.held', { subject });
    case 'earned in this run': return t('reason.earnedInThisRun', { subject });
    case 'awaiting approval': return t('reason.awaitingApproval', { subject });
    case 'not held': return t('reason.notHeld', { subject });
    case 'nothing to average':
    case 'average': {
      const items = (r.details?.items ?? []).map((i) => (i.weight === 1 ? i.label : t('reason.weighted', { label: i.label, weight: number(i.weight) })));
      if (r.sentence === 'nothing to average') return t('reason.averageNothing', { items: items.join(', ') || t('reason.averageNoItems') });
      const values = { items: items.join(', '), seen: seenPercent(), needed: number(r.threshold) };
      const gaps = (r.details?.gaps ?? []).map((g) => t(GAP_KEYS[g.gap], { count: number(g.count), total: number(items.length) }));
      return gaps.length ? t('reason.averageGaps', { ...values, gaps: gaps.join(', ') }) : t('reason.average', values);
    }
    case 'before':
    case 'after':
    case 'inside':
    case 'unreadable': {
      const { from, until } = r.details ?? {};
      const window = from && until ? t('reason.window.between', { from, until })
        : from ? t('reason.window.from', { from }) : until ? t('reason.window.until', { until }) : t('reason.window.anyTime');
      return t(`reason.window.${r.sentence}`, { window, today: String(r.seen ?? '').slice(0, 10) });
    }
    default: return r.text;
  }
}
