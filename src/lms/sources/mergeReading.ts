/**
 * A snapshot with an LMS API's reading added: its line items, its results and completions under
 * the roster's LTI user ids (anyone unmatched left out), and the source marked as read.
 */
import type { CourseSnapshot } from '../../rules/snapshot.js';
import type { LearnerMatch } from './matchLearners.js';
import type { SourceReading } from './reading.js';

export function mergeReading(snapshot: CourseSnapshot, reading: SourceReading, match: LearnerMatch): CourseSnapshot {
  const { source } = reading;
  const results = reading.results.flatMap((r) => {
    const userId = match.userIdOf.get(r.lmsUserId);
    return userId ? [{ lineItemId: r.lineItemId, userId, source, ...(r.resultScore !== undefined ? { resultScore: r.resultScore } : {}), ...(r.resultMaximum !== undefined ? { resultMaximum: r.resultMaximum } : {}) }] : [];
  });
  const completions = reading.completions.flatMap((c) => {
    const userId = match.userIdOf.get(c.lmsUserId);
    return userId ? [{ activityId: c.activityId, userId, completed: c.completed, source, ...(c.completedAt ? { completedAt: c.completedAt } : {}) }] : [];
  });
  return {
    ...snapshot,
    lineItems: [...snapshot.lineItems, ...reading.lineItems],
    results: [...snapshot.results, ...results],
    activities: [...(snapshot.activities ?? []), ...reading.activities],
    completions: [...(snapshot.completions ?? []), ...completions],
    sources: [...(snapshot.sources ?? []).filter((s) => s.source !== source), { source, state: 'read' }],
  };
}
