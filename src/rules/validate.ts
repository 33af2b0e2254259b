/**
 * Problems that stop a badge's rules from being applied as written, each pointing at the rule
 * (e.g. "rules.rules[1]") and saying what to do about it.
 */
import type { BadgeDefinition, Rule } from './badge.js';
import type { Activity, LineItem, SourceState } from './snapshot.js';
import { itemDescription, unreadSource, unreadText } from './sources.js';
import { instantOf } from './instant.js';
import { prerequisiteCycle } from './order.js';
import { formatNumber } from './text.js';
import type { InputProblem, InputProblemParams } from '../inputProblem.js';
import { byLineItemKey, lineItemKey } from './lineItemKey.js';
import { validUntil } from './validity.js';
import { daysBetween } from './renewal.js';

/** The most days a rule may look back, or a renewal window may last: ten years. */
const MAX_DAYS = 3650;

/**
 * The fewest days a validity period can last, counted from February 1st of a common year, when
 * a month is shortest: what a renewal window must stay below, whatever the date of the award.
 */
function shortestDays(validFor: string): number | undefined {
  const from = new Date(Date.UTC(2023, 1, 1));
  try {
    const until = validUntil(from, validFor);
    return until && daysBetween(from, until);
  } catch {
    return undefined; // not a period: the badge's shape says so
  }
}

/** `message` is a sentence a person can act on; `code` and `params` let a page say it in its language. */
export interface RuleProblem extends InputProblem {
  badgeId: string;
  /** Where in the badge: "name", "rules", "rules.rules[1]", "rules.items[0]". */
  path: string;
}

/**
 * Every badge of a course. A prerequisite cycle is reported on each badge in it, starting from
 * that badge, since each of them is blocked by it.
 */
export function validateBadges(badges: BadgeDefinition[], lineItems: LineItem[], beyond: BeyondLti = {}): RuleProblem[] {
  return badges.flatMap((badge) => validateBadge(badge, badges, lineItems, beyond));
}

/** What the LMS's own API sees besides AGS line items, and how it fared. */
export interface BeyondLti {
  activities?: readonly Activity[];
  sources?: readonly SourceState[];
}

