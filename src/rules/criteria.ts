/**
 * The criteria narrative of an Open Badge, written from the rule tree when the instructor did
 * not write one: "Earn at least 80 % on Quiz 2 and complete Lab: Safety."
 */
import type { BadgeDefinition, Rule } from './badge.js';
import type { LineItem } from './snapshot.js';
import { formatNumber, listText } from './text.js';

const isList = (rule: Rule) => (rule.kind === 'all' || rule.kind === 'any') && rule.rules.length > 1;

export function criteriaNarrative(badge: BadgeDefinition, lineItems: readonly LineItem[], badgesById: ReadonlyMap<string, BadgeDefinition>): string {
  const lineItemsById = new Map(lineItems.map((li) => [li.id, li]));
  const label = (lineItemId: string) => lineItemsById.get(lineItemId)?.label ?? lineItemId;

  const phrase = (rule: Rule, top: boolean): string => {
    switch (rule.kind) {
      case 'all':
      case 'any': {
        const parts = rule.rules.map((r) => phrase(r, false));
        if (parts.length === 0) return 'no rules are set yet';
        if (parts.length === 1) return parts[0];
        // At the top, "a and b" reads naturally; nested, "both"/"either" mark where a group starts,
        // and semicolons keep a list of lists apart.
        const separator = rule.rules.some(isList) ? '; ' : ', ';
        if (rule.kind === 'all') return top ? listText(parts, 'and', separator) : parts.length === 2 ? `both ${parts[0]} and ${parts[1]}` : `all of: ${listText(parts, 'and', separator)}`;
        return parts.length === 2 ? `either ${parts[0]} or ${parts[1]}` : `one of: ${listText(parts, 'or', separator)}`;
      }
      case 'minGrade': {
        if (rule.percent !== undefined) return `earn at least ${formatNumber(rule.percent)} % on ${label(rule.lineItemId)}`;
        const max = lineItemsById.get(rule.lineItemId)?.scoreMaximum;
        return `earn at least ${formatNumber(rule.points ?? 0)}${max ? ` of ${formatNumber(max)}` : ''} points on ${label(rule.lineItemId)}`;
      }
      case 'completed': return `complete ${label(rule.lineItemId)}`;
      case 'prerequisite': return `earn ${badgesById.get(rule.badgeId)?.name ?? rule.badgeId} first`;
      case 'average': {
        const items = rule.items.map((i) => (i.weight === undefined || i.weight === 1 ? label(i.lineItemId) : `${label(i.lineItemId)} (weight ${formatNumber(i.weight)})`));
        return `average at least ${formatNumber(rule.percent)} % over ${listText(items, 'and')}`;
      }
      case 'dateWindow':
        return rule.from && rule.until ? `qualify between ${rule.from} and ${rule.until}`
          : rule.from ? `qualify on or after ${rule.from}`
          : rule.until ? `qualify by ${rule.until}`
          : 'qualify at any time';
      case 'approval': return 'be approved by an instructor';
    }
  };

  const text = phrase(badge.rules, true);
  const sentence = `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  return badge.issueMode === 'approval' ? `${sentence} An instructor reviews each award before it is issued.` : sentence;
}
