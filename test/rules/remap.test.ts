/**
 * A badge's rules carried into a copy of the course: each item named is found again by its name
 * among items of the same kind, only where exactly one matches; prerequisites point at the copies;
 * everything else is left as it was and reported with where it is in the rules.
 */
import { describe, expect, it } from 'vitest';
import { remapRules } from '../../src/rules/remap.js';
import type { Rule } from '../../src/rules/badge.js';

const old = (n: number) => `https://lms.example/api/lti/courses/1/line_items/${n}`;
const now = (n: number) => `https://lms.example/api/lti/courses/2/line_items/${n}`;

const sourceItems = [
  { id: old(1), label: 'Quiz 1' }, { id: old(2), label: 'Lab report' }, { id: old(3), label: 'Essay' }, { id: old(4), label: 'Week 1' },
  { id: 'canvas:module:5', label: 'Week 1' }, { id: 'moodle:cm:9', label: 'Final quiz' },
];
const targetItems = [
  { id: now(11), label: 'quiz 1 ' }, { id: now(12), label: 'Lab report' }, { id: now(13), label: 'Lab report' }, { id: now(14), label: 'Week 1' },
  { id: 'canvas:module:50', label: 'Week 1' },
  // A graded Moodle activity is listed as a grade item and as an activity under one id.
  { id: 'moodle:cm:90', label: 'Final quiz' }, { id: 'moodle:cm:90', label: 'Final quiz' },
];

describe('rules carried into a copied course', () => {
  it('finds each item again by name, case and spaces aside, among items of the same kind only', () => {
    const rule: Rule = { kind: 'all', rules: [
      { kind: 'minGrade', lineItemId: old(1), percent: 60 },
      { kind: 'completed', lineItemId: 'canvas:module:5' },
      { kind: 'completed', lineItemId: old(4) },
      { kind: 'completed', lineItemId: 'moodle:cm:9' },
    ] };
    const { rules, unmatched } = remapRules(rule, { badgeIds: new Map(), sourceItems, targetItems });
    expect(unmatched).toEqual([]);
    expect(rules).toEqual({ kind: 'all', rules: [
      { kind: 'minGrade', lineItemId: now(11), percent: 60 },
      { kind: 'completed', lineItemId: 'canvas:module:50' },
      { kind: 'completed', lineItemId: now(14) },
      { kind: 'completed', lineItemId: 'moodle:cm:90' },
    ] });
  });

  it('reports, and leaves as they were, items with two matches, none, or no known name', () => {
    const rule: Rule = { kind: 'any', rules: [
      { kind: 'average', items: [{ lineItemId: old(2), weight: 2 }, { lineItemId: old(3) }], percent: 70 },
      { kind: 'minGrade', lineItemId: old(99), points: 5 },
    ] };
    const { rules, unmatched } = remapRules(rule, { badgeIds: new Map(), sourceItems, targetItems });
    expect(rules).toEqual(rule);
    expect(unmatched).toEqual([
      { path: 'rules.rules[0].items[0]', kind: 'ambiguous', itemId: old(2), label: 'Lab report', count: 2 },
      { path: 'rules.rules[0].items[1]', kind: 'notFound', itemId: old(3), label: 'Essay' },
      { path: 'rules.rules[1]', kind: 'unknownItem', itemId: old(99) },
    ]);
  });

  it('points prerequisites at the copies of their badges, and reports one that was not brought', () => {
    const rule: Rule = { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: 'level1' }, { kind: 'prerequisite', badgeId: 'gone' }, { kind: 'approval' }] };
    const { rules, unmatched } = remapRules(rule, { badgeIds: new Map([['level1', 'level1-copy']]), sourceItems, targetItems });
    expect(rules).toEqual({ kind: 'all', rules: [{ kind: 'prerequisite', badgeId: 'level1-copy' }, { kind: 'prerequisite', badgeId: 'gone' }, { kind: 'approval' }] });
    expect(unmatched).toEqual([{ path: 'rules.rules[1]', kind: 'unknownBadge', badgeId: 'gone' }]);
  });

  it('keeps an item the new course still has under the same id', () => {
    const rule: Rule = { kind: 'completed', lineItemId: 'canvas:module:50' };
    expect(remapRules(rule, { badgeIds: new Map(), sourceItems: [], targetItems })).toEqual({ rules: rule, unmatched: [] });
  });
});
