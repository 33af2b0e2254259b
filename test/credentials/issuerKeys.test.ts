import { beforeAll, describe, expect, it } from 'vitest';
import { importJWK } from 'jose';
import { didDocument, publicJwks } from '../../src/credentials/didDocument.js';
import { generateIssuerKeys, type Ed25519Key, type RsaKey } from '../../src/credentials/keys.js';

const did = 'did:web:badges.example.edu:issuers:canvas-1';
let current: [Ed25519Key, RsaKey];
let retired: [Ed25519Key, RsaKey];

beforeAll(async () => {
  retired = await generateIssuerKeys(new Date('2025-03-01T00:00:00Z'));
  current = await generateIssuerKeys(new Date('2026-11-23T10:00:00Z'));
});

const secrets = () => [...current, ...retired].flatMap((k) => (k.kind === 'ed25519'
  ? [k.secretKeyMultibase]
  : [k.privateJwk.d, k.privateJwk.p, k.privateJwk.q, k.privateJwk.dp, k.privateJwk.dq, k.privateJwk.qi] as string[]));

describe('issuer keys', () => {
  it('are one Ed25519 and one 2048-bit RSA key, with dated ids that never repeat', async () => {
    const [ed, rsa] = current;
    expect(ed).toMatchObject({ kind: 'ed25519', createdAt: '2026-11-23T10:00:00.000Z', publicKeyMultibase: expect.stringMatching(/^z6Mk/) });
    expect(ed.id).toMatch(/^key-ed25519-20261123-[0-9a-f]{12}$/);
    expect(rsa.id).toMatch(/^key-rsa-20261123-[0-9a-f]{12}$/);
    expect(Buffer.from(rsa.publicJwk.n!, 'base64url').length * 8).toBe(2048);
    expect(Object.keys(rsa.publicJwk).sort()).toEqual(['e', 'kty', 'n']);
    const again = await generateIssuerKeys(new Date('2026-11-23T10:00:00Z'));
    expect(again[0].id).not.toBe(ed.id);
    expect(again[1].id).not.toBe(rsa.id);
  });

  it('are plain JSON: they survive a round trip through the database unchanged', () => {
    expect(JSON.parse(JSON.stringify(current))).toEqual(current);
  });
});

describe('the did:web document', () => {
  const keys = () => ({ ed25519: [retired[0], current[0]], rsa: [retired[1], current[1]] });

  it('lists every key, retired ones too, as assertion methods of the DID', () => {
    const doc = didDocument(did, keys());
    expect(doc.id).toBe(did);
    expect(doc['@context'][0]).toBe('https://www.w3.org/ns/did/v1');
    expect(doc.assertionMethod).toEqual([
      `${did}#${retired[0].id}`, `${did}#${current[0].id}`, `${did}#${retired[1].id}`, `${did}#${current[1].id}`,
    ]);
    expect(doc.verificationMethod[1]).toEqual({ id: `${did}#${current[0].id}`, type: 'Multikey', controller: did, publicKeyMultibase: current[0].publicKeyMultibase });
    expect(doc.verificationMethod[3]).toEqual({ id: `${did}#${current[1].id}`, type: 'JsonWebKey', controller: did, publicKeyJwk: current[1].publicJwk });
  });

  it('contains no secret key material, even when given whole key pairs', () => {
    const text = JSON.stringify(didDocument(did, keys()));
    for (const secret of secrets()) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/"(d|p|q|dp|dq|qi|secretKeyMultibase|privateJwk)"/);
  });

  it('refuses an RSA key without a public JWK rather than publish something else', () => {
    expect(() => didDocument(did, { ed25519: [], rsa: [{ id: 'key-rsa-x', publicJwk: { kty: 'oct', k: 'c2VjcmV0' } }] })).toThrow(/key-rsa-x/);
  });
});

describe('the JWK Set', () => {
  it('publishes every RSA key under its full verification method id, and only its public members', async () => {
    const jwks = publicJwks(did, [retired[1], current[1]]);
    expect(jwks.keys.map((k) => k.kid)).toEqual([`${did}#${retired[1].id}`, `${did}#${current[1].id}`]);
    expect(jwks.keys[1]).toEqual({ ...current[1].publicJwk, kid: `${did}#${current[1].id}`, alg: 'RS256', use: 'sig' });
    const text = JSON.stringify(jwks);
    for (const secret of secrets()) expect(text).not.toContain(secret);
    const key = await importJWK(jwks.keys[1]!, 'RS256');
    expect((key as CryptoKey).type).toBe('public');
  });
});
