/**
 * What every copy of a badge a wallet receives must be, whichever protocol brought it: the
 * award's credential (its achievement, the learner's identifiers, its status entry, so revoking
 * the award revokes the copy) under an id of its own, issued to the wallet's DID, valid against
 * 1EdTech's schema, and verified offline by @digitalbazaar/vc with the status bit.
 */
import { expect } from 'vitest';
import type { IssuedCredential } from '../../src/store/issuedCredential.js';
import { ob3SchemaValidator, verifyDataIntegrity } from './outsideVerifier.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function expectHolderCopy(copy: Record<string, any>, holderDid: string, of: IssuedCredential): Promise<void> {
  expect(copy.credentialSubject.id).toBe(holderDid);
  expect(copy.id).toMatch(/^urn:uuid:/);
  expect(copy.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
  const stored = of.credential.credentialSubject as Record<string, unknown>;
  expect(copy.credentialSubject.identifier).toEqual(stored.identifier);
  expect(copy.credentialSubject.achievement).toEqual(stored.achievement);
  expect(copy.credentialStatus).toEqual(of.credential.credentialStatus);
  const validate = ob3SchemaValidator();
  expect(validate(copy), JSON.stringify(validate.errors)).toBe(true);
  const verified = await verifyDataIntegrity(copy);
  expect(verified.verified, String(verified.error)).toBe(true);
}
