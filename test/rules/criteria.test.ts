import { describe, it, expect } from 'vitest';
import type { BadgeDefinition, Rule } from '../../src/rules/index.js';
import { criteriaNarrative } from '../../src/rules/index.js';
import { LAB, QUIZ1, QUIZ2, all, any, approval, average, badge, completed, dateWindow, minPercent, minPoints, prerequisite } from './fixtures.js';

const level1 = badge('l1', completed(QUIZ1.id), { name: 'Level 1' });
const narrative = (rules: Rule, extra: Partial<BadgeDefinition> = {}) =>
  criteriaNarrative(badge('b', rules, extra), [QUIZ1, QUIZ2, LAB], new Map([[level1.id, level1]]));

describe('the criteria narrative', () => {
  it('reads a flat list as one sentence', () => {
    expect(narrative(all(minPercent(QUIZ2.id, 80), completed(LAB.id)))).toBe('Earn at least 80 % on Quiz 2 and complete Lab: Safety.');
  });

  it('reads a nested tree with either … or … and both … and …', () => {
    const rules = all(
      prerequisite('l1'),
      any(minPercent(QUIZ2.id, 80), all(minPoints(QUIZ1.id, 7), completed(LAB.id))),
      dateWindow('2026-09-01', '2026-12-20'),
    );
    expect(narrative(rules)).toBe('Earn Level 1 first; either earn at least 80 % on Quiz 2 or both earn at least 7 of 10 points on Quiz 1 and complete Lab: Safety;'
      + ' and qualify between 2026-09-01 and 2026-12-20.');
  });

  it('nests an all inside an any', () => {
    expect(narrative(any(prerequisite('l1'), all(completed(QUIZ1.id), completed(LAB.id)))))
      .toBe('Either earn Level 1 first or both complete Quiz 1 and complete Lab: Safety.');
  });

  it('lists longer alternatives with one of', () => {
    expect(narrative(any(completed(QUIZ1.id), completed(QUIZ2.id), completed(LAB.id)))).toBe('One of: complete Quiz 1, complete Quiz 2 or complete Lab: Safety.');
  });

  it('names averages with their weights, and approval', () => {
    expect(narrative(all(average(75, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id, weight: 2 }), approval())))
      .toBe('Average at least 75 % over Quiz 1 and Quiz 2 (weight 2) and be approved by an instructor.');
  });

  it('says when an instructor reviews each award', () => {
    expect(narrative(minPercent(QUIZ1.id, 50), { issueMode: 'approval' })).toBe('Earn at least 50 % on Quiz 1. An instructor reviews each award before it is issued.');
  });
});
