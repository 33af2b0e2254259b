/**
 * Revocation by an instructor, with a reason: the award record says who, when and why, and the
 * credential's bit in the issuer's status list is set, so every verifier sees it at once.
 * The credential itself is never edited.
 */
import { revokeAward, type Award } from '../store/award.js';
import { setRevoked, statusEntryOf } from '../store/statusList.js';

export class RevocationError extends Error {
  constructor(message: string, readonly kind: 'invalid_reason' | 'not_found' = 'invalid_reason') { super(message); }
}

/** The award afterwards, and whether this call revoked it (false when it was revoked already). */
/** The reason as it will be stored; throws RevocationError when it cannot be. */
export function revocationReason(reason: string): string {
  const why = reason.trim();
  if (!why) throw new RevocationError('Say why the badge is revoked: the reason is shown on the public page and in the revocation lists.');
  if (why.length > 500) throw new RevocationError('The reason may be at most 500 characters.');
  return why;
}

export async function revoke(courseKey: string, awardId: string, reason: string, by: string): Promise<{ award: Award; revoked: boolean }> {
  const why = revocationReason(reason);
  const done = await revokeAward(courseKey, awardId, why, by);
  if (!done) throw new RevocationError(`No award ${awardId} in this course.`, 'not_found');
  // A credential not issued yet has no slot, and will never be issued now.
  const entry = await statusEntryOf(awardId);
  if (entry) await setRevoked(entry);
  return { award: done.award, revoked: done.changed };
}
