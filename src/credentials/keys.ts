/**
 * An issuer's key pairs as plain, serialisable objects: Ed25519 for the Data Integrity proof
 * (eddsa-rdfc-2022) and RSA for the VC-JWT (RS256, the one algorithm every OB 3.0 verifier must
 * support). The database layer encrypts the secret parts; nothing here ever logs them.
 */
import { randomBytes } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface Ed25519Key {
  kind: 'ed25519';
  /** Fragment of the verification method id, e.g. 'key-ed25519-20261123-…'; never reused. */
  id: string;
  publicKeyMultibase: string;
  secretKeyMultibase: string;
  createdAt: string;
}

export interface RsaKey {
  kind: 'rsa';
  /** Fragment of the verification method id, e.g. 'key-rsa-20261123-…'; never reused. */
  id: string;
  publicJwk: JWK;
  privateJwk: JWK;
  createdAt: string;
}

/** What the DID document and JWKS publish of a key: never a secret part. */
export interface PublicEd25519 {
  id: string;
  publicKeyMultibase: string;
}

export interface PublicRsa {
  id: string;
  publicJwk: { readonly [member: string]: unknown };
}

export const RSA_ALGORITHM = 'RS256';
/** The JWS name of Ed25519 signatures (RFC 8037): what did-jwt verifies, where it verifies no RS256. */
export const EDDSA_ALGORITHM = 'EdDSA';

/** The Ed25519 key as a private OKP JWK, for signing a JWS with it. */
export async function ed25519PrivateJwk(key: Ed25519Key): Promise<JWK> {
  const pair = await Ed25519Multikey.from({ publicKeyMultibase: key.publicKeyMultibase, secretKeyMultibase: key.secretKeyMultibase });
  const jwk = await Ed25519Multikey.toJwk({ keyPair: pair, secretKey: true });
  // The multikey's secret is the 32-byte seed followed by the public key; a JWK's d is the seed alone (RFC 8037).
  const seed = Buffer.from(jwk.d ?? '', 'base64url').subarray(0, 32);
  if (seed.length !== 32) throw new Error(`Ed25519 key ${key.id} has no 32-byte secret: check the stored key`);
  return { ...jwk, d: seed.toString('base64url') };
}

/** `${did}#${key.id}`: the verification method id proofs and JWT headers name. */
export function verificationMethodId(did: string, key: { id: string }): string {
  return `${did}#${key.id}`;
}

/** One key of each kind, made at `now`: the pair an issuer signs with until the next rotation. */
export async function generateIssuerKeys(now: Date): Promise<[Ed25519Key, RsaKey]> {
  return Promise.all([generateEd25519Key(now), generateRsaKey(now)]);
}

export async function generateEd25519Key(now: Date): Promise<Ed25519Key> {
  const pair = await Ed25519Multikey.generate();
  if (!pair.secretKeyMultibase) throw new Error('Ed25519 key generation returned no secret key');
  return {
    kind: 'ed25519', id: keyId('ed25519', now), createdAt: now.toISOString(),
    publicKeyMultibase: pair.publicKeyMultibase, secretKeyMultibase: pair.secretKeyMultibase,
  };
}

export async function generateRsaKey(now: Date): Promise<RsaKey> {
  const { publicKey, privateKey } = await generateKeyPair(RSA_ALGORITHM, { modulusLength: 2048, extractable: true });
  const { kty, n, e } = await exportJWK(publicKey);
  return {
    kind: 'rsa', id: keyId('rsa', now), createdAt: now.toISOString(),
    publicJwk: { kty, n, e }, privateJwk: await exportJWK(privateKey),
  };
}

// The date tells a reader which rotation a key belongs to; the random part keeps ids unique.
function keyId(kind: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  return `key-${kind}-${day}-${randomBytes(6).toString('hex')}`;
}
