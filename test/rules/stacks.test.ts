import { describe, it, expect } from 'vitest';
import { QUIZ1, QUIZ2, all, badge, member, minPercent, prerequisite, result, run, snapshot, verdictOf } from './fixtures.js';
import { dependencyOrder, PrerequisiteCycleError } from '../../src/rules/index.js';

// Level 1: Quiz 1 ≥ 50 %; Level 2: Level 1 and Quiz 1 ≥ 80 %; Level 3: Level 2 and Quiz 2 ≥ 80 %.
const level1 = badge('level-1', minPercent(QUIZ1.id, 50), { name: 'Level 1' });
const level2 = badge('level-2', all(prerequisite('level-1'), minPercent(QUIZ1.id, 80)), { name: 'Level 2' });
const level3 = badge('level-3', all(prerequisite('level-2'), minPercent(QUIZ2.id, 80)), { name: 'Level 3' });
const course = snapshot({ members: [member('ada')], lineItems: [QUIZ1, QUIZ2], results: [result(QUIZ1.id, 'ada', 9), result(QUIZ2.id, 'ada', 9)] });

describe('a stack of badges', () => {
  it('is evaluated in dependency order, whatever order the badges come in', () => {
    expect(dependencyOrder([level3, level1, level2]).map((b) => b.id)).toEqual(['level-1', 'level-2', 'level-3']);
  });

  it('is climbed in one pass: all three levels earned at once', () => {
    const verdicts = run([level3, level2, level1], course);
    expect(verdicts.map((v) => [v.badgeId, v.earned, v.awaitingApproval])).toEqual([
      ['level-1', true, false], ['level-2', true, false], ['level-3', true, false],
    ]);
    expect(verdictOf(verdicts, 'level-2', 'ada').reason.children?.[0]).toMatchObject({ kind: 'prerequisite', met: true, seen: 'earned in this run', threshold: 'Level 1', text: 'Level 1: earned in this run' });
  });

  it('builds on a badge already held', () => {
    const verdicts = run([level1, level2], course, { held: [{ badgeId: 'level-1', userId: 'ada' }] });
    expect(verdictOf(verdicts, 'level-1', 'ada')).toMatchObject({ earned: true, alreadyAwarded: true, awaitingApproval: false });
    expect(verdictOf(verdicts, 'level-2', 'ada').reason.children?.[0]).toMatchObject({ met: true, text: 'Level 1: held' });
  });

  it('waits above a middle badge in approval mode until an instructor approves it', () => {
    const gated = { ...level2, issueMode: 'approval' as const };
    const waiting = run([level1, gated, level3], course);
    expect(waiting.map((v) => [v.badgeId, v.earned, v.awaitingApproval])).toEqual([
      ['level-1', true, false], ['level-2', true, true], ['level-3', false, false],
    ]);
    expect(verdictOf(waiting, 'level-3', 'ada').reason.children?.[0]).toMatchObject({ met: false, text: "Level 2: earned, awaiting an instructor's approval" });

    // Once approved, the award is held, and the next run earns Level 3.
    const held = [{ badgeId: 'level-1', userId: 'ada' }, { badgeId: 'level-2', userId: 'ada' }];
    const approved = run([level1, gated, level3], course, { held });
    expect(approved.map((v) => [v.badgeId, v.earned, v.awaitingApproval, v.alreadyAwarded])).toEqual([
      ['level-1', true, false, true], ['level-2', true, false, true], ['level-3', true, false, false],
    ]);
  });

  it('stops at the first level not met', () => {
    const weaker = snapshot({ ...course, results: [result(QUIZ1.id, 'ada', 6), result(QUIZ2.id, 'ada', 10)] });
    expect(run([level1, level2, level3], weaker).map((v) => v.earned)).toEqual([true, false, false]);
  });

  it('cannot be ordered when badges require each other', () => {
    const loop = badge('level-1', all(prerequisite('level-2')), { name: 'Level 1' });
    expect(() => dependencyOrder([loop, level2])).toThrow(PrerequisiteCycleError);
    expect(() => dependencyOrder([loop, level2])).toThrow('Level 1 → Level 2 → Level 1');
  });
});
