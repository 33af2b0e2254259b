/**
 * The criteria narrative of an Open Badge, written from the rule tree when the instructor did
 * not write one: "Earn at least 80 % on Quiz 2 and complete Lab: Safety." In English by default
 * (what credentials carry); pages pass their own language's words.
 */
import type { BadgeDefinition, Rule } from './badge.js';
import type { LineItem } from './snapshot.js';
import { itemDescription } from './sources.js';
import { formatNumber, listText } from './text.js';
import { byLineItemKey, lineItemKey } from './lineItemKey.js';

/** The phrases a narrative is made of; {name} marks a value filled in. */
export const ENGLISH_CRITERIA = {
  noRules: 'no rules are set yet',
  and: 'and',
  or: 'or',
  both: 'both {a} and {b}',
  allOf: 'all of: {list}',
  either: 'either {a} or {b}',
  oneOf: 'one of: {list}',
  minPercent: 'earn at least {percent} % on {item}',
  minPoints: 'earn at least {points} points on {item}',
  minPointsOutOf: 'earn at least {points} of {outOf} points on {item}',
  completed: 'complete {item}',
  recent: '{condition} within the last {days} days',
  recentDay: '{condition} within the last day',
  prerequisite: 'earn {badge} first',
  weighted: '{item} (weight {weight})',
  average: 'average at least {percent} % over {items}',
  between: 'qualify between {from} and {until}',
  from: 'qualify on or after {from}',
  until: 'qualify by {until}',
  anyTime: 'qualify at any time',
  approval: 'be approved by an instructor',
  reviewed: 'An instructor reviews each award before it is issued.',
} as const;

export type CriteriaPhrase = keyof typeof ENGLISH_CRITERIA;

/** How a language says a narrative: its phrases, and its numbers (6.5, or 6,5). */
export interface CriteriaLanguage {
  phrase(key: CriteriaPhrase, values?: Record<string, string>): string;
  number(n: number): string;
}

export const ENGLISH: CriteriaLanguage = {
  phrase: (key, values = {}) => ENGLISH_CRITERIA[key].replace(/\{(\w+)\}/g, (m, name: string) => values[name] ?? m),
  number: formatNumber,
};

const isList = (rule: Rule) => (rule.kind === 'all' || rule.kind === 'any') && rule.rules.length > 1;

/** A line item or an activity: what a rule names, by id, with its label. */
export type NamedItem = Pick<LineItem, 'id' | 'label'> & { scoreMaximum?: number };

export function criteriaNarrative(badge: BadgeDefinition, lineItems: readonly NamedItem[], badgesById: ReadonlyMap<string, BadgeDefinition>, language: CriteriaLanguage = ENGLISH): string {
  const { phrase, number } = language;
  const lineItemsById = byLineItemKey(lineItems);
  const label = (lineItemId: string) => lineItemsById.get(lineItemKey(lineItemId))?.label ?? itemDescription(lineItemId);
  const list = (items: string[], conjunction: 'and' | 'or', separator: ', ' | '; ' = ', ') => listText(items, phrase(conjunction), separator);

  /** A condition bounded in time: "… within the last 90 days". */
  const recent = (condition: string, days: number | undefined) => (days === undefined ? condition
    : days === 1 ? phrase('recentDay', { condition }) : phrase('recent', { condition, days: number(days) }));

  const say = (rule: Rule, top: boolean): string => {
    switch (rule.kind) {
      case 'all':
      case 'any': {
        const parts = rule.rules.map((r) => say(r, false));
        if (parts.length === 0) return phrase('noRules');
        if (parts.length === 1) return parts[0];
        // At the top, "a and b" reads naturally; nested, "both"/"either" mark where a group starts,
        // and semicolons keep a list of lists apart.
        const separator = rule.rules.some(isList) ? '; ' : ', ';
        if (rule.kind === 'all') return top ? list(parts, 'and', separator) : parts.length === 2 ? phrase('both', { a: parts[0], b: parts[1] }) : phrase('allOf', { list: list(parts, 'and', separator) });
        return parts.length === 2 ? phrase('either', { a: parts[0], b: parts[1] }) : phrase('oneOf', { list: list(parts, 'or', separator) });
      }
      case 'minGrade': {
        const item = label(rule.lineItemId);
        if (rule.percent !== undefined) return recent(phrase('minPercent', { percent: number(rule.percent), item }), rule.withinDays);
        const max = lineItemsById.get(lineItemKey(rule.lineItemId))?.scoreMaximum;
        const points = number(rule.points ?? 0);
        return recent(max ? phrase('minPointsOutOf', { points, outOf: number(max), item }) : phrase('minPoints', { points, item }), rule.withinDays);
      }
      case 'completed': return recent(phrase('completed', { item: label(rule.lineItemId) }), rule.withinDays);
      case 'prerequisite': return phrase('prerequisite', { badge: badgesById.get(rule.badgeId)?.name ?? rule.badgeId });
      case 'average': {
        const items = rule.items.map((i) => (i.weight === undefined || i.weight === 1 ? label(i.lineItemId) : phrase('weighted', { item: label(i.lineItemId), weight: number(i.weight) })));
        return phrase('average', { percent: number(rule.percent), items: list(items, 'and') });
      }
      case 'dateWindow':
        return rule.from && rule.until ? phrase('between', { from: rule.from, until: rule.until })
          : rule.from ? phrase('from', { from: rule.from })
          : rule.until ? phrase('until', { until: rule.until })
          : phrase('anyTime');
      case 'approval': return phrase('approval');
    }
  };

  const text = say(badge.rules, true);
  const sentence = `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  return badge.issueMode === 'approval' ? `${sentence} ${phrase('reviewed')}` : sentence;
}
