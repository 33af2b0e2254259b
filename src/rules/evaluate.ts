/**
 * One evaluation run: every badge against every learner of a course snapshot, with reasons.
 * Evaluation never takes an award back: it only says who now meets the rules, and for an award
 * in the last days of its credential, whether it is renewed.
 */
import type { BadgeDefinition } from './badge.js';
import type { CourseSnapshot, Member } from './snapshot.js';
import type { Approval, HeldBadge, RevokedBadge, Verdict } from './verdict.js';
import { audienceOf } from './audience.js';
import { completionLookup, gradeLookup } from './gradebook.js';
import { compareIds, dependencyOrder } from './order.js';
import { reasonFor, type Standing } from './reason.js';
import { expiryState, renewalOpens, renewalRules } from './renewal.js';

export interface EvaluationInput {
  badges: BadgeDefinition[];
  snapshot: CourseSnapshot;
  held: HeldBadge[];
  approvals: Approval[];
  /** Awards revoked: never earned again by the rules. */
  revoked?: RevokedBadge[];
  /** Only these learners (a learner's launch); absent: every learner of the course. */
  userIds?: string[];
  /**
   * Canvas's Test Student, evaluated as a learner would be for the preview of the learner page
   * they see in Student View; never a learner otherwise (the caller applies none of it).
   */
  preview?: string;
}

const EXCLUDED: Record<Member['status'], string | undefined> = {
  Active: undefined,
  Inactive: 'inactive in the course',
  Deleted: 'removed from the course',
};

/** A learner, or the Test Student whose preview this is. */
function evaluated(m: Member, preview: string | undefined): boolean {
  const audience = audienceOf(m.roles);
  return audience === 'learner' || (audience === 'test-student' && m.userId === preview);
}

const keyOf = (badgeId: string, userId: string) => `${badgeId}\u0000${userId}`;

/**
 * One verdict per (badge, learner): badges in dependency order then by id, learners by userId.
 * Throws PrerequisiteCycleError when badges require each other (validation rejects that first).
 */
export function evaluate(input: EvaluationInput): Verdict[] {
  const { snapshot } = input;
  const only = input.userIds && new Set(input.userIds);
  const staff = new Set(snapshot.staff ?? []);
  const learners = snapshot.members
    .filter((m) => evaluated(m, input.preview) && !staff.has(m.userId) && (!only || only.has(m.userId)))
    .sort((a, b) => compareIds(a.userId, b.userId));
  const badgesById = new Map(input.badges.map((b) => [b.id, b]));
  const grades = gradeLookup(snapshot);
  const completions = completionLookup(snapshot);
  const held = new Map(input.held.map((h) => [keyOf(h.badgeId, h.userId), h]));
  const approved = new Set(input.approvals.map((a) => keyOf(a.badgeId, a.userId)));
  const revoked = new Map((input.revoked ?? []).map(({ badgeId, userId, ...r }) => [keyOf(badgeId, userId), r]));
  const earnedInRun = new Map<string, Standing>();

  // A prerequisite is met by a badge held, or earned earlier in this run. A badge earned in
  // approval mode is not held until an instructor approves it, so a stack above it waits.
  const standing = (userId: string) => (badgeId: string): Standing | undefined => {
    const key = keyOf(badgeId, userId);
    return held.has(key) ? 'held' : earnedInRun.get(key);
  };

  const verdicts: Verdict[] = [];
  for (const badge of dependencyOrder(input.badges)) {
    for (const learner of learners) {
      const key = keyOf(badge.id, learner.userId);
      const context = {
        userId: learner.userId, now: snapshot.takenAt, grades, completions, sources: snapshot.sources, badgesById,
        standing: standing(learner.userId), approved: approved.has(key),
      };
      const reason = reasonFor(badge.rules, context);
      // Learners who left the course still get their reasons, so the preview can show them.
      const excluded = EXCLUDED[learner.status];
      // A revoked award is not earned again, nor does it count for a badge that requires it.
      const revocation = revoked.get(key);
      const earned = reason.met && !excluded && !revocation;
      const alreadyAwarded = held.has(key);
      const awaitingApproval = earned && badge.issueMode === 'approval' && !alreadyAwarded;
      if (earned) earnedInRun.set(key, awaitingApproval ? 'awaiting approval' : 'earned in this run');
      // A held award in the last days of its credential: the renewal rules say whether a new one is due.
      const validUntil = held.get(key)?.validUntil;
      const rules = renewalRules(badge);
      let renewal: Verdict['renewal'];
      if (rules && validUntil && expiryState(validUntil, badge.renewal, snapshot.takenAt) === 'renewable') {
        const renewalReason = rules === badge.rules ? reason : reasonFor(rules, context);
        renewal = { expires: new Date(validUntil).toISOString(), opens: renewalOpens(validUntil, badge.renewal!.windowDays).toISOString(), met: renewalReason.met && !excluded, reason: renewalReason };
      }
      verdicts.push({ badgeId: badge.id, userId: learner.userId, earned, awaitingApproval, alreadyAwarded, ...(excluded ? { excluded } : {}), ...(revocation ? { revoked: revocation } : {}), reason, ...(renewal ? { renewal } : {}) });
    }
  }
  return verdicts;
}
