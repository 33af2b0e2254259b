/**
 * Retention and erasure keep a credential's facts without the person (hashedRecipient): the public
 * documents made from them must read exactly as before, and the facts must hold no e-mail, name
 * or LTI user id any more.
 */
import { describe, expect, it } from 'vitest';
import { hashedRecipient } from '../../src/credentials/hashedRecipient.js';
import { ob2Assertion } from '../../src/credentials/ob2.js';
import { openBadgeCredential } from '../../src/credentials/openBadgeCredential.js';
import { achievement, award, status, withEmail, withoutEmail } from './fixtures.js';
import { issuerDid } from '../../src/credentials/urls.js';
import type { Issuer } from '../../src/credentials/model.js';

const base = 'https://badges.example.edu';
const issuer: Issuer = { key: 'canvas-1', did: issuerDid(base, 'canvas-1'), name: 'Example University', url: 'https://example.edu' };

describe('a recipient without the person', () => {
  for (const [kind, recipient] of [['with an e-mail', withEmail], ['without one', withoutEmail]] as const) {
    it(`keeps the OB 3.0 credential and the OB 2.0 assertion the same, ${kind}`, () => {
      const hashed = hashedRecipient(recipient);
      const facts = { base, issuer, achievement: achievement(), award: award(), status };
      expect(openBadgeCredential({ ...facts, recipient: hashed })).toEqual(openBadgeCredential({ ...facts, recipient }));
      expect(ob2Assertion({ ...facts, recipient: hashed })).toEqual(ob2Assertion({ ...facts, recipient }));
      // Byte for byte, as the public routes serve them: key order too.
      expect(JSON.stringify(ob2Assertion({ ...facts, recipient: hashed }))).toBe(JSON.stringify(ob2Assertion({ ...facts, recipient })));
      expect(JSON.stringify(openBadgeCredential({ ...facts, recipient: hashed }))).toBe(JSON.stringify(openBadgeCredential({ ...facts, recipient })));
      // Twice is the same as once.
      expect(hashedRecipient(hashed)).toEqual(hashed);
    });

    it(`holds no e-mail, name or LTI user id, ${kind}`, () => {
      const hashed = hashedRecipient(recipient);
      expect(hashed).not.toHaveProperty('email');
      expect(hashed).not.toHaveProperty('name');
      expect(hashed.ltiUserId).toBe('');
      const text = JSON.stringify(hashed).toLowerCase();
      for (const personal of [recipient.email, recipient.name].filter(Boolean)) expect(text).not.toContain(personal!.toLowerCase());
    });
  }
});
