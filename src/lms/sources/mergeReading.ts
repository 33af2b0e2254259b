/**
 * A snapshot with an LMS API's reading added: its line items, its results and completions under
 * the roster's LTI user ids (anyone unmatched left out), the names the LTI roster hid (an LMS
 * may share no names over LTI and still list them in its API), and the source marked as read.
 */
import type { Completion, CourseSnapshot, Member, Result } from '../../rules/snapshot.js';
import { memberName } from '../../rules/memberName.js';
import type { LearnerMatch } from './matchLearners.js';
import type { SourceReading } from './reading.js';

export function mergeReading(snapshot: CourseSnapshot, reading: SourceReading, match: LearnerMatch): CourseSnapshot {
  const { source } = reading;
  // Built one by one, not spread: a large course's API has tens of thousands of each.
  const results: Result[] = [];
  for (const r of reading.results) {
    const userId = match.userIdOf.get(r.lmsUserId);
    if (!userId) continue;
    const merged: Result = { lineItemId: r.lineItemId, userId, source };
    if (r.resultScore !== undefined) merged.resultScore = r.resultScore;
    if (r.resultMaximum !== undefined) merged.resultMaximum = r.resultMaximum;
    if (r.gradedAt !== undefined) merged.gradedAt = r.gradedAt;
    results.push(merged);
  }
  const completions: Completion[] = [];
  for (const c of reading.completions) {
    const userId = match.userIdOf.get(c.lmsUserId);
    if (!userId) continue;
    const merged: Completion = { activityId: c.activityId, userId, completed: c.completed, source };
    if (c.completedAt) merged.completedAt = c.completedAt;
    completions.push(merged);
  }
  return {
    ...snapshot,
    members: namedMembers(snapshot.members, reading, match),
    lineItems: [...snapshot.lineItems, ...reading.lineItems],
    results: [...snapshot.results, ...results],
    activities: [...(snapshot.activities ?? []), ...reading.activities],
    completions: [...(snapshot.completions ?? []), ...completions],
    sources: [...(snapshot.sources ?? []).filter((s) => s.source !== source), { source, state: 'read' }],
  };
}

/** The roster, each member without a name given the one the API lists for them (when matched). */
export function namedMembers(members: Member[], reading: SourceReading, match: LearnerMatch): Member[] {
  const nameOf = new Map(reading.learners.flatMap((l) => {
    const userId = match.userIdOf.get(l.lmsUserId);
    return userId && l.name ? [[userId, l.name] as const] : [];
  }));
  return members.map((m) => (memberName(m) || !nameOf.has(m.userId) ? m : { ...m, name: nameOf.get(m.userId) }));
}
