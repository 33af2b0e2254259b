/**
 * Renewing badges that expire, where evaluation applies its verdicts: a held award in its
 * renewal window whose renewal rules are met becomes a renewal (store/renewal.ts), then a new
 * credential when the course's credentials are issued. One renewal per award and period however
 * many evaluations run at once: the renewal's key is inserted once, and the award then notes it,
 * so the next window is counted from the new credential's end.
 */
import type { BadgeDefinition } from '../rules/badge.js';
import type { HeldBadge, Verdict } from '../rules/verdict.js';
import { renewalRules } from '../rules/renewal.js';
import { validUntil } from '../rules/validity.js';
import { noteRenewal, type Award, type HeldAward } from '../store/award.js';
import { recordRenewals, renewalsOfAward, type AwardRenewal, type NewRenewal } from '../store/renewal.js';
import { credentialByPublicId, type IssuedCredential } from '../store/issuedCredential.js';
import { announceRenewals } from './announce.js';

/** When the award's latest credential expires: its latest renewal's end, else the badge's period from the award. */
export function currentValidUntil(award: Pick<Award, 'awardedAt' | 'renewal'>, badge: BadgeDefinition | undefined): Date | undefined {
  if (award.renewal) return new Date(award.renewal.validUntil);
  return award.awardedAt && badge?.validFor ? validUntil(new Date(award.awardedAt), badge.validFor) : undefined;
}

/** Held awards as the rules read them: with the end of their latest credential, for badges that are renewed. */
export function heldForRules(held: HeldAward[], badges: ReadonlyMap<string, BadgeDefinition>): HeldBadge[] {
  return held.map((h) => {
    const badge = badges.get(h.badgeId);
    const until = badge && renewalRules(badge) ? currentValidUntil(h, badge) : undefined;
    return { badgeId: h.badgeId, userId: h.userId, ...(until ? { validUntil: until.toISOString() } : {}) };
  });
}

const keyOf = (badgeId: string, userId: string) => `${badgeId}\u0000${userId}`;

/**
 * Records the renewals the verdicts call for, dated `now` (the snapshot's time), and notes each
 * on its award; answers how many this call recorded (a renewal another run recorded first is
 * noted again, which repairs an award whose note a crash left unwritten).
 */
export async function applyRenewals(courseKey: string, verdicts: Verdict[], badges: readonly BadgeDefinition[], held: HeldAward[], now: Date): Promise<number> {
  const badgesById = new Map(badges.map((b) => [b.id, b]));
  const awards = new Map(held.map((h) => [keyOf(h.badgeId, h.userId), h]));
  const due: NewRenewal[] = [];
  for (const v of verdicts) {
    const award = awards.get(keyOf(v.badgeId, v.userId));
    const badge = badgesById.get(v.badgeId);
    if (!v.renewal?.met || !award?.id || !badge?.validFor) continue;
    due.push({
      awardId: award.id, courseKey, badgeId: v.badgeId, userId: v.userId,
      period: (award.renewal?.period ?? 0) + 1, renews: award.renewal?.publicId ?? award.id,
      renewedAt: now, validUntil: validUntil(now, badge.validFor)!, reason: v.renewal.reason,
    });
  }
  if (!due.length) return 0;
  const recorded = await recordRenewals(due);
  await Promise.all(recorded.map(({ renewal: r }) => noteRenewal(courseKey, r.badgeId, r.userId, { period: r.period, publicId: r.id, renewedAt: r.renewedAt, validUntil: r.validUntil })));
  await announceRenewals(courseKey, recorded.filter((r) => r.created).map((r) => r.renewal), now);
  return recorded.filter((r) => r.created).length;
}

/** Every credential of an award, oldest first: its own public id, then each renewal's. */
export async function credentialIdsOfAward(award: Pick<Award, 'id' | 'renewal'>): Promise<string[]> {
  return [award.id, ...(await awardRenewals(award)).map((r) => r.id)];
}

/** An award's renewals, oldest first (none when it was never renewed). */
export async function awardRenewals(award: Pick<Award, 'id' | 'renewal'>): Promise<AwardRenewal[]> {
  return award.renewal ? renewalsOfAward(award.id, award.renewal.period) : [];
}

/**
 * The latest credential of an award, by the award's public id: its latest renewal's once that is
 * signed, else the one it renews, back to the award's own. Null when the award has none signed.
 */
export async function latestCredential(award: Pick<Award, 'id' | 'renewal'>): Promise<IssuedCredential | null> {
  if (!award.renewal) return credentialByPublicId(award.id);
  const latest = await credentialByPublicId(award.renewal.publicId);
  if (latest) return latest;
  // Renewed but not signed yet (it is signed with the course's next credentials): the newest signed before it.
  const renewals = await renewalsOfAward(award.id, award.renewal.period);
  for (const r of renewals.reverse()) {
    const found = await credentialByPublicId(r.renews);
    if (found) return found;
  }
  return null;
}
