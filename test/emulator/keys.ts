/**
 * The platform's signing keys and JWKS. Canvas publishes several keys at once (past, present,
 * future) and signs with one, so a tool must pick the key by `kid`; Moodle publishes one.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT, base64url, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';
import type { Flavour } from './flavours.js';

export interface PlatformKeys {
  kid: string;
  privateKey: CryptoKey;
  /** Published in the JWKS; the first one signs. */
  jwks: { keys: JWK[] };
}

export async function createPlatformKeys(flavour: Flavour): Promise<PlatformKeys> {
  const kids = flavour === 'canvas'
    ? [isoSecond(new Date()), isoSecond(new Date(Date.now() + 30 * 86400_000))] // Canvas kids are dates
    : [randomBytes(10).toString('hex')];
  const pairs = await Promise.all(kids.map(() => generateKeyPair('RS256', { extractable: true })));
  const keys = await Promise.all(pairs.map(async (pair, i) => ({ ...(await exportJWK(pair.publicKey)), kid: kids[i], alg: 'RS256', use: 'sig' })));
  return { kid: kids[0]!, privateKey: pairs[0]!.privateKey, jwks: { keys } };
}

export interface SignOptions {
  alg?: string;
  kid?: string;
  /** Signing key (CryptoKey, KeyObject or, for HS*, a Uint8Array secret); default the platform key. */
  key?: unknown;
  /** Extra or overriding header fields. */
  header?: object;
}

/** Signs a JWT; `alg: 'none'` yields an unsigned token, for hostile-launch tests. */
export async function signJwt(keys: PlatformKeys, payload: object, o: SignOptions = {}): Promise<string> {
  const alg = o.alg ?? 'RS256';
  const header = { typ: 'JWT', alg, kid: o.kid ?? keys.kid, ...o.header };
  if (alg === 'none') {
    const encode = (v: object) => base64url.encode(JSON.stringify(v));
    return `${encode(header)}.${encode(payload)}.`;
  }
  const key = (o.key ?? keys.privateKey) as CryptoKey | Uint8Array;
  return new SignJWT(payload as JWTPayload).setProtectedHeader(header).sign(key);
}

function isoSecond(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
