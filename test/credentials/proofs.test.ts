import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { signDataIntegrity, verifyDataIntegrity } from '../../src/credentials/dataIntegrity.js';
import { generateIssuerKeys, type Ed25519Key, type RsaKey } from '../../src/credentials/keys.js';
import { openBadgeCredential, type OpenBadgeCredential } from '../../src/credentials/openBadgeCredential.js';
import { signVcJwt, verifyVcJwt } from '../../src/credentials/vcJwt.js';
import { achievement, award, ob3Schema, startIssuerHost, status, withEmail, type IssuerHost } from './fixtures.js';

let host: IssuerHost;
let ed: Ed25519Key;
let rsa: RsaKey;
let unsigned: OpenBadgeCredential;

beforeAll(async () => {
  host = await startIssuerHost();
  [ed, rsa] = await generateIssuerKeys(new Date('2026-01-05T08:00:00Z'));
  host.published.ed25519.push(ed);
  host.published.rsa.push(rsa);
  unsigned = openBadgeCredential({ base: host.base, issuer: host.issuer, achievement: achievement(), recipient: withEmail, award: award(), status });
});
afterAll(() => host.close());

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const payloadOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

describe('OB 3.0 §2.1: the embedded Data Integrity proof (eddsa-rdfc-2022)', () => {
  it('verifies against the did:web document fetched over HTTP', async () => {
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    expect(await verifyDataIntegrity(signed, host.documentLoader)).toEqual({ verified: true });
  });

  it('is a DataIntegrityProof for assertionMethod, made with the issuer\'s Ed25519 key', async () => {
    const { proof } = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    expect(proof).toHaveLength(1);
    expect(proof[0]).toMatchObject({
      type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod',
      verificationMethod: `${host.issuer.did}#${ed.id}`,
    });
    expect(proof[0]!.proofValue).toMatch(/^z[1-9A-HJ-NP-Za-km-z]+$/);
  });

  it('leaves the unsigned credential as it was, and the signed one still matches the schema', async () => {
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    expect('proof' in unsigned).toBe(false);
    const validate = ob3Schema();
    expect(validate(signed), JSON.stringify(validate.errors)).toBe(true);
  });

  it('fails when one character of the achievement name changes', async () => {
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    const a = signed.credentialSubject.achievement;
    const forged = { ...signed, credentialSubject: { ...signed.credentialSubject, achievement: { ...a, name: a.name.replace('2', '3') } } };
    const result = await verifyDataIntegrity(forged, host.documentLoader);
    expect(result.verified).toBe(false);
    expect(result.error).toMatch(/signature/i);
  });

  it('fails when the status list index is moved to an unrevoked bit', async () => {
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    const forged = { ...signed, credentialStatus: { ...signed.credentialStatus, statusListIndex: '1' } };
    expect((await verifyDataIntegrity(forged, host.documentLoader)).verified).toBe(false);
  });

  it('fails, saying why, when the issuer\'s DID cannot be resolved', async () => {
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    const stranger = { ...signed, proof: [{ ...signed.proof[0]!, verificationMethod: `did:web:nowhere.invalid:issuers:x#${ed.id}` }] };
    const result = await verifyDataIntegrity(stranger, host.documentLoader);
    expect(result.verified).toBe(false);
    expect(result.error).toMatch(/did:web:nowhere\.invalid/);
  });

  it('needs 1EdTech\'s extensions.json for the credentialSchema type only: every other term is defined by VC 2.0 and OB 3.0.3', async () => {
    const { credentialSchema, ...rest } = unsigned;
    const obOnly = { ...rest, '@context': unsigned['@context'].slice(0, 2) };
    expect((await signDataIntegrity(obOnly, ed, host.issuer.did, host.documentLoader)).proof).toBeDefined();
    await expect(signDataIntegrity({ ...obOnly, credentialSchema }, ed, host.issuer.did, host.documentLoader)).rejects.toThrow(/Safe mode/);
  });

  it('carries extensions.json, not VC 2.0\'s undefined-terms context (no verifier ships that one)', () => {
    expect(unsigned['@context']).toEqual([
      'https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
      'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json',
    ]);
  });

  it('still verifies a credential issued before issue 14, with the undefined-terms context', async () => {
    const old = { ...unsigned, '@context': [unsigned['@context'][0], unsigned['@context'][1], 'https://www.w3.org/ns/credentials/undefined-terms/v2'] };
    const signed = await signDataIntegrity(old as unknown as OpenBadgeCredential, ed, host.issuer.did, host.documentLoader);
    expect(await verifyDataIntegrity(signed, host.documentLoader)).toEqual({ verified: true });
  });
});

