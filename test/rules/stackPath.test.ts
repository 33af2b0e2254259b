/**
 * A stack as a learner climbs it (rules/stack.ts): the badges of one group ordered by level,
 * which are held, and the next to earn, the lowest level not held; shown only where the learner
 * holds a level, and only for groups of two badges or more.
 */
import { describe, expect, it } from 'vitest';
import { stacksHeld } from '../../src/rules/stack.js';
import type { BadgeDefinition } from '../../src/rules/badge.js';

const badge = (id: string, group?: string, level?: number): BadgeDefinition => ({
  id, name: id, description: '', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false, rules: { kind: 'approval' },
  ...(group ? { group } : {}), ...(level !== undefined ? { level } : {}),
});

describe('a stack\'s path', () => {
  const badges = [badge('lab-3', 'lab', 3), badge('essay'), badge('lab-1', 'lab', 1), badge('quiz-b', 'quiz'), badge('lab-2', 'lab', 2), badge('quiz-a', 'quiz'), badge('alone', 'solo', 1)];

  it('orders the levels and names the lowest one not held as next', () => {
    const [lab] = stacksHeld(badges, new Set(['lab-1', 'essay']));
    expect(lab!.group).toBe('lab');
    expect(lab!.levels.map((l) => [l.badge.id, l.held])).toEqual([['lab-1', true], ['lab-2', false], ['lab-3', false]]);
    expect(lab!.next?.id).toBe('lab-2');
  });

  it('names the gap as next when a higher level is held (awarded by hand), and none when all are', () => {
    expect(stacksHeld(badges, new Set(['lab-1', 'lab-3']))[0]!.next?.id).toBe('lab-2');
    expect(stacksHeld(badges, new Set(['lab-1', 'lab-2', 'lab-3']))[0]!.next).toBeUndefined();
  });

  it('leaves out stacks the learner has not started and groups of one badge; badges without a level come after, by name', () => {
    expect(stacksHeld(badges, new Set(['essay', 'alone']))).toEqual([]);
    const [quiz] = stacksHeld(badges, new Set(['quiz-b']));
    expect(quiz!.levels.map((l) => l.badge.id)).toEqual(['quiz-a', 'quiz-b']);
    expect(quiz!.next?.id).toBe('quiz-a');
  });
});
