import { describe, it, expect } from 'vitest';
import { LAB, QUIZ1, QUIZ2, adasVerdict, average, badge, completed, lineItem, member, minPercent, minPoints, result, run, snapshot, verdictOf } from './fixtures.js';

describe('a grade threshold on one line item', () => {
  it('is not met when the learner has no result yet', () => {
    const v = adasVerdict(minPercent(QUIZ2.id, 80), []);
    expect(v.earned).toBe(false);
    expect(v.reason).toMatchObject({ kind: 'minGrade', met: false, seen: null, threshold: 80, text: 'Quiz 2: not graded yet' });
  });

  it('is not met by a result without a score (not graded yet)', () => {
    const v = adasVerdict(minPercent(QUIZ2.id, 80), [result(QUIZ2.id, 'ada')]);
    expect(v.earned).toBe(false);
    expect(v.reason.text).toBe('Quiz 2: not graded yet');
  });

  it('reads a percent of the line item maximum', () => {
    const v = adasVerdict(minPercent(QUIZ2.id, 80), [result(QUIZ2.id, 'ada', 7.2)]);
    expect(v.earned).toBe(false);
    expect(v.reason).toMatchObject({ seen: expect.closeTo(72, 9), threshold: 80, text: 'Quiz 2: 72 % of the 80 % needed' });
  });

  it('prefers the result maximum to the line item maximum', () => {
    const v = adasVerdict(minPercent(QUIZ2.id, 80), [result(QUIZ2.id, 'ada', 16, 20)]);
    expect(v.earned).toBe(true);
    expect(v.reason.text).toBe('Quiz 2: 80 % of the 80 % needed');
  });

  it('meets the threshold with a score exactly at it, 8 of 10 computed in floating point', () => {
    expect(adasVerdict(minPercent(QUIZ2.id, 80), [result(QUIZ2.id, 'ada', 8)]).earned).toBe(true);
    expect(adasVerdict(minPercent(QUIZ2.id, 29), [result(QUIZ2.id, 'ada', 0.29, 1)]).earned).toBe(true); // 0.29 / 1 * 100 = 28.999999999999996
  });

  it('does not meet it a rounding error below (79.995 % against 80 %), and the text does not round up to 80', () => {
    const v = adasVerdict(minPercent(QUIZ2.id, 80), [result(QUIZ2.id, 'ada', 79.995, 100)]);
    expect(v.earned).toBe(false);
    expect(v.reason.text).toBe('Quiz 2: 79.9 % of the 80 % needed');
  });

  it('can never be met as a percent on a column whose scoreMaximum is 0', () => {
    const broken = lineItem('https://lms.example/lineitems/9', 'Participation', 0);
    const v = adasVerdict(minPercent(broken.id, 50), [result(broken.id, 'ada', 5)], { lineItems: [broken] });
    expect(v.earned).toBe(false);
    expect(v.reason.text).toBe('Participation: the column has no maximum score, so no percent can be computed');
  });

  it('still works in points on a column whose scoreMaximum is 0', () => {
    const broken = lineItem('https://lms.example/lineitems/9', 'Participation', 0);
    const v = adasVerdict(minPoints(broken.id, 5), [result(broken.id, 'ada', 5)], { lineItems: [broken] });
    expect(v.earned).toBe(true);
    expect(v.reason.text).toBe('Participation: 5 points needed, 5 seen');
  });

  it('compares points with the score', () => {
    const below = adasVerdict(minPoints(QUIZ2.id, 8), [result(QUIZ2.id, 'ada', 6.5)]);
    expect(below.earned).toBe(false);
    expect(below.reason).toMatchObject({ seen: 6.5, threshold: 8, text: 'Quiz 2: 8 of 10 points needed, 6.5 seen' });
    expect(adasVerdict(minPoints(QUIZ2.id, 8), [result(QUIZ2.id, 'ada', 8)]).earned).toBe(true);
  });

  it('is not changed by a line item added after the badge was defined', () => {
    const rules = minPercent(QUIZ2.id, 80);
    const results = [result(QUIZ2.id, 'ada', 9)];
    const before = run([badge('b', rules)], snapshot({ members: [member('ada')], lineItems: [QUIZ2], results }));
    const quiz3 = lineItem('https://lms.example/lineitems/4', 'Quiz 3');
    const after = run([badge('b', rules)], snapshot({ members: [member('ada')], lineItems: [QUIZ2, quiz3], results: [...results, result(quiz3.id, 'ada', 1)] }));
    expect(after).toEqual(before);
  });

  it('is not met when the line item it names was deleted from the grade book', () => {
    const v = adasVerdict(minPercent('https://lms.example/lineitems/gone', 50), []);
    expect(v.earned).toBe(false);
    expect(v.reason.text).toBe('https://lms.example/lineitems/gone is no longer in the grade book');
  });
});

describe('completing a line item', () => {
  it('needs a graded result, whatever the score', () => {
    expect(adasVerdict(completed(LAB.id), [result(LAB.id, 'ada', 0)]).reason).toMatchObject({ met: true, text: 'Lab: Safety: graded' });
    expect(adasVerdict(completed(LAB.id), [result(LAB.id, 'ada')]).reason).toMatchObject({ met: false, text: 'Lab: Safety: not graded yet' });
  });
});

describe('a weighted average', () => {
  it('counts a missing result as 0 % and says so', () => {
    // Quiz 1: 9/10 (90 %, weight 1); Quiz 2 not graded (0 %, weight 2): (90 + 0) / 3 = 30 %.
    const v = adasVerdict(average(25, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id, weight: 2 }), [result(QUIZ1.id, 'ada', 9)]);
    expect(v.earned).toBe(true);
    expect(v.reason).toMatchObject({ seen: 30, threshold: 25, text: 'Course average over Quiz 1, Quiz 2 (×2): 30 % of 25 % needed (1 of 2 not graded, counted as 0 %)' });
  });

  it('weighs the graded results', () => {
    // (70 % + 2 × 85 %) / 3 = 80 %.
    const v = adasVerdict(average(80, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id, weight: 2 }), [result(QUIZ1.id, 'ada', 7), result(QUIZ2.id, 'ada', 8.5)]);
    expect(v.earned).toBe(true);
    expect(v.reason.text).toBe('Course average over Quiz 1, Quiz 2 (×2): 80 % of 80 % needed');
  });

  it('counts a deleted line item as 0 %', () => {
    const v = adasVerdict(average(50, { lineItemId: QUIZ1.id }, { lineItemId: 'quiz-gone' }), [result(QUIZ1.id, 'ada', 9)]);
    expect(v.earned).toBe(false);
    expect(v.reason.text).toBe('Course average over Quiz 1, quiz-gone: 45 % of 50 % needed (1 of 2 no longer in the grade book, counted as 0 %)');
  });
});

describe('results of other learners and columns', () => {
  it('are never mixed up', () => {
    const course = snapshot({ members: [member('ada'), member('bob')], lineItems: [QUIZ1, QUIZ2], results: [result(QUIZ1.id, 'ada', 10), result(QUIZ2.id, 'bob', 10)] });
    const verdicts = run([badge('b', minPercent(QUIZ1.id, 80))], course);
    expect(verdictOf(verdicts, 'b', 'ada').earned).toBe(true);
    expect(verdictOf(verdicts, 'b', 'bob').earned).toBe(false);
  });
});
