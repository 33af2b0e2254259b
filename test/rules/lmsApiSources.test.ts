/**
 * Rules over what only an LMS's own API sees: "completed" reads the LMS's completion where a
 * source reports the activity and falls back to a graded result over AGS; an item of an API
 * that was not read is never silently false: the reason and the validation say what to do.
 */
import { describe, expect, it } from 'vitest';
import { validateBadge } from '../../src/rules/index.js';
import type { Activity, LineItem, SourceState } from '../../src/rules/snapshot.js';
import { QUIZ1, adasVerdict, all, average, badge, completed, minPercent, result } from './fixtures.js';

const WEEK1: Activity = { id: 'canvas:module:101', label: 'Week 1: Foundations', source: 'canvas-rest' };
const PARTICIPATION: LineItem = { id: 'canvas:assignment:46', label: 'Participation', scoreMaximum: 10, source: 'canvas-rest' };
const read: SourceState[] = [{ source: 'canvas-rest', state: 'read' }];

describe('"completed" with the LMS\'s completion', () => {
  it('is met exactly when the source says the learner completed the activity', () => {
    const course = (done: boolean) => ({ activities: [WEEK1], completions: [{ activityId: WEEK1.id, userId: 'ada', completed: done, source: 'canvas-rest' as const }], sources: read });
    expect(adasVerdict(completed(WEEK1.id), [], course(true)).reason).toMatchObject({ met: true, sentence: 'completed', text: 'Week 1: Foundations: completed' });
    expect(adasVerdict(completed(WEEK1.id), [], course(false)).reason).toMatchObject({ met: false, sentence: 'not completed', text: 'Week 1: Foundations: not completed yet' });
    // No record for the learner at all: the LMS has no completion for them.
    expect(adasVerdict(completed(WEEK1.id), [], { ...course(true), completions: [] }).reason.met).toBe(false);
  });

  it('falls back to a graded result where no source reports completion (AGS)', () => {
    expect(adasVerdict(completed(QUIZ1.id), [result(QUIZ1.id, 'ada', 0)]).reason).toMatchObject({ met: true, sentence: 'graded' });
  });

  it('reads grades of an ordinary assignment the REST source sees like any line item', () => {
    const v = adasVerdict(minPercent(PARTICIPATION.id, 80), [{ lineItemId: PARTICIPATION.id, userId: 'ada', resultScore: 8.5, source: 'canvas-rest' }], { lineItems: [PARTICIPATION], sources: read });
    expect(v.reason).toMatchObject({ met: true, subject: 'Participation' });
  });
});

describe('an item of an LMS API that was not read', () => {
  it('says which connection, its state, and what to do, and is unmet', () => {
    for (const [state, todo] of [['not connected', 'an administrator connects it on Laurel\'s admin page'], ['not authorized', 'an instructor clicks "Connect Canvas"'], ['needs reconnect', 'which Canvas refused'], ['failed', 'could not be read in the last run']] as const) {
      const v = adasVerdict(minPercent(PARTICIPATION.id, 50), [], { sources: [{ source: 'canvas-rest', state }] });
      expect(v.earned).toBe(false);
      expect(v.reason).toMatchObject({ met: false, sentence: 'unavailable', subject: 'Canvas assignment 46', details: { source: 'canvas-rest', state } });
      expect(v.reason.text).toContain(todo);
    }
    // No state at all for the source: the platform never connected it.
    expect(adasVerdict(completed('moodle:cm:42'), []).reason).toMatchObject({ sentence: 'unavailable', details: { source: 'moodle-ws', state: 'not connected' } });
  });

  it('counts as a gap of its own in an average', () => {
    const v = adasVerdict(average(40, { lineItemId: QUIZ1.id }, { lineItemId: PARTICIPATION.id }), [result(QUIZ1.id, 'ada', 9)]);
    expect(v.reason.details?.gaps).toEqual([{ gap: 'unavailable', count: 1 }]);
    expect(v.reason.text).toContain('1 of 2 read through an LMS connection that was not read');
  });

  it('is reported by validation with what to do, and accepted once the source lists it', () => {
    const b = badge('b', all(completed(WEEK1.id), minPercent(PARTICIPATION.id, 50)));
    const unread = validateBadge(b, [b], [QUIZ1], { sources: [{ source: 'canvas-rest', state: 'not authorized' }] });
    expect(unread.map((p) => p.code)).toEqual(['rule.sourceNotRead', 'rule.sourceNotRead']);
    expect(unread[0]!.message).toBe('Canvas module 101 is read through the Canvas connection, which no instructor of this course has authorized yet: an instructor clicks "Connect Canvas" on Laurel\'s course page');
    expect(validateBadge(b, [b], [QUIZ1, PARTICIPATION], { activities: [WEEK1], sources: read })).toEqual([]);
    // An activity is something to complete, not a grade to reach.
    expect(validateBadge(badge('m', minPercent(WEEK1.id, 50)), [], [QUIZ1], { activities: [WEEK1], sources: read }).map((p) => p.code)).toEqual(['rule.unknownLineItem']);
  });
});
