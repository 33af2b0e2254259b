/**
 * Where a course's learners stand on each badge as of one evaluation, learner by learner:
 * earned (or held), in progress (started: some of their work shows, or a condition is met),
 * not started. Learners left out of evaluation (inactive, withdrawn) are not counted. The
 * dashboard counts from these lists and the awards as they are now (figuresOf), so its figures
 * are one reading of one set of learners and always add up.
 */
import type { Reason, Verdict } from './verdict.js';

export interface BadgeStanding { earned: string[]; inProgress: string[]; notStarted: string[] }

/**
 * The learner has started on the badge: a condition is met, or their work shows even where it
 * falls short (a grade under the bar, an item of an average graded). Today inside a date window
 * is nothing the learner did.
 */
export function hasStarted(r: Reason): boolean {
  if (r.children?.length) return r.children.some(hasStarted);
  switch (r.kind) {
    case 'dateWindow': return false;
    case 'minGrade': return r.met || typeof r.seen === 'number' || r.sentence === 'no maximum';
    case 'average': return r.met || (r.details?.items?.length ?? 0) > (r.details?.gaps ?? []).reduce((n, g) => n + g.count, 0);
    default: return r.met;
  }
}

export function standingOf(verdicts: Verdict[]): Record<string, BadgeStanding> {
  const out: Record<string, BadgeStanding> = {};
  for (const v of verdicts) {
    if (v.excluded) continue;
    const s = (out[v.badgeId] ??= { earned: [], inProgress: [], notStarted: [] });
    if (v.earned || v.alreadyAwarded) s.earned.push(v.userId);
    else if (hasStarted(v.reason)) s.inProgress.push(v.userId);
    else s.notStarted.push(v.userId);
  }
  return out;
}

export interface BadgeFigures { learners: number; earned: number; pending: number; revoked: number; inProgress: number; notStarted: number }

/**
 * The dashboard's counts for one badge: the learners of the evaluation, each counted once, by
 * their award as it is now (held, waiting for approval, revoked) or else by where the
 * evaluation found them. Someone it found earning who holds nothing now has started.
 */
export function figuresOf(standing: BadgeStanding, awardStatus: ReadonlyMap<string, 'awarded' | 'pending' | 'revoked'>): BadgeFigures {
  const f: BadgeFigures = { learners: 0, earned: 0, pending: 0, revoked: 0, inProgress: 0, notStarted: 0 };
  const count = (ids: string[], otherwise: 'inProgress' | 'notStarted') => {
    for (const id of ids) {
      f.learners++;
      const status = awardStatus.get(id);
      if (status === 'awarded') f.earned++;
      else if (status) f[status]++;
      else f[otherwise]++;
    }
  };
  count(standing.earned, 'inProgress');
  count(standing.inProgress, 'inProgress');
  count(standing.notStarted, 'notStarted');
  return f;
}

/** A stored standing of this shape; those stored before it held counts, not learners, and are read as none. */
export function isBadgeStanding(v: unknown): v is BadgeStanding {
  const s = v as Partial<BadgeStanding> | undefined;
  return !!s && Array.isArray(s.earned) && Array.isArray(s.inProgress) && Array.isArray(s.notStarted);
}
