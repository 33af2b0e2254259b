/**
 * The credential endpoint (OpenID4VCI 1.0 section 8): with the access token the offer gave, a
 * wallet names a credential configuration and proves its key; it gets the award's credential
 * signed to that key (awards/holderCopy.ts), in the configuration's form. One proof, one
 * credential: Laurel offers no batches. The draft form of the proof (`proof`, one object) is taken
 * too, as wallets written before 1.0 send it.
 */
import { HolderCopyError, issueToHolder } from '../../awards/holderCopy.js';
import { oid4vciUrls } from '../../credentials/urls.js';
import { publicBase } from '../../publicBase.js';
import { credentialByPublicId } from '../../store/issuedCredential.js';
import { accessTokenGrant } from '../../store/oid4vciAccessToken.js';
import { takeNonce } from '../../store/oid4vciNonce.js';
import { Oid4vciError } from './errors.js';
import { CREDENTIAL_CONFIGURATIONS } from './issuerMetadata.js';
import { checkProof } from './proof.js';

export interface CredentialResponse {
  credentials: { credential: Record<string, unknown> | string }[];
}

const badRequest = (description: string) => new Oid4vciError(400, 'invalid_credential_request', description);
const badProof = (description: string) => new Oid4vciError(400, 'invalid_proof', description);

/** The access token of an `Authorization: Bearer …` header, or undefined when there is none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** The one JWT proof of the request, in the 1.0 form (`proofs.jwt`) or the drafts' (`proof`). */
function theProof(body: Record<string, unknown>): unknown {
  const { proof, proofs } = body;
  if (proof !== undefined && proofs !== undefined) throw badRequest('The request has both proof and proofs: send proofs only (OpenID4VCI 1.0).');
  if (proofs !== undefined) {
    if (typeof proofs !== 'object' || proofs === null || Array.isArray(proofs)) throw badProof('proofs must be an object: { "jwt": [ "<the proof JWT>" ] }.');
    const types = Object.keys(proofs);
    if (types.length !== 1 || types[0] !== 'jwt') throw badProof(`Laurel takes proofs of type jwt only; the request sends ${types.join(', ') || 'none'}.`);
    const jwts = (proofs as { jwt: unknown }).jwt;
    if (!Array.isArray(jwts) || jwts.length === 0) throw badProof('proofs.jwt must be a list holding the proof JWT.');
    if (jwts.length > 1) throw badProof(`Laurel issues one credential per request: send one proof, not ${jwts.length}.`);
    return jwts[0];
  }
  if (proof !== undefined) {
    const p = proof as { proof_type?: unknown; jwt?: unknown } | null;
    if (typeof p !== 'object' || p === null || p.proof_type !== 'jwt') throw badProof('Laurel takes proofs of type jwt only: send proofs: { "jwt": [ "<the proof JWT>" ] }.');
    return p.jwt;
  }
  throw badProof('The request has no proof of the key to bind the badge to: send proofs: { "jwt": [ "<the proof JWT>" ] }, signed with that key over a c_nonce from the nonce endpoint.');
}

export async function requestCredential(issuerKey: string, authorization: string | undefined, body: unknown, now = new Date()): Promise<CredentialResponse> {
  const urls = oid4vciUrls(publicBase(), issuerKey);
  const token = bearerToken(authorization);
  if (!token) throw new Oid4vciError(401, 'invalid_token', "The request has no access token: send the token endpoint's access_token as Authorization: Bearer <token>.");
  const grant = await accessTokenGrant(token, now);
  if (!grant || grant.issuerKey !== issuerKey) throw new Oid4vciError(401, 'invalid_token', 'The access token is unknown here or expired (a token is good for 5 minutes): redeem a new credential offer for a new one.');
  const issued = await credentialByPublicId(grant.publicId);
  if (!issued) throw new Oid4vciError(400, 'credential_request_denied', 'The badge this token was given for is no longer stored: it cannot be added to a wallet.');

  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The credential request must be a JSON object: { "credential_configuration_id": …, "proofs": { "jwt": [ … ] } }.');
  const request = body as Record<string, unknown>;
  if (request.credential_identifier !== undefined) throw new Oid4vciError(400, 'unknown_credential_identifier', 'Laurel gives no credential identifiers: name the credential by credential_configuration_id.');
  const configurationId = request.credential_configuration_id;
  if (typeof configurationId !== 'string' || !configurationId) {
    throw badRequest(`The request names no credential_configuration_id: send one of ${Object.keys(CREDENTIAL_CONFIGURATIONS).join(', ')} (a format alone, as drafts before 1.0 sent, is not taken).`);
  }
  const format = Object.hasOwn(CREDENTIAL_CONFIGURATIONS, configurationId) ? CREDENTIAL_CONFIGURATIONS[configurationId] : undefined;
  if (!format) {
    throw new Oid4vciError(400, 'unknown_credential_configuration', `This issuer has no credential configuration ${JSON.stringify(configurationId).slice(0, 100)}: it offers ${Object.keys(CREDENTIAL_CONFIGURATIONS).join(' and ')}.`);
  }

  const { holder, nonce } = await checkProof(theProof(request), urls.credentialIssuer, now);
  if (!(await takeNonce(nonce, issuerKey, now))) {
    throw new Oid4vciError(400, 'invalid_nonce', `The proof's nonce is not a c_nonce of this issuer, or it was used already or expired (each is good once, for 5 minutes): POST to ${urls.nonce} for a fresh c_nonce, sign a new proof with it, and send the request again.`);
  }
  try {
    const credential = await issueToHolder(issued, holder.did, format, 'OpenID4VCI');
    return { credentials: [{ credential }] };
  } catch (err) {
    if (err instanceof HolderCopyError) throw new Oid4vciError(400, 'credential_request_denied', `${err.message} Ask the issuer about it.`);
    throw err;
  }
}
