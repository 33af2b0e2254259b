/**
 * Who is who between the LTI roster and an LMS API: by the LMS user id Laurel knows (a launch),
 * else by a unique SIS id; anyone ambiguous or missing on either side is reported, never guessed.
 */
import { describe, expect, it } from 'vitest';
import { matchLearners } from '../../src/lms/sources/matchLearners.js';
import { mergeReading } from '../../src/lms/sources/mergeReading.js';
import { sisIdText } from '../../src/lms/read.js';
import type { Member } from '../../src/rules/snapshot.js';
import { LEARNER, INSTRUCTOR, snapshot } from '../rules/fixtures.js';

const m = (userId: string, sourcedId?: string, o: Partial<Member> = {}): Member => ({ userId, status: 'Active', roles: [LEARNER], source: 'nrps', ...(sourcedId ? { sourcedId } : {}), ...o });
const l = (lmsUserId: string, sisId?: string) => ({ lmsUserId, status: 'Active' as const, ...(sisId ? { sisId } : {}) });

describe('matching learners', () => {
  it('uses the LMS id a launch taught Laurel first, then a unique SIS id', () => {
    const match = matchLearners([m('ada', 'S1'), m('bob', 'S2'), m('teacher', 'T1', { roles: [INSTRUCTOR] })], [l('101', 'S9'), l('102', 'S2')], new Map([['ada', '101']]));
    expect([...match.userIdOf]).toEqual([['101', 'ada'], ['102', 'bob']]);
    expect(match.unmatchedMembers).toEqual([]);
    expect(match.unmatchedLearners).toEqual([]);
  });

  it('reports a roster learner the API does not list, and an API learner the roster does not have', () => {
    const match = matchLearners([m('ada', 'S1'), m('cy')], [l('101', 'S1'), l('103', 'S3')], new Map());
    expect(match.unmatchedMembers.map((x) => x.userId)).toEqual(['cy']);
    expect(match.unmatchedLearners.map((x) => x.lmsUserId)).toEqual(['103']);
  });

  it('gives nobody grades when two roster learners point at one LMS user, or an SIS id is shared', () => {
    const twice = matchLearners([m('ada', 'S1'), m('eve', 'S1')], [l('101', 'S1')], new Map());
    expect(twice.userIdOf.size).toBe(0);
    expect(twice.unmatchedMembers.map((x) => x.userId).sort()).toEqual(['ada', 'eve']);
    const shared = matchLearners([m('ada', 'S1')], [l('101', 'S1'), l('102', 'S1')], new Map());
    expect(shared.userIdOf.size).toBe(0);
  });

  it('takes an SIS id Canvas left unsubstituted ("$Person.sourcedId", the user has none) as absent, on either side', () => {
    // Canvas expands a variable only where its guard passes and leaves the literal text otherwise
    // (canvas-lms lib/lti/variable_expander.rb): the literal names nobody, it must not match anyone.
    const both = matchLearners([m('ada', '$Person.sourcedId')], [l('101', '$Person.sourcedId')], new Map());
    expect(both.userIdOf.size).toBe(0);
    expect(both.unmatchedMembers.map((x) => x.userId)).toEqual(['ada']);
    const real = matchLearners([m('ada', '$Person.sourcedId'), m('bob', 'S2')], [l('101', '$Person.sourcedId'), l('102', 'S2')], new Map([['ada', '101']]));
    expect([...real.userIdOf]).toEqual([['101', 'ada'], ['102', 'bob']]);
    expect(sisIdText('$Person.sourcedId')).toBeUndefined();
    expect(sisIdText('$User.sourcedId')).toBeUndefined();
    expect(sisIdText(' ')).toBeUndefined();
    expect(sisIdText('S$1')).toBe('S$1');
    expect(sisIdText('$1000')).toBe('$1000');
  });

  it('does not report learners who left the course: they are not evaluated', () => {
    expect(matchLearners([m('gone', undefined, { status: 'Deleted' })], [], new Map()).unmatchedMembers).toEqual([]);
  });

  it('merges only matched learners\' data, under their LTI user ids', () => {
    const reading = {
      source: 'canvas-rest' as const,
      lineItems: [{ id: 'canvas:assignment:46', label: 'Participation', scoreMaximum: 10, source: 'canvas-rest' as const }],
      results: [{ lineItemId: 'canvas:assignment:46', lmsUserId: '101', resultScore: 9 }, { lineItemId: 'canvas:assignment:46', lmsUserId: '999', resultScore: 10 }],
      activities: [{ id: 'canvas:module:100', label: 'Week 1', source: 'canvas-rest' as const }],
      completions: [{ activityId: 'canvas:module:100', lmsUserId: '101', completed: true }, { activityId: 'canvas:module:100', lmsUserId: '999', completed: true }],
      learners: [l('101'), l('999')],
    };
    const merged = mergeReading(snapshot({ members: [m('ada')] }), reading, matchLearners([m('ada')], reading.learners, new Map([['ada', '101']])));
    expect(merged.results).toEqual([{ lineItemId: 'canvas:assignment:46', userId: 'ada', resultScore: 9, source: 'canvas-rest' }]);
    expect(merged.completions).toEqual([{ activityId: 'canvas:module:100', userId: 'ada', completed: true, source: 'canvas-rest' }]);
    expect(merged.sources).toEqual([{ source: 'canvas-rest', state: 'read' }]);
  });
});
