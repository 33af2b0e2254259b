/**
 * What evaluation says, learner by learner: earned or not, and why, rule by rule.
 */
import type { Rule } from './badge.js';

/** The reason for one node of the rule tree. */
export interface Reason {
  kind: Rule['kind'];
  met: boolean;
  /** What was seen: a percent, points, a date, a badge name… (null when nothing was there). */
  seen?: number | string | null;
  /** What was needed. */
  threshold?: number | string;
  /** One sentence a person reads, e.g. "Quiz 2: 72 % of the 80 % needed". */
  text: string;
  /** For all / any groups. */
  children?: Reason[];
}

export interface Verdict {
  badgeId: string;
  userId: string;
  /** The rules are met (and the learner is active). */
  earned: boolean;
  /** Earned, but the badge is issued in approval mode: waits for an instructor. */
  awaitingApproval: boolean;
  /** The learner already holds the badge (awards are never taken back by evaluation). */
  alreadyAwarded: boolean;
  /** Why a learner is not evaluated at all, e.g. "inactive in the course". */
  excluded?: string;
  reason: Reason;
}

/** An award as the rules need to know it: who holds which badge. */
export interface HeldBadge {
  badgeId: string;
  userId: string;
}

export interface Approval {
  badgeId: string;
  userId: string;
}
