import { describe, it, expect } from 'vitest';
import type { Rule } from '../../src/rules/index.js';
import { validateBadge, validateBadges } from '../../src/rules/index.js';
import { LAB, QUIZ1, QUIZ2, all, any, approval, average, badge, completed, dateWindow, minPercent, minPoints, prerequisite } from './fixtures.js';

const lineItems = [QUIZ1, QUIZ2, LAB];
/** The messages for one badge with these rules, each prefixed by its path. */
const problemsOf = (rules: Rule) => validateBadges([badge('b', rules)], lineItems).map((p) => `${p.path}: ${p.message}`);

describe('badge validation', () => {
  it('accepts a badge using every kind of rule', () => {
    const rules = all(minPercent(QUIZ1.id, 80), minPoints(QUIZ2.id, 10), any(completed(LAB.id), approval()),
      average(75, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id, weight: 2 }), dateWindow('2026-09-01', '2026-12-20T23:00:00+01:00'));
    expect(problemsOf(rules)).toEqual([]);
  });

  it('rejects a line item that is not in the course', () => {
    expect(problemsOf(all(minPercent(QUIZ1.id, 50), completed('Quiz 9')))).toEqual([
      'rules.rules[1]: Quiz 9 is not a line item of this course: pick one from the list, or add the activity as a Laurel link',
    ]);
  });

  it('rejects a percent outside 0–100', () => {
    expect(problemsOf(minPercent(QUIZ1.id, 101))).toEqual(['rules: 101 % is outside 0–100: give a number from 0 to 100']);
    expect(problemsOf(average(-1, { lineItemId: QUIZ1.id }))).toEqual(['rules: -1 % is outside 0–100: give a number from 0 to 100']);
  });

  it('rejects negative points, and points above the line item maximum', () => {
    expect(problemsOf(minPoints(QUIZ1.id, -2))).toEqual(['rules: -2 points is below 0: give 0 or more points']);
    expect(problemsOf(minPoints(QUIZ1.id, 12))).toEqual(['rules: 12 points is more than the 10 that Quiz 1 is graded out of: give at most 10 points, or a percent']);
  });

  it('needs exactly one of percent and points', () => {
    expect(problemsOf({ kind: 'minGrade', lineItemId: QUIZ1.id, percent: 50, points: 5 })).toEqual(['rules: Give either a percent or points, not both']);
    expect(problemsOf({ kind: 'minGrade', lineItemId: QUIZ1.id })).toEqual(['rules: Give the percent or the points needed']);
  });

  it('rejects an empty group, however deep', () => {
    expect(problemsOf(all(minPercent(QUIZ1.id, 50), any()))).toEqual(['rules.rules[1]: This "any" group has no rules: add a rule to it, or remove the group']);
    expect(problemsOf(all())).toEqual(['rules: This "all" group has no rules: add a rule to it, or remove the group']);
  });

  it('rejects an average with no line items or a weight that is not positive', () => {
    expect(problemsOf(average(50))).toEqual(['rules: An average needs line items: add the columns to average']);
    expect(problemsOf(average(50, { lineItemId: QUIZ1.id, weight: 0 }))).toEqual(['rules.items[0]: A weight of 0 counts nothing: give a weight above 0 (1 counts the column once)']);
  });

  it('rejects a date window that closes before it opens, or dates it cannot read', () => {
    expect(problemsOf(dateWindow('2026-12-20', '2026-09-01'))).toEqual(['rules: The window opens (2026-12-20) after it closes (2026-09-01): swap the dates']);
    expect(problemsOf(dateWindow('next monday'))).toEqual(['rules: "next monday" is not a date: write it as 2026-09-01, or 2026-09-01T08:00:00Z for an exact time']);
    expect(problemsOf(dateWindow('2026-02-30'))).toEqual(['rules: "2026-02-30" is not a date: write it as 2026-09-01, or 2026-09-01T08:00:00Z for an exact time']);
    expect(problemsOf(dateWindow('2026-09-01T08:00'))).toEqual([]);
  });

  it('rejects a badge without a name', () => {
    expect(validateBadges([badge('b', completed(QUIZ1.id), { name: '  ' })], lineItems)).toEqual([
      { badgeId: 'b', path: 'name', code: 'rule.nameRequired', params: {}, message: 'Give the badge a name: learners see it on their badge' },
    ]);
  });

  it('rejects an unknown prerequisite, and a badge that is its own prerequisite', () => {
    expect(problemsOf(prerequisite('nope'))).toEqual(['rules: nope is not a badge of this course: pick the badge a learner must hold first, or remove this rule']);
    expect(problemsOf(all(completed(QUIZ1.id), prerequisite('b')))).toEqual(['rules.rules[1]: A badge cannot be its own prerequisite: pick another badge, or remove this rule']);
  });

  it('rejects a prerequisite cycle, naming the badges in order', () => {
    const level1 = badge('l1', all(completed(QUIZ1.id), prerequisite('l2')), { name: 'Level 1' });
    const level2 = badge('l2', prerequisite('l1'), { name: 'Level 2' });
    expect(validateBadges([level1, level2], lineItems)).toEqual([
      { badgeId: 'l1', path: 'rules.rules[1]', code: 'rule.cycle', params: { badges: 'Level 1 → Level 2 → Level 1' }, message: 'These badges require each other, so none can be earned: Level 1 → Level 2 → Level 1. Remove one of these prerequisites' },
      { badgeId: 'l2', path: 'rules', code: 'rule.cycle', params: { badges: 'Level 2 → Level 1 → Level 2' }, message: 'These badges require each other, so none can be earned: Level 2 → Level 1 → Level 2. Remove one of these prerequisites' },
    ]);
  });

  it('checks a badge being edited against the saved ones', () => {
    const level1 = badge('l1', completed(QUIZ1.id), { name: 'Level 1' });
    const level2 = badge('l2', prerequisite('l1'), { name: 'Level 2' });
    const edited = { ...level1, rules: prerequisite('l2') };
    expect(validateBadge(level2, [level1, level2], lineItems)).toEqual([]);
    expect(validateBadge(edited, [level1, level2], lineItems).map((p) => p.message)).toEqual([
      'These badges require each other, so none can be earned: Level 1 → Level 2 → Level 1. Remove one of these prerequisites',
    ]);
  });
});
