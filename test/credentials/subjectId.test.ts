/**
 * The learner's credentialSubject.id is a keyed hash: stable for one learner under one issuer's
 * key, different under another issuer's, and not computable from the LMS user id without the key
 * (Moodle user ids are small integers anyone could try one by one).
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyedSubjectId } from '../../src/credentials/subjectId.js';

const moodle = (id: number) => ({ ltiPlatformId: 'https://moodle.example.edu', ltiUserId: String(id) });
const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('keyed subject ids', () => {
  const key = randomBytes(32);

  it('are UUIDs (version 8), the same for the same learner and key, different for another learner or platform', () => {
    const id = keyedSubjectId(key, moodle(42));
    expect(id).toMatch(UUID);
    expect(keyedSubjectId(Buffer.from(key), moodle(42))).toBe(id);
    expect(keyedSubjectId(key, moodle(43))).not.toBe(id);
    expect(keyedSubjectId(key, { ...moodle(42), ltiPlatformId: 'https://other-moodle.example.edu' })).not.toBe(id);
  });

  it('differ under another issuer\'s key', () => {
    expect(keyedSubjectId(randomBytes(32), moodle(42))).not.toBe(keyedSubjectId(key, moodle(42)));
  });

  it('cannot be walked back to the user id without the key: no unkeyed hash of any small id gives it', () => {
    const id = keyedSubjectId(key, moodle(42));
    const hex = id.slice('urn:uuid:'.length).replaceAll('-', '');
    const unkeyed = (n: number) => ['sha1', 'sha256'].flatMap((alg) => [String(n), JSON.stringify(['credentialSubject', moodle(n).ltiPlatformId, String(n)]), JSON.stringify([moodle(n).ltiPlatformId, String(n)])]
      .map((text) => createHash(alg).update(text).digest('hex').slice(0, 32)));
    // The variant and version bits aside, nothing an outsider computes from ids 1..10000 matches.
    const strip = (h: string) => h.slice(0, 12) + h.slice(13, 16) + h.slice(17);
    for (let n = 1; n <= 10_000; n++) for (const guess of unkeyed(n)) expect(strip(guess)).not.toBe(strip(hex));
    // And a guessed key (an empty one, or another random one) gives another id.
    expect(keyedSubjectId(Buffer.alloc(0), moodle(42))).not.toBe(id);
    expect(keyedSubjectId(Buffer.alloc(32), moodle(42))).not.toBe(id);
  });
});
