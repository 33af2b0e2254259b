/**
 * A badge as an instructor defines it in a course, and the rules that earn it.
 * Plain data: stored by store/, evaluated by evaluate.ts, described by criteria.ts.
 */

/** A tree: `all` / `any` groups whose leaves are the conditions below. */
export type Rule =
  | { kind: 'all'; rules: Rule[] }
  | { kind: 'any'; rules: Rule[] }
  /**
   * At least this share (percent, 0–100) or these points on one line item. Exactly one of percent / points.
   * With `withinDays`, the grade counts only if it was given within the last so many days (a refresher).
   */
  | { kind: 'minGrade'; lineItemId: string; percent?: number; points?: number; withinDays?: number }
  /** The learner has a graded result (a score) on the line item; with `withinDays`, one given that recently. */
  | { kind: 'completed'; lineItemId: string; withinDays?: number }
  /** The learner holds (or earns in the same run) another badge of this course. */
  | { kind: 'prerequisite'; badgeId: string }
  /** Weighted mean of the percents on these line items (weight default 1; no result counts as 0 %) is at least `percent`. */
  | { kind: 'average'; items: { lineItemId: string; weight?: number }[]; percent: number }
  /** The badge can be earned only between these instants (ISO 8601; either may be absent). */
  | { kind: 'dateWindow'; from?: string; until?: string }
  /** An instructor approved this learner for this badge. */
  | { kind: 'approval' };

export type IssueMode = 'automatic' | 'approval';

/**
 * Renewing a badge that expires: in the last `windowDays` days of a learner's credential, a
 * learner who meets `rules` (absent: the badge's own rules, met again) gets a new credential,
 * valid for the badge's period from that day. The earlier credential stays valid until it expires.
 */
export interface Renewal {
  windowDays: number;
  rules?: Rule;
}

export interface Alignment {
  targetName: string;
  targetUrl: string;
  targetFramework?: string;
  targetCode?: string;
}

export interface BadgeDefinition {
  id: string;
  name: string;
  description: string;
  /** Generated from the rules unless the instructor wrote one. */
  criteriaNarrative?: string;
  imageUrl?: string;
  /** SHA-256 of the image the instructor uploaded (store/badgeImage); absent: Laurel draws one. */
  image?: string;
  tags: string[];
  alignments: Alignment[];
  /** Stacking: badges of one group ordered by level (1, 2, 3…). */
  group?: string;
  level?: number;
  /** ISO 8601 duration the badge stays valid after it is awarded (e.g. P2Y); absent: no expiry. */
  validFor?: string;
  /** How a badge that expires is renewed; absent: it simply ends. */
  renewal?: Renewal;
  issueMode: IssueMode;
  evidenceRequired: boolean;
  /** Also show the badge in the LMS's grade book: a "Badge: <name>" column scored when earned. */
  gradebookColumn?: boolean;
  rules: Rule;
}
