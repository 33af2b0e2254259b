/**
 * Problems that stop a badge's rules from being applied as written, each pointing at the rule
 * (e.g. "rules.rules[1]") and saying what to do about it.
 */
import type { BadgeDefinition, Rule } from './badge.js';
import type { LineItem } from './snapshot.js';
import { instantOf } from './instant.js';
import { prerequisiteCycle } from './order.js';
import { formatNumber } from './text.js';

export interface RuleProblem {
  badgeId: string;
  /** Where in the badge: "name", "rules", "rules.rules[1]", "rules.items[0]". */
  path: string;
  /** A sentence a person can act on. */
  message: string;
}

/**
 * Every badge of a course. A prerequisite cycle is reported on each badge in it, starting from
 * that badge, since each of them is blocked by it.
 */
export function validateBadges(badges: BadgeDefinition[], lineItems: LineItem[]): RuleProblem[] {
  return badges.flatMap((badge) => validateBadge(badge, badges, lineItems));
}

/** One badge being edited; `allBadges` are the course's badges (this one may be among them, edited or not). */
export function validateBadge(badge: BadgeDefinition, allBadges: BadgeDefinition[], lineItems: LineItem[]): RuleProblem[] {
  const badgesById = new Map(allBadges.map((b) => [b.id, b])).set(badge.id, badge);
  const lineItemsById = new Map(lineItems.map((li) => [li.id, li]));
  const problems: RuleProblem[] = [];
  const report = (path: string, message: string) => problems.push({ badgeId: badge.id, path, message });
  /** Where each prerequisite is named, to point a cycle at the rule that starts it. */
  const prerequisitePaths = new Map<string, string>();

  const lineItemAt = (path: string, lineItemId: string): LineItem | undefined => {
    const lineItem = lineItemsById.get(lineItemId);
    if (!lineItem) {
      const what = lineItemId ? `${lineItemId} is not a line item of this course` : 'No line item chosen';
      report(path, `${what}: pick one from the list, or add the activity as a Laurel link`);
    }
    return lineItem;
  };
  const percentAt = (path: string, percent: number) => {
    // Written so that NaN (a form field left empty) fails too.
    if (!(percent >= 0 && percent <= 100)) report(path, `${Number.isFinite(percent) ? `${percent} % is outside 0–100` : 'The percent is not a number'}: give a number from 0 to 100`);
  };

  const check = (rule: Rule, path: string): void => {
    switch (rule.kind) {
      case 'all':
      case 'any':
        if (rule.rules.length === 0) report(path, `This "${rule.kind}" group has no rules: add a rule to it, or remove the group`);
        rule.rules.forEach((child, i) => check(child, `${path}.rules[${i}]`));
        return;
      case 'minGrade': {
        const lineItem = lineItemAt(path, rule.lineItemId);
        const { percent, points } = rule;
        if (percent !== undefined && points !== undefined) report(path, 'Give either a percent or points, not both');
        else if (percent !== undefined) percentAt(path, percent);
        else if (points === undefined) report(path, 'Give the percent or the points needed');
        else if (!(points >= 0)) report(path, `${Number.isFinite(points) ? `${points} points is below 0` : 'The points are not a number'}: give 0 or more points`);
        // A column without a maximum (0) has no bound to check against.
        else if (lineItem && lineItem.scoreMaximum > 0 && points > lineItem.scoreMaximum) {
          const max = formatNumber(lineItem.scoreMaximum);
          report(path, `${formatNumber(points)} points is more than the ${max} that ${lineItem.label} is graded out of: give at most ${max} points, or a percent`);
        }
        return;
      }
      case 'completed':
        lineItemAt(path, rule.lineItemId);
        return;
      case 'prerequisite':
        if (!prerequisitePaths.has(rule.badgeId)) prerequisitePaths.set(rule.badgeId, path);
        if (rule.badgeId === badge.id) report(path, 'A badge cannot be its own prerequisite: pick another badge, or remove this rule');
        else if (!badgesById.has(rule.badgeId)) report(path, `${rule.badgeId ? `${rule.badgeId} is not a badge of this course` : 'No badge chosen'}: pick the badge a learner must hold first, or remove this rule`);
        return;
      case 'average':
        if (rule.items.length === 0) report(path, 'An average needs line items: add the columns to average');
        rule.items.forEach((item, i) => {
          const itemPath = `${path}.items[${i}]`;
          lineItemAt(itemPath, item.lineItemId);
          if (item.weight !== undefined && !(item.weight > 0)) report(itemPath, `A weight of ${item.weight} counts nothing: give a weight above 0 (1 counts the column once)`);
        });
        percentAt(path, rule.percent);
        return;
      case 'dateWindow': {
        const from = rule.from === undefined ? undefined : instantOf(rule.from, 'start');
        const until = rule.until === undefined ? undefined : instantOf(rule.until, 'end');
        for (const [value, at] of [[rule.from, from], [rule.until, until]] as const) {
          if (value !== undefined && at === undefined) report(path, `"${value}" is not a date: write it as 2026-09-01, or 2026-09-01T08:00:00Z for an exact time`);
        }
        if (from !== undefined && until !== undefined && from > until) report(path, `The window opens (${rule.from}) after it closes (${rule.until}): swap the dates`);
        return;
      }
      case 'approval':
        return;
    }
  };

  if (!badge.name.trim()) report('name', 'Give the badge a name: learners see it on their badge');
  check(badge.rules, 'rules');
  const cycle = prerequisiteCycle(badge.id, badgesById);
  // A badge requiring itself was reported at its rule above.
  if (cycle && cycle.length > 2) {
    const names = cycle.map((id) => badgesById.get(id)!.name);
    report(prerequisitePaths.get(cycle[1])!, `These badges require each other, so none can be earned: ${names.join(' → ')}. Remove one of these prerequisites`);
  }
  return problems;
}
