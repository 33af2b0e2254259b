import { describe, it, expect } from 'vitest';
import type { EvaluationInput } from '../../src/rules/index.js';
import { evaluate } from '../../src/rules/index.js';
import { LAB, QUIZ1, QUIZ2, all, any, approval, average, badge, completed, dateWindow, member, minPercent, minPoints, prerequisite, result, snapshot } from './fixtures.js';

function input(): EvaluationInput {
  const users = ['u3', 'u1', 'u4', 'u2'];
  return {
    badges: [
      badge('c-top', all(prerequisite('b-mid'), average(60, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id, weight: 2 }))),
      badge('b-mid', all(prerequisite('a-base'), any(minPoints(QUIZ2.id, 7), completed(LAB.id))), { issueMode: 'approval' }),
      badge('a-base', all(minPercent(QUIZ1.id, 50), dateWindow('2026-09-01', '2026-12-20'))),
      badge('z-solo', approval()),
    ],
    snapshot: snapshot({
      members: users.map((u) => member(u)),
      lineItems: [LAB, QUIZ2, QUIZ1],
      results: users.flatMap((u, i) => [result(QUIZ1.id, u, 3 + i * 2), result(QUIZ2.id, u, 10 - i * 2), ...(i % 2 ? [result(LAB.id, u, 1)] : [])]),
    }),
    held: [{ badgeId: 'b-mid', userId: 'u4' }, { badgeId: 'a-base', userId: 'u1' }],
    approvals: [{ badgeId: 'z-solo', userId: 'u2' }],
  };
}

/** A fixed permutation (reversed, then every other one first): no randomness in tests either. */
function shuffled<T>(items: T[]): T[] {
  const reversed = [...items].reverse();
  return [...reversed.filter((_, i) => i % 2), ...reversed.filter((_, i) => i % 2 === 0)];
}

describe('evaluation is deterministic', () => {
  it('gives the same verdicts for the same input', () => {
    expect(evaluate(input())).toEqual(evaluate(input()));
  });

  it('gives the same verdicts whatever order the input arrays come in', () => {
    const i = input();
    const reordered: EvaluationInput = {
      badges: shuffled(i.badges),
      snapshot: { ...i.snapshot, members: shuffled(i.snapshot.members), lineItems: shuffled(i.snapshot.lineItems), results: shuffled(i.snapshot.results) },
      held: shuffled(i.held),
      approvals: shuffled(i.approvals),
    };
    expect(evaluate(reordered)).toEqual(evaluate(i));
  });

  it('orders verdicts by badge (dependency order, then id), then by learner', () => {
    const order = evaluate(input()).map((v) => `${v.badgeId}/${v.userId}`);
    expect(order.slice(0, 5)).toEqual(['a-base/u1', 'a-base/u2', 'a-base/u3', 'a-base/u4', 'z-solo/u1']);
    expect(order.slice(-4)).toEqual(['c-top/u1', 'c-top/u2', 'c-top/u3', 'c-top/u4']);
  });
});
