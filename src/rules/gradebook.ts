/**
 * A learner's grade on one line item, as the snapshot reports it.
 */
import type { CourseSnapshot, Result } from './snapshot.js';

export type Grade =
  /** The line item is not in the snapshot: deleted in the LMS since the badge was defined. */
  | { kind: 'missing' }
  /** No result, or a result without a score (not graded yet, excused, pending). */
  | { kind: 'ungraded'; label: string }
  /** `maximum` is the result's own maximum, else the line item's scoreMaximum; it may be 0. */
  | { kind: 'scored'; label: string; score: number; maximum: number };

export type GradeLookup = (lineItemId: string, userId: string) => Grade;

const keyOf = (lineItemId: string, userId: string) => `${lineItemId}\u0000${userId}`;

export function gradeLookup(snapshot: CourseSnapshot): GradeLookup {
  const lineItems = new Map(snapshot.lineItems.map((li) => [li.id, li]));
  const results = new Map<string, Result>();
  for (const r of snapshot.results) {
    // Should the LMS report two results for one learner and column, the higher score counts,
    // whatever order they came in.
    const key = keyOf(r.lineItemId, r.userId);
    const other = results.get(key);
    if (!other || (r.resultScore ?? -Infinity) > (other.resultScore ?? -Infinity)) results.set(key, r);
  }
  return (lineItemId, userId) => {
    const lineItem = lineItems.get(lineItemId);
    if (!lineItem) return { kind: 'missing' };
    const result = results.get(keyOf(lineItemId, userId));
    // `== null`: a JSON result may carry resultScore: null.
    if (result?.resultScore == null) return { kind: 'ungraded', label: lineItem.label };
    return { kind: 'scored', label: lineItem.label, score: result.resultScore, maximum: result.resultMaximum ?? lineItem.scoreMaximum };
  };
}

/** The score as a percent of its maximum; undefined when the column has no maximum (0). */
export function percentOf(grade: { score: number; maximum: number }): number | undefined {
  return grade.maximum > 0 ? (grade.score / grade.maximum) * 100 : undefined;
}
