import { describe, it, expect } from 'vitest';
import { LAB, QUIZ1, QUIZ2, adasVerdict, all, any, approval, badge, completed, dateWindow, member, minPercent, result, run, snapshot } from './fixtures.js';

describe('all / any groups', () => {
  // Quiz 1 ≥ 80 % and (Quiz 2 ≥ 80 % or the lab completed).
  const rules = all(minPercent(QUIZ1.id, 80), any(minPercent(QUIZ2.id, 80), completed(LAB.id)));

  it('earn a nested tree through either branch of the any', () => {
    expect(adasVerdict(rules, [result(QUIZ1.id, 'ada', 9), result(LAB.id, 'ada', 3)]).earned).toBe(true);
    expect(adasVerdict(rules, [result(QUIZ1.id, 'ada', 9), result(QUIZ2.id, 'ada', 8)]).earned).toBe(true);
  });

  it('explain each node, with the count of rules met', () => {
    const v = adasVerdict(rules, [result(QUIZ1.id, 'ada', 9), result(QUIZ2.id, 'ada', 5)]);
    expect(v.earned).toBe(false);
    expect(v.reason).toEqual({
      kind: 'all', met: false, seen: 1, threshold: 2, text: 'All needed: 1 of 2 met',
      children: [
        { kind: 'minGrade', met: true, seen: 90, threshold: 80, text: 'Quiz 1: 90 % of the 80 % needed', subject: 'Quiz 1', sentence: 'percent' },
        {
          kind: 'any', met: false, seen: 0, threshold: 1, text: 'One needed: 0 of 2 met',
          children: [
            { kind: 'minGrade', met: false, seen: 50, threshold: 80, text: 'Quiz 2: 50 % of the 80 % needed', subject: 'Quiz 2', sentence: 'percent' },
            { kind: 'completed', met: false, seen: null, text: 'Lab: Safety: not graded yet', subject: 'Lab: Safety', sentence: 'ungraded' },
          ],
        },
      ],
    });
  });

  it('earn nothing when empty (validation rejects this; evaluation stays safe)', () => {
    expect(adasVerdict(all(), []).reason).toMatchObject({ met: false, text: 'No rules set' });
    expect(adasVerdict(any(), []).earned).toBe(false);
  });
});

describe('a date window', () => {
  const autumn = dateWindow('2026-09-01', '2026-12-20');
  const on = (takenAt: string) => adasVerdict(autumn, [], { takenAt }).reason;

  it('is not met before it opens', () => {
    expect(on('2026-08-31T23:59:59Z')).toMatchObject({ met: false, text: 'Open 2026-09-01 to 2026-12-20: today 2026-08-31 is before it opens' });
  });

  it('is met inside, both ends included', () => {
    expect(on('2026-11-23T10:00:00Z')).toMatchObject({ met: true, text: 'Open 2026-09-01 to 2026-12-20: today 2026-11-23 is inside' });
    expect(on('2026-09-01T00:00:00Z').met).toBe(true);
    expect(on('2026-12-20T23:59:59Z').met).toBe(true);
  });

  it('is not met after it closed', () => {
    expect(on('2026-12-21T00:00:00Z')).toMatchObject({ met: false, text: 'Open 2026-09-01 to 2026-12-20: today 2026-12-21 is after it closed' });
  });

  it('may be open at one end', () => {
    expect(adasVerdict(dateWindow(undefined, '2026-12-20'), []).reason).toMatchObject({ met: true, text: 'Open until 2026-12-20: today 2026-11-23 is inside' });
    expect(adasVerdict(dateWindow('2027-01-01'), []).reason).toMatchObject({ met: false, text: 'Open from 2027-01-01: today 2026-11-23 is before it opens' });
  });
});

describe('an approval rule', () => {
  it('is met only for the learner an instructor approved, for this badge', () => {
    const course = snapshot({ members: [member('ada'), member('bob')] });
    const verdicts = run([badge('b', approval()), badge('c', approval())], course, { approvals: [{ badgeId: 'b', userId: 'ada' }] });
    expect(verdicts.map((v) => [v.badgeId, v.userId, v.earned, v.reason.text])).toEqual([
      ['b', 'ada', true, 'Approved by an instructor'],
      ['b', 'bob', false, 'Not approved by an instructor yet'],
      ['c', 'ada', false, 'Not approved by an instructor yet'],
      ['c', 'bob', false, 'Not approved by an instructor yet'],
    ]);
  });
});
