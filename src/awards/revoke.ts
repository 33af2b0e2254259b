/**
 * Revocation by an instructor, with a reason: the award record says who, when and why, and the
 * bit of each of its credentials (the award's own and its renewals') in the issuer's status list
 * is set, so every verifier sees it at once, and
 * its "Badge:" grade-book score is to be cleared. The credential itself is never edited.
 */
import { revokeAward, type Award } from '../store/award.js';
import { setRevoked, statusEntryOf } from '../store/statusList.js';
import { clearFromGradebook } from './gradebookColumn.js';
import { credentialIdsOfAward } from './renewal.js';
import { announceRevocation } from './announce.js';

/** `code` says which message it is, for pages that say it in their own language. */
export class RevocationError extends Error {
  constructor(message: string, readonly code: 'reason_missing' | 'reason_too_long' | 'not_found', readonly values: Record<string, string> = {}) { super(message); }
  get kind(): 'invalid_reason' | 'not_found' { return this.code === 'not_found' ? 'not_found' : 'invalid_reason'; }
}

/** The award afterwards, and whether this call revoked it (false when it was revoked already). */
/** The reason as it will be stored; throws RevocationError when it cannot be. */
export function revocationReason(reason: string): string {
  const why = reason.trim();
  if (!why) throw new RevocationError('Say why the badge is revoked: the reason is shown on the public page and in the revocation lists.', 'reason_missing');
  if (why.length > 500) throw new RevocationError('The reason may be at most 500 characters.', 'reason_too_long');
  return why;
}

export async function revoke(courseKey: string, awardId: string, reason: string, by: string): Promise<{ award: Award; revoked: boolean }> {
  const why = revocationReason(reason);
  const done = await revokeAward(courseKey, awardId, why, by);
  if (!done) throw new RevocationError(`No award ${awardId} in this course.`, 'not_found', { awardId });
  // A credential not issued yet has no slot, and will never be issued now.
  for (const publicId of await credentialIdsOfAward(done.award)) {
    const entry = await statusEntryOf(publicId);
    if (entry) await setRevoked(entry);
  }
  // Its "Badge:" grade-book score, if it has one, is cleared (written by the caller's syncGradebook);
  // asked again on a second call, so a revocation interrupted here still clears it.
  await clearFromGradebook(courseKey, done.award.badgeId, done.award.userId);
  // Its learner is told, with the reason (asked again on a second call: enqueued once).
  await announceRevocation(courseKey, done.award);
  return { award: done.award, revoked: done.changed };
}
