/**
 * Renewing a badge that expires, as the rule engine sees it: in the last days of a learner's
 * credential (the renewal window), the renewal rules, or the badge's own met again, say whether a
 * new credential is due; before the window and after expiry nothing is. A refresher "within the
 * last 90 days" counts a grade only as recent as that, by the date the LMS gives it. Time is the
 * snapshot's: the tests move it, nothing waits.
 */
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../src/rules/badge.js';
import { evaluate, validateBadge } from '../../src/rules/index.js';
import { expiryState, renewalOpens } from '../../src/rules/renewal.js';
import { QUIZ1, QUIZ2, badge, completed, lineItem, member, minPercent, result, snapshot, verdictOf } from './fixtures.js';

const REFRESHER = lineItem('https://lms.example/lineitems/r', 'Refresher quiz');
/** Ada holds it until the end of 2026; the window opens 60 days before. */
const EXPIRES = '2026-12-31T00:00:00.000Z';
const refresher: Rule = { kind: 'minGrade', lineItemId: REFRESHER.id, percent: 70, withinDays: 90 };

function renewalOf(opts: { now: string; rules?: Rule; results?: ReturnType<typeof result>[]; status?: 'Active' | 'Inactive'; validUntil?: string }) {
  const b = badge('safety', minPercent(QUIZ1.id, 50), { validFor: 'P1Y', renewal: { windowDays: 60, ...(opts.rules ? { rules: opts.rules } : {}) } });
  const verdicts = evaluate({
    badges: [b],
    snapshot: snapshot({ takenAt: opts.now, members: [member('ada', undefined, opts.status)], lineItems: [QUIZ1, QUIZ2, REFRESHER], results: opts.results ?? [result(QUIZ1.id, 'ada', 9)] }),
    held: [{ badgeId: 'safety', userId: 'ada', validUntil: opts.validUntil ?? EXPIRES }],
    approvals: [],
  });
  return verdictOf(verdicts, 'safety', 'ada').renewal;
}

