/**
 * Why one learner meets, or does not meet, each node of a badge's rule tree.
 */
import type { BadgeDefinition, Rule } from './badge.js';
import type { Reason, ReasonSentence } from './verdict.js';
import { percentOf, type CompletionLookup, type Grade, type GradeLookup } from './gradebook.js';
import { instantOf } from './instant.js';
import type { SourceState } from './snapshot.js';
import { itemDescription, unreadSource, unreadText } from './sources.js';
import { formatNumber, formatPercent } from './text.js';

/** Where a learner stands on a badge that another badge requires. */
export type Standing = 'held' | 'earned in this run' | 'awaiting approval';

export interface LearnerContext {
  userId: string;
  /** The snapshot's takenAt: the "now" of date windows. */
  now: string;
  grades: GradeLookup;
  completions: CompletionLookup;
  /** How the LMS APIs fared, so a rule on an item only they see says why it cannot be met. */
  sources?: readonly SourceState[];
  badgesById: ReadonlyMap<string, BadgeDefinition>;
  standing: (badgeId: string) => Standing | undefined;
  /** An instructor approved this learner for the badge being evaluated. */
  approved: boolean;
}

/**
 * Met when the value reaches the threshold, give or take floating-point noise: 8 of 10 points
 * meets 80 %, while 79.995 % does not.
 */
function meets(value: number, threshold: number): boolean {
  return value >= threshold - 1e-9;
}

