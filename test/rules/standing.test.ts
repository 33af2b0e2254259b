/**
 * Where learners stand on a badge, for the dashboard: a learner whose work shows has started,
 * even under the bar; the counts are one evaluation's learners, each once, by their award now.
 */
import { describe, expect, it } from 'vitest';
import { figuresOf } from '../../src/rules/standing.js';

describe('standing', () => {
  it('adds up to the learners of the evaluation, whatever was awarded or revoked since', () => {
    const standing = { earned: ['ada'], inProgress: ['bo'], notStarted: ['cy'] };
    // Since: bo awarded by hand, ada's award revoked, and someone not in the evaluation awarded.
    const now = new Map([['ada', 'revoked'], ['bo', 'awarded'], ['zed', 'awarded']] as const);
    const f = figuresOf(standing, now);
    expect(f).toEqual({ learners: 3, earned: 1, pending: 0, revoked: 1, inProgress: 0, notStarted: 1 });
    expect(f.earned + f.pending + f.revoked + f.inProgress + f.notStarted).toBe(f.learners);
  });
});
