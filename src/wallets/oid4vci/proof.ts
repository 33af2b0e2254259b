/**
 * The wallet's proof that it holds the key the badge will be bound to (OpenID4VCI 1.0 appendix
 * F.1, the `jwt` proof type): a JWT of type `openid4vci-proof+jwt`, signed with ES256 or EdDSA by
 * the key its header names (`kid`, a did:key or did:jwk URL, or `jwk`), addressed to this credential
 * issuer, made within the last few minutes, and carrying a c_nonce of ours. The signature is
 * checked with jose. The nonce is only read here: the credential endpoint uses it up last, so that a
 * proof refused for another reason leaves the wallet its nonce.
 */
import { decodeProtectedHeader, importJWK, jwtVerify, type JWTPayload } from 'jose';
import { Oid4vciError } from './errors.js';
import { HolderKeyError, keyOfJwk, keyOfKid, type HolderKey } from './holderKey.js';
import { PROOF_SIGNING_ALGORITHMS } from './issuerMetadata.js';

export const PROOF_TYPE = 'openid4vci-proof+jwt';
/** How old a proof may be: long enough for a phone on a slow network, short enough to be fresh. */
export const PROOF_MAX_AGE_SECONDS = 300;
/** How far ahead of Laurel's clock a wallet's may be. */
export const CLOCK_SKEW_SECONDS = 60;

export interface CheckedProof {
  holder: HolderKey;
  nonce: string;
}

const refused = (description: string) => new Oid4vciError(400, 'invalid_proof', description);

const KEY_TYPE_OF: Record<string, { kty: string; crv: string }> = { ES256: { kty: 'EC', crv: 'P-256' }, EdDSA: { kty: 'OKP', crv: 'Ed25519' } };

export async function checkProof(jwt: unknown, credentialIssuer: string, now = new Date()): Promise<CheckedProof> {
  if (typeof jwt !== 'string' || jwt.split('.').length !== 3) throw refused('The proof is not a JWT (three base64url parts separated by dots).');
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw refused("The proof's header does not decode: it must be base64url-encoded JSON.");
  }
  if (header.typ !== PROOF_TYPE) throw refused(`The proof's header must say typ "${PROOF_TYPE}"; it says ${header.typ === undefined ? 'none' : `"${header.typ}"`}.`);
  const alg = header.alg ?? '';
  if (!(PROOF_SIGNING_ALGORITHMS as readonly string[]).includes(alg)) throw refused(`The proof must be signed with ${PROOF_SIGNING_ALGORITHMS.join(' or ')}; it names ${alg || 'no algorithm'}.`);
  if (header.kid !== undefined && header.jwk !== undefined) throw refused('The proof names its key twice (kid and jwk): send one of them.');
  if (header.x5c !== undefined || header.trust_chain !== undefined) throw refused('Laurel takes proofs whose key is a did:key or did:jwk (kid) or a jwk header, not a certificate chain.');

  let holder: HolderKey;
  try {
    if (typeof header.kid === 'string') holder = await keyOfKid(header.kid);
    else if (header.jwk !== undefined) holder = keyOfJwk(header.jwk);
    else throw refused("The proof's header names no key: put the did:key or did:jwk URL of the key in kid, or the public key in jwk.");
  } catch (err) {
    if (err instanceof HolderKeyError) throw refused(err.message);
    throw err;
  }
  const wanted = KEY_TYPE_OF[alg]!;
  if (holder.jwk.kty !== wanted.kty || holder.jwk.crv !== wanted.crv) throw refused(`The proof says ${alg}, which signs with ${wanted.crv} keys, but the key it names is ${String(holder.jwk.crv)}.`);

  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(jwt, await importJWK(holder.jwk, alg), { algorithms: [alg], typ: PROOF_TYPE, currentDate: now, clockTolerance: CLOCK_SKEW_SECONDS }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') throw refused('The proof\'s signature does not verify with the key it names: sign it with the private key of that key.');
    throw refused(`The proof does not verify: ${(err as Error).message}.`);
  }

  const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!audiences.includes(credentialIssuer)) throw refused(`The proof's aud must be this credential issuer, ${credentialIssuer}${audiences.length ? `, not ${audiences.join(', ')}` : ''}.`);
  if (typeof payload.iat !== 'number') throw refused('The proof has no iat: say when it was made, in seconds since 1970.');
  const seconds = now.getTime() / 1000;
  if (payload.iat > seconds + CLOCK_SKEW_SECONDS) throw refused("The proof was made in the future (its iat is ahead of Laurel's clock): check the device's clock, then sign a new proof.");
  if (payload.iat < seconds - PROOF_MAX_AGE_SECONDS) throw refused(`The proof is too old: it must be made within ${PROOF_MAX_AGE_SECONDS / 60} minutes of the request. Sign a new one.`);
  if (typeof payload.nonce !== 'string' || !payload.nonce) throw refused("The proof carries no nonce: ask the nonce endpoint for a c_nonce and put it in the proof's nonce.");
  return { holder, nonce: payload.nonce };
}
