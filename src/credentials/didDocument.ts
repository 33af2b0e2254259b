/**
 * The issuer's did:web document and JWK Set. Every key given is listed, retired ones too: a
 * credential signed before a rotation must still verify, so a key leaves only when nothing it
 * signed is still valid. Only public members are copied, whatever the caller passes in.
 */
import type { PublicEd25519, PublicRsa } from './keys.js';
import { RSA_ALGORITHM, verificationMethodId } from './keys.js';

export const DID_CONTEXT_URL = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';
/** Defines JsonWebKey/publicKeyJwk for JSON-LD readers; not needed (nor served) by our own loader. */
export const JWK_CONTEXT_URL = 'https://w3id.org/security/jwk/v1';

export interface IssuerKeysPublished {
  ed25519: PublicEd25519[];
  rsa: PublicRsa[];
}

export interface PublicRsaJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export function didDocument(did: string, keys: IssuerKeysPublished) {
  const multikeys = keys.ed25519.map((key) => ({
    id: verificationMethodId(did, key),
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: key.publicKeyMultibase,
  }));
  const jsonWebKeys = keys.rsa.map((key) => ({
    id: verificationMethodId(did, key),
    type: 'JsonWebKey',
    controller: did,
    publicKeyJwk: publicRsaJwk(key),
  }));
  const methods = [...multikeys, ...jsonWebKeys];
  return {
    // The DID context first: verifiers (jsonld-signatures among them) then read the document as is.
    '@context': [DID_CONTEXT_URL, MULTIKEY_CONTEXT_URL, JWK_CONTEXT_URL],
    id: did,
    verificationMethod: methods,
    assertionMethod: methods.map((m) => m.id),
  };
}

/** The JWK Set of the issuer's RSA keys; each `kid` is the full verification method id the JWT header names. */
export function publicJwks(did: string, rsaKeys: PublicRsa[]): { keys: PublicRsaJwk[] } {
  return {
    keys: rsaKeys.map((key) => ({ ...publicRsaJwk(key), kid: verificationMethodId(did, key), alg: RSA_ALGORITHM, use: 'sig' })),
  };
}

function publicRsaJwk(key: PublicRsa): PublicRsaJwk {
  const { kty, n, e } = key.publicJwk;
  if (kty !== 'RSA' || typeof n !== 'string' || typeof e !== 'string') {
    throw new Error(`RSA key ${key.id} has no public RSA JWK (kty, n, e): check the stored public key`);
  }
  return { kty, n, e };
}
