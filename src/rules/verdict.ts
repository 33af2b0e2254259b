/**
 * What evaluation says, learner by learner: earned or not, and why, rule by rule.
 */
import type { Rule } from './badge.js';
import type { LmsApiSource, SourceStatus } from './snapshot.js';

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
  /** What the sentence is about: the line item's label (its id once it left the grade book), or the required badge's name. */
  subject?: string;
  /**
   * Which of its kind's sentences `text` is, where kind, met and seen do not tell: with subject
   * and details, what a page needs to say the reason in its own language. Reasons stored before
   * it existed have only `text`.
   */
  sentence?: ReasonSentence;
  /** Values a sentence names besides seen and threshold. */
  details?: ReasonDetails;
  /** For all / any groups. */
  children?: Reason[];
}

export type ReasonSentence =
  /** The line item, or the required badge, no longer exists. */
  | 'gone'
  | 'ungraded'
  /** minGrade */
  | 'no threshold' | 'no maximum' | 'percent' | 'points'
  /** The item is read through an LMS API that was not read: details say which and why. */
  | 'unavailable'
  /** completed: the LMS's completion, or (without it) a graded result */
  | 'completed' | 'not completed' | 'graded'
  /** prerequisite: the learner's standing, or none */
  | 'held' | 'earned in this run' | 'awaiting approval' | 'not held'
  /** average */
  | 'nothing to average' | 'average'
  /** dateWindow: where today is */
  | 'before' | 'after' | 'inside' | 'unreadable';

export interface ReasonDetails {
  /** The maximum a score of points is out of, when there is one. */
  outOf?: number;
  /** The line items an average is over. */
  items?: { label: string; weight: number }[];
  /** How many items of an average gave no percent (counted as 0 %), and why. */
  gaps?: { gap: 'missing' | 'unavailable' | 'ungraded' | 'no maximum'; count: number }[];
  /** An LMS API that was not read, and its state. */
  source?: LmsApiSource;
  state?: Exclude<SourceStatus, 'read'>;
  /** A date window's ends, as the rule gives them. */
  from?: string;
  until?: string;
  /**
   * A rule bounded in time, once its grade or completion is there: how many days back it may be,
   * when the LMS says it was given (ISO 8601), and whether that is recent enough (else the rule is
   * unmet), too old, or unknown (the LMS gives no date).
   */
  withinDays?: number;
  gradedAt?: string;
  recency?: 'recent' | 'too old' | 'undated';
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
  /**
   * The learner's award of this badge was revoked: whatever the rules say now, it is not
   * earned again (an award is made once, ever), and the pages say revoked, by whom and why.
   */
  revoked?: Revocation;
  reason: Reason;
  /** Present while the learner's award is in its renewal window: whether it is renewed now, and why. */
  renewal?: RenewalVerdict;
}

/** A held award in the last days of its credential, against the badge's renewal rules. */
export interface RenewalVerdict {
  /** When the learner's current credential expires, and when its renewal window opened (ISO 8601). */
  expires: string;
  opens: string;
  /** The renewal rules are met (and the learner is active): a new credential is due. */
  met: boolean;
  reason: Reason;
}

/** What is stored of a revocation, as far as it was recorded. */
export interface Revocation { at?: Date | string; by?: string; reason?: string }

/** An award revoked: who, which badge, and the revocation. */
export interface RevokedBadge extends HeldBadge, Revocation {}

/** An award as the rules need to know it: who holds which badge. */
export interface HeldBadge {
  badgeId: string;
  userId: string;
  /** When the award's latest credential expires (ISO 8601), for a badge that may be renewed; absent: it does not expire. */
  validUntil?: string;
}

export interface Approval {
  badgeId: string;
  userId: string;
}
