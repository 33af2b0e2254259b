/**
 * Validation of the launch id_token (LTI 1.3 core §5.1.3, 1EdTech Security Framework §5.1.3),
 * checked in full here before ltijs sees it, so every refusal has a precise reason.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LaunchRejected } from './launchRejected.js';

export const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const MESSAGE_TYPES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'];
const CLOCK_SKEW_SECONDS = 60;
const MAX_TOKEN_BYTES = 64 * 1024;

export interface PlatformForLaunch {
  clientId: string;
  jwksUri: string;
  active: boolean;
}

export interface IdTokenChecks {
  findPlatform(issuer: string, clientId: string): Promise<PlatformForLaunch | null>;
  keySet(jwksUri: string): JWTVerifyGetKey;
  /** Registered (or learnt now, for platforms that learn deployments)? */
  acceptDeployment(issuer: string, clientId: string, deploymentId: string): Promise<boolean>;
  /** Stores the nonce; false when it was used before. */
  useNonce(issuer: string, nonce: string, expiresAt: Date): Promise<boolean>;
}

export interface Expected {
  issuer: string;
  clientId: string;
  nonce: string;
}

function audienceAndClient(payload: JWTPayload): string {
  const { aud, azp } = payload;
  if (typeof aud === 'string') return aud;
  if (Array.isArray(aud) && aud.length > 0) {
    if (typeof azp !== 'string') throw new LaunchRejected('azp_missing', 'aud lists several audiences but azp (the authorized party) is missing');
    if (!aud.includes(azp)) throw new LaunchRejected('azp_mismatch', `azp "${azp}" is not one of the audiences`);
    return azp;
  }
  throw new LaunchRejected('aud_missing', 'the id_token has no aud (audience) claim');
}

async function verifySignature(token: string, keySet: JWTVerifyGetKey, issuer: string, clientId: string): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, keySet, { algorithms: ['RS256'], issuer, audience: clientId, clockTolerance: CLOCK_SKEW_SECONDS, requiredClaims: ['exp', 'iat', 'sub', 'nonce'] });
    return payload;
  } catch (err) {
    if (err instanceof errors.JWKSNoMatchingKey) throw new LaunchRejected('unknown_kid', 'the id_token was signed with a key (kid) that is not in the platform\'s published key set');
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new LaunchRejected('bad_signature', 'the id_token signature does not verify with the platform\'s key');
    if (err instanceof errors.JWTExpired) throw new LaunchRejected('token_expired', 'the id_token has expired (exp is in the past)');
    if (err instanceof errors.JWTClaimValidationFailed) throw new LaunchRejected(`invalid_${err.claim}`, `the id_token claim "${err.claim}" is not valid: ${err.reason}`);
    if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) throw new LaunchRejected('platform_keys_unavailable', 'the platform\'s key set could not be read');
    throw new LaunchRejected('invalid_token', `the id_token could not be verified: ${(err as Error).message}`);
  }
}

/** Laurel keys each course by the context id, and stores its title and label: they must be what the spec says. */
function isContext(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const { id, title, label } = value as Record<string, unknown>;
  return typeof id === 'string' && id !== '' && [title, label].every((s) => s === undefined || typeof s === 'string');
}

/** Returns the verified claims, or throws LaunchRejected saying why not. */
export async function validateIdToken(token: string, expected: Expected, checks: IdTokenChecks, now = Date.now()): Promise<JWTPayload> {
  if (token.length > MAX_TOKEN_BYTES) throw new LaunchRejected('malformed_token', 'the id_token is too large');
  let header: ReturnType<typeof decodeProtectedHeader>;
  let unverified: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    throw new LaunchRejected('malformed_token', 'the id_token is not a well-formed JWT');
  }
  if (header.alg !== 'RS256') throw new LaunchRejected('alg_not_allowed', `alg "${String(header.alg)}" is not accepted: LTI 1.3 id_tokens must be signed with RS256`);
  if (typeof header.kid !== 'string' || header.kid === '') throw new LaunchRejected('kid_missing', 'the id_token header has no kid');
  if (header.jku !== undefined || header.jwk !== undefined || header.x5u !== undefined) throw new LaunchRejected('key_reference_not_allowed', 'the id_token header points at its own key (jku/jwk/x5u); only the registered key set is trusted');

  if (unverified.iss !== expected.issuer) throw new LaunchRejected('wrong_issuer', `iss "${String(unverified.iss)}" is not the platform this login started with (${expected.issuer})`);
  const clientId = audienceAndClient(unverified);
  if (clientId !== expected.clientId) throw new LaunchRejected('wrong_audience', `the id_token is for client "${clientId}", not for Laurel's client "${expected.clientId}" on this platform`);

  const platform = await checks.findPlatform(expected.issuer, clientId);
  if (!platform) throw new LaunchRejected('unknown_platform', `no platform is registered with issuer ${expected.issuer} and client id ${clientId}`);
  if (!platform.active) throw new LaunchRejected('platform_inactive', 'this platform is registered but waits for an administrator\'s approval');

  const claims = await verifySignature(token, checks.keySet(platform.jwksUri), expected.issuer, clientId);
  if (typeof claims.iat === 'number' && claims.iat > now / 1000 + CLOCK_SKEW_SECONDS) throw new LaunchRejected('issued_in_future', 'the id_token iat (issued at) is in the future');
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new LaunchRejected('invalid_sub', 'sub must be a non-empty string');
  if (claims.nonce !== expected.nonce) throw new LaunchRejected('nonce_mismatch', 'the id_token nonce is not the one this login sent');

  const version = claims[LTI + 'version'];
  if (version !== '1.3.0') throw new LaunchRejected('wrong_version', `LTI version "${String(version)}" is not supported: Laurel speaks LTI 1.3.0`);
  const messageType = claims[LTI + 'message_type'];
  if (typeof messageType !== 'string' || !MESSAGE_TYPES.includes(messageType)) throw new LaunchRejected('wrong_message_type', `message_type "${String(messageType)}" is not one Laurel accepts (${MESSAGE_TYPES.join(', ')})`);
  const roles = claims[LTI + 'roles'];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) throw new LaunchRejected('invalid_roles', 'the roles claim must be an array of strings');
  if (claims[LTI + 'context'] !== undefined && !isContext(claims[LTI + 'context'])) {
    throw new LaunchRejected('invalid_context', 'the context claim must be an object whose id is a non-empty string, with title and label strings when given');
  }
  if (messageType === 'LtiResourceLinkRequest') {
    const link = claims[LTI + 'resource_link'] as { id?: unknown } | undefined;
    if (!link || typeof link.id !== 'string' || link.id === '') throw new LaunchRejected('missing_resource_link', 'a resource link launch must carry resource_link.id');
  }
  const deploymentId = claims[LTI + 'deployment_id'];
  if (typeof deploymentId !== 'string' || !(await checks.acceptDeployment(expected.issuer, clientId, deploymentId))) {
    throw new LaunchRejected('unknown_deployment', `deployment_id "${String(deploymentId)}" is not registered for this platform; an administrator can add it with "npm run platform -- add-deployment"`);
  }

  if (!(await checks.useNonce(expected.issuer, expected.nonce, new Date((claims.exp ?? 0) * 1000)))) {
    throw new LaunchRejected('nonce_replayed', 'this id_token was already used (replayed nonce)');
  }
  return claims;
}
