/**
 * Where a course's learners stand on each badge, for the instructor's counts: earned (or held),
 * in progress (some condition met), not started (none met). Learners left out of evaluation
 * (inactive, withdrawn) are not counted.
 */
import type { Reason, Verdict } from './verdict.js';

export interface BadgeStanding { earned: number; inProgress: number; notStarted: number }

function someConditionMet(r: Reason): boolean {
  return r.children?.length ? r.children.some(someConditionMet) : r.met;
}

export function standingOf(verdicts: Verdict[]): Record<string, BadgeStanding> {
  const out: Record<string, BadgeStanding> = {};
  for (const v of verdicts) {
    if (v.excluded) continue;
    const s = (out[v.badgeId] ??= { earned: 0, inProgress: 0, notStarted: 0 });
    if (v.earned || v.alreadyAwarded) s.earned++;
    else if (someConditionMet(v.reason)) s.inProgress++;
    else s.notStarted++;
  }
  return out;
}
