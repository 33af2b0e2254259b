/**
 * A learner's grade on one line item, and their completion of one activity, as the snapshot
 * reports them.
 */
import type { Completion, CourseSnapshot, Result } from './snapshot.js';
import { byLineItemKey, lineItemKey } from './lineItemKey.js';

export type Grade =
  /** The line item is not in the snapshot: deleted in the LMS since the badge was defined. */
  | { kind: 'missing' }
  /** No result, or a result without a score (not graded yet, excused, pending). */
  | { kind: 'ungraded'; label: string }
  /** `maximum` is the result's own maximum, else the line item's scoreMaximum; it may be 0. `gradedAt` where the LMS says. */
  | { kind: 'scored'; label: string; score: number; maximum: number; gradedAt?: string };

export type GradeLookup = (lineItemId: string, userId: string) => Grade;

const keyOf = (lineItemId: string, userId: string) => `${lineItemKey(lineItemId)}\u0000${userId}`;

export function gradeLookup(snapshot: CourseSnapshot): GradeLookup {
  const lineItems = byLineItemKey(snapshot.lineItems);
  const results = new Map<string, Result>();
  for (const r of snapshot.results) {
    // Should the LMS report two results for one learner and column, the higher score counts,
    // whatever order they came in.
    const key = keyOf(r.lineItemId, r.userId);
    const other = results.get(key);
    if (!other || (r.resultScore ?? -Infinity) > (other.resultScore ?? -Infinity)) results.set(key, r);
  }
  return (lineItemId, userId) => {
    const lineItem = lineItems.get(lineItemKey(lineItemId));
    if (!lineItem) return { kind: 'missing' };
    const result = results.get(keyOf(lineItemId, userId));
    // `== null`: a JSON result may carry resultScore: null.
    if (result?.resultScore == null) return { kind: 'ungraded', label: lineItem.label };
    const scored: Grade = { kind: 'scored', label: lineItem.label, score: result.resultScore, maximum: result.resultMaximum ?? lineItem.scoreMaximum };
    if (result.gradedAt) scored.gradedAt = result.gradedAt;
    return scored;
  };
}

/** The score as a percent of its maximum; undefined when the column has no maximum (0). */
export function percentOf(grade: { score: number; maximum: number }): number | undefined {
  return grade.maximum > 0 ? (grade.score / grade.maximum) * 100 : undefined;
}

/** Undefined: the activity is not in the snapshot (no source lists it). */
export type CompletionLookup = (activityId: string, userId: string) => { label: string; completed: boolean; completedAt?: string } | undefined;

export function completionLookup(snapshot: CourseSnapshot): CompletionLookup {
  const activities = new Map((snapshot.activities ?? []).map((a) => [a.id, a]));
  const completions = new Map<string, Completion>((snapshot.completions ?? []).map((c) => [keyOf(c.activityId, c.userId), c]));
  return (activityId, userId) => {
    const activity = activities.get(activityId);
    if (!activity) return undefined;
    // No completion record for a learner: the LMS has nothing for them, so not completed.
    const completion = completions.get(keyOf(activityId, userId));
    const completed = completion?.completed === true;
    return { label: activity.label, completed, ...(completed && completion.completedAt ? { completedAt: completion.completedAt } : {}) };
  };
}