/** One badge being edited; `allBadges` are the course's badges (this one may be among them, edited or not). */
export function validateBadge(badge: BadgeDefinition, allBadges: BadgeDefinition[], lineItems: LineItem[], beyond: BeyondLti = {}): RuleProblem[] {
  const badgesById = new Map(allBadges.map((b) => [b.id, b])).set(badge.id, badge);
  const lineItemsById = byLineItemKey(lineItems);
  const activityIds = new Set((beyond.activities ?? []).map((a) => a.id));
  const problems: RuleProblem[] = [];
  const report = (path: string, code: string, message: string, params: InputProblemParams = {}) => {
    problems.push({ badgeId: badge.id, path, code: `rule.${code}`, params, message });
  };
  /** Where each prerequisite is named, to point a cycle at the rule that starts it. */
  const prerequisitePaths = new Map<string, string>();

  /** The line item named (or, where `activities` is set, the activity), else a problem saying what to do. */
  const lineItemAt = (path: string, lineItemId: string, activities = false): LineItem | undefined => {
    const lineItem = lineItemsById.get(lineItemKey(lineItemId));
    if (lineItem || (activities && activityIds.has(lineItemId))) return lineItem;
    const todo = 'pick one from the list, or add the activity as a Laurel link';
    const unread = unreadSource(lineItemId, beyond.sources);
    if (unread) {
      const item = itemDescription(lineItemId);
      const why = unreadText(unread.source, unread.state);
      report(path, 'sourceNotRead', `${item} is read through ${why}`, { item, why, source: unread.source, state: unread.state });
    } else if (lineItemId) report(path, 'unknownLineItem', `${lineItemId} is not a line item of this course: ${todo}`, { lineItem: lineItemId });
    else report(path, 'noLineItem', `No line item chosen: ${todo}`);
    return undefined;
  };
  const percentAt = (path: string, percent: number) => {
    // Written so that NaN (a form field left empty) fails too.
    if (percent >= 0 && percent <= 100) return;
    if (Number.isFinite(percent)) report(path, 'percentRange', `${percent} % is outside 0–100: give a number from 0 to 100`, { percent });
    else report(path, 'percentNaN', 'The percent is not a number: give a number from 0 to 100');
  };

  /** A number of days a rule looks back ("within the last 90 days"). */
  const withinAt = (path: string, days: number | undefined) => {
    if (days === undefined || (Number.isInteger(days) && days >= 1 && days <= MAX_DAYS)) return;
    if (Number.isFinite(days)) report(path, 'withinDays', `Within the last ${days} days cannot be: give a whole number of days from 1 to ${MAX_DAYS}`, { days, max: MAX_DAYS });
    else report(path, 'withinDaysNaN', `The number of days is not a number: give a whole number of days from 1 to ${MAX_DAYS}`, { max: MAX_DAYS });
  };

  /** `renewing`: the rules of the badge's renewal, where an instructor's approval has no place. */
  const check = (rule: Rule, path: string, renewing = false): void => {
    switch (rule.kind) {
      case 'all':
      case 'any':
        if (rule.rules.length === 0) report(path, 'emptyGroup', `This "${rule.kind}" group has no rules: add a rule to it, or remove the group`, { kind: rule.kind });
        rule.rules.forEach((child, i) => check(child, `${path}.rules[${i}]`, renewing));
        return;
      case 'minGrade': {
        withinAt(path, rule.withinDays);
        const lineItem = lineItemAt(path, rule.lineItemId);
        const { percent, points } = rule;
        if (percent !== undefined && points !== undefined) report(path, 'percentAndPoints', 'Give either a percent or points, not both');
        else if (percent !== undefined) percentAt(path, percent);
        else if (points === undefined) report(path, 'noThreshold', 'Give the percent or the points needed');
        else if (!(points >= 0)) {
          if (Number.isFinite(points)) report(path, 'pointsNegative', `${points} points is below 0: give 0 or more points`, { points });
          else report(path, 'pointsNaN', 'The points are not a number: give 0 or more points');
        }
        // A column without a maximum (0) has no bound to check against.
        else if (lineItem && lineItem.scoreMaximum > 0 && points > lineItem.scoreMaximum) {
          const max = formatNumber(lineItem.scoreMaximum);
          report(path, 'pointsAboveMax', `${formatNumber(points)} points is more than the ${max} that ${lineItem.label} is graded out of: give at most ${max} points, or a percent`,
            { points, max: lineItem.scoreMaximum, lineItem: lineItem.label });
        }
        return;
      }
      case 'completed':
        withinAt(path, rule.withinDays);
        lineItemAt(path, rule.lineItemId, true);
        return;
      case 'prerequisite':
        if (!prerequisitePaths.has(rule.badgeId)) prerequisitePaths.set(rule.badgeId, path);
        if (rule.badgeId === badge.id) report(path, 'ownPrerequisite', 'A badge cannot be its own prerequisite: pick another badge, or remove this rule');
        else if (!badgesById.has(rule.badgeId)) {
          const todo = 'pick the badge a learner must hold first, or remove this rule';
          if (rule.badgeId) report(path, 'unknownBadge', `${rule.badgeId} is not a badge of this course: ${todo}`, { badge: rule.badgeId });
          else report(path, 'noBadge', `No badge chosen: ${todo}`);
        }
        return;
      case 'average':
        if (rule.items.length === 0) report(path, 'averageEmpty', 'An average needs line items: add the columns to average');
        rule.items.forEach((item, i) => {
          const itemPath = `${path}.items[${i}]`;
          lineItemAt(itemPath, item.lineItemId);
          if (item.weight !== undefined && !(item.weight > 0)) report(itemPath, 'weight', `A weight of ${item.weight} counts nothing: give a weight above 0 (1 counts the column once)`, { weight: item.weight });
        });
        percentAt(path, rule.percent);
        return;
      case 'dateWindow': {
        const from = rule.from === undefined ? undefined : instantOf(rule.from, 'start');
        const until = rule.until === undefined ? undefined : instantOf(rule.until, 'end');
        for (const [value, at] of [[rule.from, from], [rule.until, until]] as const) {
          if (value !== undefined && at === undefined) report(path, 'notDate', `"${value}" is not a date: write it as 2026-09-01, or 2026-09-01T08:00:00Z for an exact time`, { value });
        }
        if (from !== undefined && until !== undefined && from > until) report(path, 'windowReversed', `The window opens (${rule.from}) after it closes (${rule.until}): swap the dates`, { from: rule.from!, until: rule.until! });
        return;
      }
      case 'approval':
        // An approval is given once, for the award: it would renew the badge for ever.
        if (renewing) report(path, 'renewalApproval', 'A renewal cannot wait for an instructor\'s approval: remove this condition from the renewal rules (the badge\'s awards page shows who renews)');
        return;
    }
  };

  /** The renewal: only for a badge that expires, with a window shorter than its validity. */
  const checkRenewal = (renewal: NonNullable<BadgeDefinition['renewal']>) => {
    if (!badge.validFor) report('renewal', 'renewalNoExpiry', 'A badge that never expires is never renewed: give it a validity period (such as P1Y), or no renewal');
    const days = renewal.windowDays;
    const shortest = badge.validFor ? shortestDays(badge.validFor) : undefined;
    if (!Number.isFinite(days)) report('renewal.windowDays', 'renewalWindowNaN', 'The renewal window is not a number: give the days before expiry when renewal opens, such as 60');
    else if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) report('renewal.windowDays', 'renewalWindow', `A renewal window of ${days} days cannot be: give a whole number of days from 1 to ${MAX_DAYS}`, { days, max: MAX_DAYS });
    else if (shortest !== undefined && days >= shortest) {
      report('renewal.windowDays', 'renewalWindowTooLong', `A renewal window of ${days} days is not shorter than the badge's validity (${badge.validFor}, ${shortest} days at the shortest): give fewer days, or a renewed badge would be renewable at once`,
        { days, validFor: badge.validFor!, validity: shortest });
    }
    if (renewal.rules) check(renewal.rules, 'renewal.rules', true);
  };

  if (!badge.name.trim()) report('name', 'nameRequired', 'Give the badge a name: learners see it on their badge');
  check(badge.rules, 'rules');
  if (badge.renewal) checkRenewal(badge.renewal);
  const cycle = prerequisiteCycle(badge.id, badgesById);
  // A badge requiring itself was reported at its rule above.
  if (cycle && cycle.length > 2) {
    const names = cycle.map((id) => badgesById.get(id)!.name).join(' → ');
    report(prerequisitePaths.get(cycle[1])!, 'cycle', `These badges require each other, so none can be earned: ${names}. Remove one of these prerequisites`, { badges: names });
  }
  return problems;
}