export function reasonFor(rule: Rule, learner: LearnerContext): Reason {
  switch (rule.kind) {
    case 'all':
    case 'any': return group(rule.kind, rule.rules.map((r) => reasonFor(r, learner)));
    case 'minGrade': {
      const grade = learner.grades(rule.lineItemId, learner.userId);
      return recent(minGrade(rule, grade, learner.sources), rule.withinDays, grade.kind === 'scored' ? grade.gradedAt : undefined, learner.now);
    }
    case 'completed': {
      const activity = learner.completions(rule.lineItemId, learner.userId);
      const grade = activity ? undefined : learner.grades(rule.lineItemId, learner.userId);
      return recent(completed(rule, learner), rule.withinDays, activity ? activity.completedAt : grade?.kind === 'scored' ? grade.gradedAt : undefined, learner.now);
    }
    case 'prerequisite': return prerequisite(rule, learner);
    case 'average': return average(rule, learner);
    case 'dateWindow': return dateWindow(rule, learner.now);
    case 'approval': return learner.approved
      ? { kind: 'approval', met: true, seen: 'approved', text: 'Approved by an instructor' }
      : { kind: 'approval', met: false, seen: null, text: 'Not approved by an instructor yet' };
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A rule bounded in time ("within the last 90 days", a refresher): met only if the grade or the
 * completion it met was given that recently, by the LMS's date of it and the snapshot's now.
 * Without a date from the LMS it cannot be told, so it is not met, and says so.
 */
function recent(reason: Reason, withinDays: number | undefined, at: string | undefined, now: string): Reason {
  if (withinDays === undefined || !reason.met) return reason;
  const lastDays = withinDays === 1 ? 'the last day' : `the last ${withinDays} days`;
  const given = at === undefined ? Number.NaN : Date.parse(at);
  if (Number.isNaN(given)) {
    return { ...reason, met: false, details: { ...reason.details, withinDays, recency: 'undated' }, text: `${reason.text}, but the LMS does not say when (needed within ${lastDays})` };
  }
  const gradedAt = new Date(given).toISOString();
  const met = given >= Date.parse(now) - withinDays * DAY_MS;
  const details = { ...reason.details, withinDays, gradedAt, recency: met ? 'recent' as const : 'too old' as const };
  const when = met ? `within ${lastDays}` : withinDays === 1 ? 'more than a day ago' : `more than ${withinDays} days ago`;
  return { ...reason, met, details, text: `${reason.text}, on ${gradedAt.slice(0, 10)}, ${when}` };
}

function group(kind: 'all' | 'any', children: Reason[]): Reason {
  const metCount = children.filter((c) => c.met).length;
  // An empty group is rejected by validation; should one get here, it earns nothing.
  const met = kind === 'all' ? children.length > 0 && metCount === children.length : metCount > 0;
  const needed = kind === 'all' ? children.length : 1;
  const text = children.length === 0 ? 'No rules set'
    : `${kind === 'all' ? 'All needed' : 'One needed'}: ${metCount} of ${children.length} met`;
  return { kind, met, seen: metCount, threshold: needed, text, children };
}

/**
 * The reason for a rule on an item the snapshot does not have: read through an LMS API that was
 * not read (say what to do), or gone from the grade book.
 */
function missing(kind: Rule['kind'], itemId: string, sources: readonly SourceState[] | undefined, threshold?: number): Reason {
  const unread = unreadSource(itemId, sources);
  if (unread) {
    const subject = itemDescription(itemId);
    return { kind, met: false, seen: null, threshold, subject, sentence: 'unavailable', details: unread, text: `${subject}: read through ${unreadText(unread.source, unread.state)}` };
  }
  return { kind, met: false, seen: null, threshold, subject: itemId, sentence: 'gone', text: `${itemId} is no longer in the grade book` };
}

function minGrade(rule: Extract<Rule, { kind: 'minGrade' }>, grade: Grade, sources: readonly SourceState[] | undefined): Reason {
  const threshold = rule.percent ?? rule.points;
  const unmet = (sentence: ReasonSentence, subject: string, text: string): Reason => ({ kind: 'minGrade', met: false, seen: null, threshold, text, subject, sentence });
  if (grade.kind === 'missing') return missing('minGrade', rule.lineItemId, sources, threshold);
  const subject = grade.label;
  if (threshold === undefined) return unmet('no threshold', subject, `${subject}: no percent or points set`);
  if (grade.kind === 'ungraded') return unmet('ungraded', subject, `${subject}: not graded yet`);
  if (rule.percent !== undefined) {
    const percent = percentOf(grade);
    if (percent === undefined) return unmet('no maximum', subject, `${subject}: the column has no maximum score, so no percent can be computed`);
    const met = meets(percent, rule.percent);
    return { kind: 'minGrade', met, seen: percent, threshold, text: `${subject}: ${formatPercent(percent, met)} % of the ${formatNumber(rule.percent)} % needed`, subject, sentence: 'percent' };
  }
  const outOf = grade.maximum > 0 ? ` of ${formatNumber(grade.maximum)}` : '';
  return {
    kind: 'minGrade', met: meets(grade.score, threshold), seen: grade.score, threshold,
    text: `${subject}: ${formatNumber(threshold)}${outOf} points needed, ${formatNumber(grade.score)} seen`,
    subject, sentence: 'points', ...(grade.maximum > 0 ? { details: { outOf: grade.maximum } } : {}),
  };
}

/** The LMS's completion where a source reports the activity; else a graded result on the line item (AGS). */
function completed(rule: Extract<Rule, { kind: 'completed' }>, learner: LearnerContext): Reason {
  const activity = learner.completions(rule.lineItemId, learner.userId);
  if (activity) {
    const { label: subject, completed: met } = activity;
    return { kind: 'completed', met, seen: met ? 'completed' : null, subject, sentence: met ? 'completed' : 'not completed', text: `${subject}: ${met ? 'completed' : 'not completed yet'}` };
  }
  const grade = learner.grades(rule.lineItemId, learner.userId);
  if (grade.kind === 'missing') return missing('completed', rule.lineItemId, learner.sources);
  if (grade.kind === 'ungraded') return { kind: 'completed', met: false, seen: null, text: `${grade.label}: not graded yet`, subject: grade.label, sentence: 'ungraded' };
  return { kind: 'completed', met: true, seen: grade.score, text: `${grade.label}: graded`, subject: grade.label, sentence: 'graded' };
}

function prerequisite(rule: Extract<Rule, { kind: 'prerequisite' }>, learner: LearnerContext): Reason {
  const badge = learner.badgesById.get(rule.badgeId);
  const name = badge?.name ?? rule.badgeId;
  const standing = learner.standing(rule.badgeId);
  const met = standing === 'held' || standing === 'earned in this run';
  const text = standing === 'awaiting approval' ? `${name}: earned, awaiting an instructor's approval`
    : standing ? `${name}: ${standing}`
    : badge ? `${name}: not held yet`
    : `${name} is no longer a badge of this course`;
  return { kind: 'prerequisite', met, seen: standing ?? null, threshold: name, text, subject: name, sentence: standing ?? (badge ? 'not held' : 'gone') };
}

/** Why an average item gives no percent; each such item counts as 0 %. */
const GAPS = { missing: 'no longer in the grade book', unavailable: 'read through an LMS connection that was not read', ungraded: 'not graded', 'no maximum': 'without a maximum score' } as const;

function average(rule: Extract<Rule, { kind: 'average' }>, learner: LearnerContext): Reason {
  const items = rule.items.map((item) => {
    const grade = learner.grades(item.lineItemId, learner.userId);
    const unread = grade.kind === 'missing' && unreadSource(item.lineItemId, learner.sources) !== undefined;
    const label = grade.kind === 'missing' ? (unread ? itemDescription(item.lineItemId) : item.lineItemId) : grade.label;
    const percent = grade.kind === 'scored' ? percentOf(grade) : undefined;
    const gap = grade.kind === 'scored' ? (percent === undefined ? 'no maximum' : undefined) : unread ? 'unavailable' : grade.kind;
    return { label, weight: item.weight ?? 1, percent: percent ?? 0, gap };
  });
  const totalWeight = items.reduce((sum, i) => sum + i.weight, 0);
  const over = items.map((i) => (i.weight === 1 ? i.label : `${i.label} (×${formatNumber(i.weight)})`)).join(', ');
  // No items or no positive weight is rejected by validation; should it get here, it is unmet.
  const details = { items: items.map((i) => ({ label: i.label, weight: i.weight })) };
  if (totalWeight <= 0) {
    return { kind: 'average', met: false, seen: null, threshold: rule.percent, text: `Course average over ${over || 'no line items'}: nothing to average`, sentence: 'nothing to average', details };
  }
  const value = items.reduce((sum, i) => sum + i.weight * i.percent, 0) / totalWeight;
  const met = meets(value, rule.percent);
  const gaps = (Object.keys(GAPS) as (keyof typeof GAPS)[])
    .map((gap) => ({ gap, count: items.filter((i) => i.gap === gap).length }))
    .filter((g) => g.count > 0);
  const note = gaps.length ? ` (${gaps.map((g) => `${g.count} of ${items.length} ${GAPS[g.gap]}`).join(', ')}, counted as 0 %)` : '';
  return {
    kind: 'average', met, seen: value, threshold: rule.percent,
    text: `Course average over ${over}: ${formatPercent(value, met)} % of ${formatNumber(rule.percent)} % needed${note}`,
    sentence: 'average', details: { ...details, ...(gaps.length ? { gaps } : {}) },
  };
}

function dateWindow(rule: Extract<Rule, { kind: 'dateWindow' }>, now: string): Reason {
  const window = rule.from && rule.until ? `${rule.from} to ${rule.until}`
    : rule.from ? `from ${rule.from}` : rule.until ? `until ${rule.until}` : 'at any time';
  const from = rule.from === undefined ? -Infinity : instantOf(rule.from, 'start');
  const until = rule.until === undefined ? Infinity : instantOf(rule.until, 'end');
  const at = instantOf(now, 'start');
  const details = { ...(rule.from ? { from: rule.from } : {}), ...(rule.until ? { until: rule.until } : {}) };
  const reason = (met: boolean, sentence: ReasonSentence, where: string): Reason =>
    ({ kind: 'dateWindow', met, seen: now, threshold: window, text: `Open ${window}: today ${now.slice(0, 10)} ${where}`, sentence, details });
  if (from === undefined || until === undefined || at === undefined) return reason(false, 'unreadable', 'cannot be compared with dates that cannot be read');
  if (at < from) return reason(false, 'before', 'is before it opens');
  if (at > until) return reason(false, 'after', 'is after it closed');
  return reason(true, 'inside', 'is inside');
}