describe('OB 3.0 §2.2: the VC-JWT (RS256)', () => {
  it('has a header of alg RS256, kid = the verification method, typ JWT and nothing else', async () => {
    const jwt = await signVcJwt(await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader), rsa, host.issuer.did);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', kid: `${host.issuer.did}#${rsa.id}`, typ: 'JWT' });
  });

  it('carries the credential with its Data Integrity proof, plus iss, jti, nbf, sub and exp mirroring it', async () => {
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    const payload = payloadOf(await signVcJwt(signed, rsa, host.issuer.did));
    expect(payload).toEqual({
      ...signed,
      iss: host.issuer.did, jti: signed.id, sub: signed.credentialSubject.id,
      nbf: Date.parse('2026-11-23T10:00:00Z') / 1000, exp: Date.parse('2028-11-23T10:00:00Z') / 1000,
    });
  });

  it('has no exp when the badge never expires', async () => {
    const forever = openBadgeCredential({ base: host.base, issuer: host.issuer, achievement: achievement(), recipient: withEmail, award: award({ validUntil: undefined }), status });
    expect('exp' in payloadOf(await signVcJwt(forever, rsa, host.issuer.did))).toBe(false);
  });

  it('verifies with the key the issuer publishes, and gives back the credential', async () => {
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    const result = await verifyVcJwt(await signVcJwt(signed, rsa, host.issuer.did), host.resolveKey);
    expect(result).toEqual({ verified: true, credential: JSON.parse(JSON.stringify(signed)) });
  });

  it('fails when one character of the payload changes', async () => {
    const jwt = await signVcJwt(unsigned, rsa, host.issuer.did);
    const [header, , signature] = jwt.split('.');
    const payload = payloadOf(jwt);
    const forged = `${header}.${b64({ ...payload, name: String(payload.name).replace('2', '3') })}.${signature}`;
    const result = await verifyVcJwt(forged, host.resolveKey);
    expect(result.verified).toBe(false);
    expect(result.error).toMatch(/signature/i);
  });

  it('fails when its kid names a key the issuer does not publish', async () => {
    const [, other] = await generateIssuerKeys(new Date());
    const result = await verifyVcJwt(await signVcJwt(unsigned, other, host.issuer.did), host.resolveKey);
    expect(result).toMatchObject({ verified: false, error: expect.stringContaining(other.id) });
  });

  it('refuses to sign for another issuer than the key\'s', async () => {
    await expect(signVcJwt(unsigned, rsa, 'did:web:elsewhere.example:issuers:1')).rejects.toThrow(/issuer/);
  });
});

describe('OB 3.0 §2 key rotation: old keys stay published while what they signed is valid', () => {
  it('a credential signed before a rotation verifies after it, and fails once its key is removed', async () => {
    const rotating = await startIssuerHost('rotating');
    try {
      const [oldEd, oldRsa] = await generateIssuerKeys(new Date('2025-01-01T00:00:00Z'));
      rotating.published.ed25519.push(oldEd);
      rotating.published.rsa.push(oldRsa);
      const facts = { base: rotating.base, issuer: rotating.issuer, achievement: achievement(), recipient: withEmail, award: award(), status };
      const before = await signDataIntegrity(openBadgeCredential(facts), oldEd, rotating.issuer.did, rotating.documentLoader);
      const beforeJwt = await signVcJwt(before, oldRsa, rotating.issuer.did);

      const [newEd, newRsa] = await generateIssuerKeys(new Date('2026-01-01T00:00:00Z'));
      rotating.published.ed25519.push(newEd);
      rotating.published.rsa.push(newRsa);
      const after = await signDataIntegrity(openBadgeCredential(facts), newEd, rotating.issuer.did, rotating.documentLoader);
      expect(await verifyDataIntegrity(before, rotating.documentLoader)).toEqual({ verified: true });
      expect((await verifyVcJwt(beforeJwt, rotating.resolveKey)).verified).toBe(true);
      expect(await verifyDataIntegrity(after, rotating.documentLoader)).toEqual({ verified: true });
      expect((await verifyVcJwt(await signVcJwt(after, newRsa, rotating.issuer.did), rotating.resolveKey)).verified).toBe(true);

      rotating.published.ed25519.splice(0, 1);
      rotating.published.rsa.splice(0, 1);
      const removed = await verifyDataIntegrity(before, rotating.documentLoader);
      expect(removed.verified).toBe(false);
      expect(removed.error).toContain(oldEd.id);
      expect((await verifyVcJwt(beforeJwt, rotating.resolveKey)).verified).toBe(false);
      expect(await verifyDataIntegrity(after, rotating.documentLoader)).toEqual({ verified: true });
    } finally {
      await rotating.close();
    }
  });
});