describe('the renewal window', () => {
  it('opens the given days before the credential expires and closes when it expires (lapsed from then)', () => {
    expect(renewalOpens(EXPIRES, 60).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    const renewal = { windowDays: 60 };
    expect(expiryState(EXPIRES, renewal, '2026-10-31T23:59:59Z')).toBe('valid');
    expect(expiryState(EXPIRES, renewal, '2026-11-01T00:00:00Z')).toBe('renewable');
    expect(expiryState(EXPIRES, renewal, '2026-12-30T23:59:59Z')).toBe('renewable');
    expect(expiryState(EXPIRES, renewal, EXPIRES)).toBe('lapsed');
    // A badge that is not renewed has no window: valid, then lapsed.
    expect(expiryState(EXPIRES, undefined, '2026-12-30T00:00:00Z')).toBe('valid');
  });

  it('inside it, the badge\'s own rules met again renew it, with the window and the reasons', () => {
    const renewal = renewalOf({ now: '2026-11-23T10:00:00Z' });
    expect(renewal).toMatchObject({ met: true, expires: EXPIRES, opens: '2026-11-01T00:00:00.000Z' });
    expect(renewal!.reason.text).toBe('Quiz 1: 90 % of the 50 % needed');
  });

  it('inside it, rules no longer met renew nothing, and say why', () => {
    const renewal = renewalOf({ now: '2026-11-23T10:00:00Z', results: [result(QUIZ1.id, 'ada', 3)] });
    expect(renewal?.met).toBe(false);
    expect(renewal!.reason.text).toBe('Quiz 1: 30 % of the 50 % needed');
  });

  it('before it opens and once the credential has expired, there is nothing to renew', () => {
    expect(renewalOf({ now: '2026-10-31T10:00:00Z' })).toBeUndefined();
    expect(renewalOf({ now: '2027-01-02T10:00:00Z' })).toBeUndefined();
  });

  it('a learner no longer active in the course is not renewed', () => {
    expect(renewalOf({ now: '2026-11-23T10:00:00Z', status: 'Inactive' })?.met).toBe(false);
  });

  it('an award the rules are given no end for (a badge that does not expire, or is not renewed) has no renewal', () => {
    const verdicts = evaluate({
      badges: [badge('plain', minPercent(QUIZ1.id, 50), { validFor: 'P1Y' })],
      snapshot: snapshot({ members: [member('ada')], lineItems: [QUIZ1], results: [result(QUIZ1.id, 'ada', 9)] }),
      held: [{ badgeId: 'plain', userId: 'ada' }], approvals: [],
    });
    expect(verdictOf(verdicts, 'plain', 'ada').renewal).toBeUndefined();
  });
});

describe('renewal rules of their own: a refresher within the last 90 days', () => {
  const now = '2026-11-23T10:00:00Z';

  it('renews with a refresher graded within the last 90 days, by the date the LMS gives the grade', () => {
    const renewal = renewalOf({ now, rules: refresher, results: [{ ...result(REFRESHER.id, 'ada', 8), gradedAt: '2026-09-01T09:00:00Z' }] });
    expect(renewal?.met).toBe(true);
    expect(renewal!.reason.text).toBe('Refresher quiz: 80 % of the 70 % needed, on 2026-09-01, within the last 90 days');
  });

  it('does not renew on the same refresher graded longer ago, however good the grade', () => {
    const renewal = renewalOf({ now, rules: refresher, results: [{ ...result(REFRESHER.id, 'ada', 10), gradedAt: '2026-08-24T09:00:00Z' }] });
    expect(renewal?.met).toBe(false);
    expect(renewal!.reason).toMatchObject({ met: false, details: { recency: 'too old', gradedAt: '2026-08-24T09:00:00.000Z', withinDays: 90 } });
  });

  it('does not renew when the LMS gives no date for the grade (Canvas over AGS), and says so', () => {
    const renewal = renewalOf({ now, rules: refresher, results: [result(REFRESHER.id, 'ada', 10)] });
    expect(renewal?.met).toBe(false);
    expect(renewal!.reason.text).toBe('Refresher quiz: 100 % of the 70 % needed, but the LMS does not say when (needed within the last 90 days)');
  });

  it('a completion counts by the date the LMS says it was completed', () => {
    const week = { id: 'canvas:module:9', label: 'Safety week', source: 'canvas-rest' as const };
    const b = badge('safety', minPercent(QUIZ1.id, 50), { validFor: 'P1Y', renewal: { windowDays: 60, rules: { kind: 'completed', lineItemId: week.id, withinDays: 30 } } });
    const run = (completedAt: string) => verdictOf(evaluate({
      badges: [b],
      snapshot: snapshot({ takenAt: now, members: [member('ada')], lineItems: [QUIZ1], results: [result(QUIZ1.id, 'ada', 9)], activities: [week], sources: [{ source: 'canvas-rest', state: 'read' }],
        completions: [{ activityId: week.id, userId: 'ada', completed: true, completedAt, source: 'canvas-rest' }] }),
      held: [{ badgeId: 'safety', userId: 'ada', validUntil: EXPIRES }], approvals: [],
    }), 'safety', 'ada').renewal!;
    expect(run('2026-11-01T00:00:00Z').met).toBe(true);
    expect(run('2026-10-01T00:00:00Z').met).toBe(false);
  });

  it('the first award is judged by the badge\'s rules alone, not the renewal\'s', () => {
    const b = badge('safety', completed(QUIZ2.id), { validFor: 'P1Y', renewal: { windowDays: 60, rules: refresher } });
    const verdicts = evaluate({ badges: [b], snapshot: snapshot({ members: [member('bob')], lineItems: [QUIZ2, REFRESHER], results: [result(QUIZ2.id, 'bob', 5)] }), held: [], approvals: [] });
    expect(verdictOf(verdicts, 'safety', 'bob')).toMatchObject({ earned: true });
    expect(verdictOf(verdicts, 'safety', 'bob').renewal).toBeUndefined();
  });
});

describe('checking a renewal as the editor and the API do', () => {
  const check = (extra: Parameters<typeof badge>[2]) => validateBadge(badge('b', minPercent(QUIZ1.id, 50), extra), [], [QUIZ1, REFRESHER]).map((p) => `${p.path}: ${p.code}`);

  it('accepts a badge that expires with a window shorter than its validity, renewed by its rules or its own', () => {
    expect(check({ validFor: 'P1Y', renewal: { windowDays: 60 } })).toEqual([]);
    expect(check({ validFor: 'P2Y', renewal: { windowDays: 90, rules: refresher } })).toEqual([]);
  });

  it('points at what cannot be: no expiry, a window as long as the validity, an approval, a refresher of no whole days', () => {
    expect(check({ renewal: { windowDays: 60 } })).toEqual(['renewal: rule.renewalNoExpiry']);
    expect(check({ validFor: 'P2M', renewal: { windowDays: 60 } })).toEqual(['renewal.windowDays: rule.renewalWindowTooLong']);
    expect(check({ validFor: 'P1Y', renewal: { windowDays: 60, rules: { kind: 'all', rules: [refresher, { kind: 'approval' }] } } })).toEqual(['renewal.rules.rules[1]: rule.renewalApproval']);
    expect(check({ validFor: 'P1Y', renewal: { windowDays: 60, rules: { ...refresher, withinDays: 0 } as Rule } })).toEqual(['renewal.rules: rule.withinDays']);
  });
});
