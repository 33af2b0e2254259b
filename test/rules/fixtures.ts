/**
 * Small courses for the rule engine's tests: a few line items, a few learners, a few badges.
 */
import type { BadgeDefinition, Rule } from '../../src/rules/badge.js';
import type { CourseSnapshot, LineItem, Member, MemberStatus, Result } from '../../src/rules/snapshot.js';
import type { Approval, HeldBadge, Verdict } from '../../src/rules/verdict.js';
import { evaluate } from '../../src/rules/index.js';

export const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
export const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';
export const TA = 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant';

export function lineItem(id: string, label: string, scoreMaximum = 10): LineItem {
  return { id, label, scoreMaximum, source: 'ags' };
}

export function member(userId: string, roles: string[] = [LEARNER], status: MemberStatus = 'Active'): Member {
  return { userId, status, roles, source: 'nrps' };
}

export function result(lineItemId: string, userId: string, resultScore?: number, resultMaximum?: number): Result {
  return { lineItemId, userId, source: 'ags', ...(resultScore !== undefined ? { resultScore } : {}), ...(resultMaximum !== undefined ? { resultMaximum } : {}) };
}

export function snapshot(parts: Partial<CourseSnapshot>): CourseSnapshot {
  return { takenAt: '2026-11-23T10:00:00Z', members: [], lineItems: [], results: [], ...parts };
}

export function badge(id: string, rules: Rule, extra: Partial<BadgeDefinition> = {}): BadgeDefinition {
  return { id, name: id, description: '', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false, rules, ...extra };
}

export const all = (...rules: Rule[]): Rule => ({ kind: 'all', rules });
export const any = (...rules: Rule[]): Rule => ({ kind: 'any', rules });
export const minPercent = (lineItemId: string, percent: number): Rule => ({ kind: 'minGrade', lineItemId, percent });
export const minPoints = (lineItemId: string, points: number): Rule => ({ kind: 'minGrade', lineItemId, points });
export const completed = (lineItemId: string): Rule => ({ kind: 'completed', lineItemId });
export const prerequisite = (badgeId: string): Rule => ({ kind: 'prerequisite', badgeId });
export const average = (percent: number, ...items: { lineItemId: string; weight?: number }[]): Rule => ({ kind: 'average', items, percent });
export const dateWindow = (from?: string, until?: string): Rule => ({ kind: 'dateWindow', ...(from ? { from } : {}), ...(until ? { until } : {}) });
export const approval = (): Rule => ({ kind: 'approval' });

/** A course with two quizzes and a lab, each out of 10. */
export const QUIZ1 = lineItem('https://lms.example/lineitems/1', 'Quiz 1');
export const QUIZ2 = lineItem('https://lms.example/lineitems/2', 'Quiz 2');
export const LAB = lineItem('https://lms.example/lineitems/3', 'Lab: Safety');

export function run(badges: BadgeDefinition[], course: CourseSnapshot, more: { held?: HeldBadge[]; approvals?: Approval[]; userIds?: string[] } = {}): Verdict[] {
  return evaluate({ badges, snapshot: course, held: more.held ?? [], approvals: more.approvals ?? [], ...(more.userIds ? { userIds: more.userIds } : {}) });
}

/** The one verdict for a badge and a learner (fails the test when there is none). */
export function verdictOf(verdicts: Verdict[], badgeId: string, userId: string): Verdict {
  const found = verdicts.find((v) => v.badgeId === badgeId && v.userId === userId);
  if (!found) throw new Error(`no verdict for ${badgeId} / ${userId}`);
  return found;
}

/** Ada's verdict on one badge with these rules, in the course of Quiz 1, Quiz 2 and the lab. */
export function adasVerdict(rules: Rule, results: Result[], course: Partial<CourseSnapshot> = {}): Verdict {
  const verdicts = run([badge('b', rules)], snapshot({ members: [member('ada')], lineItems: [QUIZ1, QUIZ2, LAB], results, ...course }));
  return verdictOf(verdicts, 'b', 'ada');
}
