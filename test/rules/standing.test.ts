/**
 * Where learners stand on a badge, for the dashboard: a learner whose work shows has started,
 * even under the bar; the counts are one evaluation's learners, each once, by their award now.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf, standingOf } from '../../src/rules/standing.js';
import { average, badge, dateWindow, all, LAB, member, minPercent, QUIZ1, QUIZ2, result, run, snapshot } from './fixtures.js';

const course = (results: ReturnType<typeof result>[]) => snapshot({ members: ['ada', 'bo', 'cy'].map((id) => member(id)), lineItems: [QUIZ1, QUIZ2, LAB], results });

describe('standing', () => {
  it('counts a learner graded under the bar as in progress, not as not started', () => {
    const verdicts = run([badge('b', all(minPercent(QUIZ1.id, 60)))], course([result(QUIZ1.id, 'ada', 8), result(QUIZ1.id, 'bo', 3)]));
    expect(standingOf(verdicts).b).toEqual({ earned: ['ada'], inProgress: ['bo'], notStarted: ['cy'] });
  });

  it('counts an average with one item graded as started, and an open date window as nothing the learner did', () => {
    const verdicts = run([
      badge('avg', all(average(80, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id }))),
      badge('window', all(dateWindow('2026-01-01', '2026-12-31'), minPercent(LAB.id, 50))),
    ], course([result(QUIZ1.id, 'bo', 2)]));
    const s = standingOf(verdicts);
    expect(s.avg).toEqual({ earned: [], inProgress: ['bo'], notStarted: ['ada', 'cy'] });
    expect(s.window).toEqual({ earned: [], inProgress: [], notStarted: ['ada', 'bo', 'cy'] });
  });

  it('adds up to the learners of the evaluation, whatever was awarded or revoked since', () => {
    const standing = { earned: ['ada'], inProgress: ['bo'], notStarted: ['cy'] };
    // Since: bo awarded by hand, ada's award revoked, and someone not in the evaluation awarded.
    const now = new Map([['ada', 'revoked'], ['bo', 'awarded'], ['zed', 'awarded']] as const);
    const f = figuresOf(standing, now);
    expect(f).toEqual({ learners: 3, earned: 1, pending: 0, revoked: 1, inProgress: 0, notStarted: 1 });
    expect(f.earned + f.pending + f.revoked + f.inProgress + f.notStarted).toBe(f.learners);
  });
});
