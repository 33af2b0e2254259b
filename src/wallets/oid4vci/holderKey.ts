/**
 * The key a wallet's proof names, and the DID the badge is then issued to: a did:key (Ed25519 or
 * P-256) or did:jwk URL in the proof's `kid`, or a bare public key in its `jwk` header, whose DID
 * is the did:jwk of that key. Nothing is fetched: both DID methods carry the key in the DID
 * itself. did:key is resolved by Digital Bazaar's resolver; did:jwk is the key, base64url-encoded.
 */
import { driver } from '@digitalbazaar/did-method-key';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { JWK } from 'jose';

export interface HolderKey {
  /** The DID the credential names as its subject. */
  did: string;
  /** The public key the proof must verify with. */
  jwk: JWK;
}

export class HolderKeyError extends Error {}

const ED25519 = 'z6Mk';
const P256 = 'zDna';

const didKey = driver();
didKey.use({ multibaseMultikeyHeader: ED25519, fromMultibase: Ed25519Multikey.from });
didKey.use({ multibaseMultikeyHeader: P256, fromMultibase: EcdsaMultikey.from });

// A key that carries private members is refused: a wallet that sends one has leaked it.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The public members of an Ed25519 or P-256 JWK, in the order RFC 7638 sorts them. */
export function publicJwk(jwk: unknown): JWK {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) throw new HolderKeyError('The key is not a JWK (a JSON object).');
  const k = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => m in k)) throw new HolderKeyError('The key carries private key material: send the public key only, and make a new key, since this one is no longer secret.');
  const isText = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]+$/.test(v);
  if (k.kty === 'OKP' && k.crv === 'Ed25519' && isText(k.x)) return { crv: 'Ed25519', kty: 'OKP', x: k.x as string };
  if (k.kty === 'EC' && k.crv === 'P-256' && isText(k.x) && isText(k.y)) return { crv: 'P-256', kty: 'EC', x: k.x as string, y: k.y as string };
  throw new HolderKeyError(`Laurel takes Ed25519 (OKP) and P-256 (EC) keys; this one is ${String(k.kty)} ${String(k.crv ?? '')}.`.trim());
}

/** did:jwk of a public key: the JWK's JSON, base64url-encoded. */
export function didJwkOf(jwk: JWK): string {
  return `did:jwk:${Buffer.from(JSON.stringify(publicJwk(jwk))).toString('base64url')}`;
}

/** The key of a `jwk` header. */
export function keyOfJwk(jwk: unknown): HolderKey {
  const key = publicJwk(jwk);
  return { did: didJwkOf(key), jwk: key };
}

/** The key a `kid` names: a did:key or did:jwk URL (its fragment naming the DID's one key, or none). */
export async function keyOfKid(kid: string): Promise<HolderKey> {
  const [did = '', fragment, ...rest] = kid.split('#');
  if (rest.length) throw new HolderKeyError(`The kid ${kid} is not a DID URL.`);
  if (did.startsWith('did:jwk:')) {
    if (fragment !== undefined && fragment !== '0') throw new HolderKeyError(`A did:jwk has one key, #0: the kid's fragment #${fragment} names none.`);
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(did.slice('did:jwk:'.length), 'base64url').toString('utf8'));
    } catch {
      throw new HolderKeyError('The did:jwk in the kid does not decode to a JWK (base64url-encoded JSON).');
    }
    // The DID as the wallet wrote it: it is the wallet's name for itself.
    return { did, jwk: publicJwk(decoded) };
  }
  if (did.startsWith('did:key:')) {
    const multibase = did.slice('did:key:'.length);
    if (!multibase.startsWith(ED25519) && !multibase.startsWith(P256)) throw new HolderKeyError('Laurel resolves did:key for Ed25519 (z6Mk…) and P-256 (zDn…) keys only.');
    let method;
    try {
      const doc = await didKey.get({ did });
      method = fragment === undefined ? doc.verificationMethod[0] : doc.verificationMethod.find((m) => m.id === kid);
    } catch (err) {
      throw new HolderKeyError(`The did:key in the kid does not resolve: ${(err as Error).message}`);
    }
    if (!method) throw new HolderKeyError(`The kid's fragment #${fragment} names no key of ${did}: a did:key's key is #${multibase}.`);
    const jwk = multibase.startsWith(ED25519)
      ? await Ed25519Multikey.toJwk({ keyPair: await Ed25519Multikey.from(method) })
      : await EcdsaMultikey.toJwk({ keyPair: await EcdsaMultikey.from(method) });
    return { did, jwk: publicJwk(jwk) };
  }
  throw new HolderKeyError(`Laurel binds badges to did:key and did:jwk keys, or to a key sent in the proof's jwk header; the kid names ${did.split(':').slice(0, 2).join(':') || 'no DID'}.`);
}
