/**
 * Where one of a learner's badges stands today, as their pages and their public page say it:
 * valid, expiring soon (within 30 days of its end, time to look at renewing it), expired,
 * revoked, or waiting for an instructor's approval. Pure: the award's status and the end of its
 * validity (as signed, or as the badge's period gives it before signing) against a clock.
 */
import type { AwardStatus } from '../store/award.js';

export type BadgeState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'pending';

/** How close to its end a badge counts as expiring soon. */
export const EXPIRING_SOON_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export function badgeState(status: AwardStatus, validUntil: Date | undefined, now = new Date()): BadgeState {
  if (status === 'revoked') return 'revoked';
  if (status === 'pending') return 'pending';
  if (!validUntil) return 'valid';
  const left = validUntil.getTime() - now.getTime();
  if (left <= 0) return 'expired';
  return left <= EXPIRING_SOON_DAYS * DAY_MS ? 'expiring' : 'valid';
}
