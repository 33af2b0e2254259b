/**
 * The rule engine: plain data in, plain data out (no I/O, no clock, no randomness).
 */
export type { BadgeDefinition, Rule, IssueMode, Alignment } from './badge.js';
export type { CourseSnapshot, Member, MemberStatus, LineItem, Result, Source } from './snapshot.js';
export type { Verdict, Reason, ReasonSentence, ReasonDetails, HeldBadge, Approval } from './verdict.js';
export { validateBadges, validateBadge, type RuleProblem } from './validate.js';
export { dependencyOrder, prerequisitesOf, prerequisiteCycle, PrerequisiteCycleError } from './order.js';
export { evaluate, type EvaluationInput } from './evaluate.js';
export { criteriaNarrative, ENGLISH_CRITERIA, type CriteriaLanguage, type CriteriaPhrase } from './criteria.js';
