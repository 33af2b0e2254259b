/**
 * What the public page shows of an award, cheap to repeat. The full check of verifyAward.ts (both
 * proofs, the status list's own proof, the dates) is kept per award for a few minutes, under the
 * version of the award's status list. Every request still reads that version (one read by _id),
 * and a revocation bumps it: a revoked badge shows as revoked at once, on every instance, however
 * recently it was shown as valid. The stored credential is never edited, so it is kept as well;
 * the award record (the revocation's reason, the learner's choice to show their name) is read
 * each time, beside the version.
 */
import { awardOf, type Award } from '../store/award.js';
import { credentialByPublicId, type IssuedCredential } from '../store/issuedCredential.js';
import { statusListVersion } from '../store/statusList.js';
import { verifyIssued, type Verification } from './verifyAward.js';

/** How long a check is reused: bounds how late a withdrawn issuer key would show. */
const KEEP_MS = 5 * 60_000;
/** Awards kept, the least recently shown dropped first (each holds its credential: some 10 kB, 20 MB in all). */
const MAX_KEPT = 2000;

interface Kept {
  issued: IssuedCredential;
  listVersion: number | null;
  until: number;
  /** Shared by requests arriving while the first one checks. */
  verification: Promise<Verification>;
}

const kept = new Map<string, Kept>();

/** Full checks made so far: a repeated view adds none. */
export const verificationCounts = { full: 0 };

export interface PublicAward { issued: IssuedCredential; verification: Verification; award: Award | null }

export async function verifyAwardCached(base: string, publicId: string, now = new Date()): Promise<PublicAward | null> {
  const key = `${base} ${publicId}`;
  let hit = kept.get(key);
  let issued = hit?.issued ?? (await credentialByPublicId(publicId));
  if (!issued) return null;
  let [listVersion, award] = await Promise.all([statusListVersion(issued.facts.status.listKey), awardOf(issued.courseKey, issued.badgeId, issued.userId)]);
  // The award left the key kept here: its learner's data was erased (privacy/erasure/), which
  // re-keys the award and rewrites the stored credential's facts. Read both again, and check anew.
  if (!award && hit) {
    kept.delete(key);
    hit = undefined;
    issued = await credentialByPublicId(publicId);
    if (!issued) return null;
    award = await awardOf(issued.courseKey, issued.badgeId, issued.userId);
  }
  if (hit && hit.listVersion === listVersion && hit.until > now.getTime()) {
    kept.delete(key);
    kept.set(key, hit); // now the most recently shown
    return { issued, verification: await hit.verification, award };
  }

  verificationCounts.full++;
  // Never kept past the credential's expiry, so "valid" turns "expired" on time.
  const validUntil = typeof issued.credential.validUntil === 'string' ? Date.parse(issued.credential.validUntil) : Infinity;
  const entry: Kept = { issued, listVersion, until: Math.min(now.getTime() + KEEP_MS, validUntil), verification: verifyIssued(base, issued, now) };
  kept.delete(key);
  kept.set(key, entry);
  if (kept.size > MAX_KEPT) kept.delete(kept.keys().next().value!);
  const forget = () => { if (kept.get(key) === entry) kept.delete(key); };
  try {
    const verification = await entry.verification;
    // "invalid" may come of passing trouble (the status list unreadable a moment): checked afresh next time.
    if (verification.status === 'invalid') forget();
    return { issued, verification, award };
  } catch (err) {
    forget();
    throw err;
  }
}
