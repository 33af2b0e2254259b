/**
 * The learner's `credentialSubject.id` (and the VC-JWT's `sub`): a keyed hash of the LMS user,
 * under a secret key of the issuer that only Laurel holds. The same learner gets the same id on
 * every badge of one issuer, so a verifier can see two badges belong together; another issuer's
 * ids are unrelated; and without the key nobody can go from an id back to an LMS user id (Moodle's
 * are small integers, which an unkeyed hash would give away to anyone counting).
 */
import { createHmac } from 'node:crypto';
import type { Recipient } from './model.js';

/** A `urn:uuid:` (UUID version 8, RFC 9562: custom bits) of HMAC-SHA-256 over the platform and user. */
export function keyedSubjectId(key: Buffer, r: Pick<Recipient, 'ltiPlatformId' | 'ltiUserId'>): string {
  const hash = createHmac('sha256', key).update(JSON.stringify(['credentialSubject', r.ltiPlatformId, r.ltiUserId])).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x80;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
