/**
 * The VC-JWT proof of OB 3.0 ("JSON Web Token Proof Format"): a Compact JWS whose payload is
 * the credential itself plus the registered claims mirroring it. Laurel signs it over the
 * credential that already carries its Data Integrity proof, with RS256 (what OB 3.0 requires),
 * and also with EdDSA under the issuer's Ed25519 key: wallets built on did-jwt (Veramo among
 * them) verify no RS256 at all.
 */
import { CompactSign, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import type { JsonObject } from './documentLoader.js';
import { EDDSA_ALGORITHM, ed25519PrivateJwk, RSA_ALGORITHM, verificationMethodId, type Ed25519Key, type RsaKey } from './keys.js';

/** What the JWT claims are taken from. */
export type JwtCredential = {
  id: string;
  issuer: string | { id: string };
  validFrom: string;
  validUntil?: string;
  credentialSubject: { id?: string };
};

export type ResolveKey = (kid: string) => Promise<JWK | undefined>;

export interface VcJwtVerification {
  verified: boolean;
  /** The credential the JWT carries, registered claims removed; present when the signature verified. */
  credential?: JsonObject;
  error?: string;
}

const JWT_CLAIMS = ['iss', 'jti', 'nbf', 'sub', 'exp'] as const;

// Asymmetric algorithms only: a verifier must never accept "none" or an HMAC keyed with a public key.
const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const signingKeys = new Map<string, Promise<CryptoKey | Uint8Array>>();
const MAX_CACHED_KEYS = 64;

/** The JWS algorithm a key signs with: RS256 for the RSA key, EdDSA for the Ed25519 one. */
export function jwtAlgorithm(key: RsaKey | Ed25519Key): string {
  return key.kind === 'rsa' ? RSA_ALGORITHM : EDDSA_ALGORITHM;
}

function signingKey(key: RsaKey | Ed25519Key, kid: string): Promise<CryptoKey | Uint8Array> {
  const secret = key.kind === 'rsa' ? String(key.privateJwk.d) : key.secretKeyMultibase;
  const cacheKey = `${kid}\n${secret}`;
  let imported = signingKeys.get(cacheKey);
  if (!imported) {
    imported = (async () => importJWK(key.kind === 'rsa' ? key.privateJwk : await ed25519PrivateJwk(key), jwtAlgorithm(key)))();
    imported.catch(() => signingKeys.delete(cacheKey));
    if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.delete(signingKeys.keys().next().value!);
    signingKeys.set(cacheKey, imported);
  }
  return imported;
}

export async function signVcJwt(credential: JwtCredential, key: RsaKey | Ed25519Key, did: string): Promise<string> {
  const iss = issuerId(credential);
  if (iss !== did) throw new Error(`The credential's issuer is ${iss}, but the key given belongs to ${did}.`);
  const sub = credential.credentialSubject.id;
  if (!sub) throw new Error(`The credential ${credential.id} has no credentialSubject.id, which a VC-JWT needs as its sub.`);
  const payload = {
    ...credential,
    iss,
    jti: credential.id,
    nbf: seconds(credential.validFrom),
    sub,
    ...(credential.validUntil ? { exp: seconds(credential.validUntil) } : {}),
  };
  const kid = verificationMethodId(did, key);
  // alg, kid, typ and nothing else: the OB 3.0 JWT header allows no other fields.
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: jwtAlgorithm(key), kid, typ: 'JWT' })
    .sign(await signingKey(key, kid));
}

/**
 * Checks the signature with the key its `kid` names (found by `resolveKey`), that the key belongs
 * to the issuer, and that iss, jti, sub, nbf and exp say what the embedded credential says. Not
 * the dates against now: expiry is reported on its own.
 */
export async function verifyVcJwt(jwt: string, resolveKey: ResolveKey): Promise<VcJwtVerification> {
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    return { verified: false, error: 'The VC-JWT is not a Compact JWS (three base64url parts).' };
  }
  const { alg, kid } = header;
  if (!alg || !ACCEPTED_ALGORITHMS.includes(alg)) return { verified: false, error: `The VC-JWT's algorithm ${String(alg)} is not accepted.` };
  if (!kid) return { verified: false, error: "The VC-JWT's header names no key (kid)." };
  if (header.jwk && 'd' in header.jwk) return { verified: false, error: "The VC-JWT's header carries a private key: it must never be trusted." };

  let jwk: JWK | undefined;
  try {
    jwk = await resolveKey(kid);
  } catch (err) {
    return { verified: false, error: `The key ${kid} could not be fetched: ${(err as Error).message}` };
  }
  if (!jwk) return { verified: false, error: `No published key ${kid}: the issuer does not list it (removed, or never its key).` };
  let payload: Uint8Array;
  try {
    const { payload: verifiedPayload } = await compactVerify(jwt, await importJWK(publicPart(jwk), alg), { algorithms: [alg] });
    payload = verifiedPayload;
  } catch (err) {
    return { verified: false, error: `The VC-JWT signature does not verify with ${kid}: ${(err as Error).message}.` };
  }

  let claims: JsonObject;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload)) as JsonObject;
  } catch {
    return { verified: false, error: "The VC-JWT's payload is not JSON." };
  }
  const credential = Object.fromEntries(Object.entries(claims).filter(([k]) => !(JWT_CLAIMS as readonly string[]).includes(k)));
  const mismatch = claimMismatch(claims, credential as Partial<JwtCredential>, kid);
  return mismatch ? { verified: false, error: mismatch } : { verified: true, credential };
}

function claimMismatch(claims: JsonObject, c: Partial<JwtCredential>, kid: string): string | undefined {
  const iss = c.issuer ? issuerId(c as JwtCredential) : undefined;
  if (!iss || claims.iss !== iss) return `The VC-JWT's iss (${String(claims.iss)}) is not the credential's issuer (${String(iss)}).`;
  if (!kid.startsWith(`${iss}#`)) return `The VC-JWT is signed with ${kid}, which is not a key of its issuer ${iss}.`;
  if (claims.jti !== c.id) return `The VC-JWT's jti (${String(claims.jti)}) is not the credential's id (${String(c.id)}).`;
  if (claims.sub !== c.credentialSubject?.id) return `The VC-JWT's sub is not the credential's credentialSubject.id.`;
  if (!c.validFrom || claims.nbf !== seconds(c.validFrom)) return `The VC-JWT's nbf is not the credential's validFrom (${String(c.validFrom)}).`;
  const exp = c.validUntil ? seconds(c.validUntil) : undefined;
  if (claims.exp !== exp) return `The VC-JWT's exp is not the credential's validUntil (${String(c.validUntil)}).`;
  return undefined;
}

function issuerId(c: JwtCredential): string {
  return typeof c.issuer === 'string' ? c.issuer : c.issuer.id;
}

/** NumericDate: whole seconds since the epoch. */
function seconds(dateTime: string): number {
  return Math.floor(Date.parse(dateTime) / 1000);
}

// A published key that wrongly carried private members must not turn into a private key here.
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv']);

function publicPart(jwk: JWK): JWK {
  return Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.has(member))) as JWK;
}
