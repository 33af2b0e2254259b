/**
 * The OAuth 2 token endpoint for LTI services (digest §3): client credentials with a JWT client
 * assertion signed by the tool's key, verified against its registered JWKS URL.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { decodeJwt, jwtVerify } from 'jose';
import { signJwt } from './keys.js';
import type { Platform } from './platform.js';
import { findTool, toolKeys } from './tools.js';

const ACCESS_TOKEN_SECONDS = 3600;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export function tokenEndpoint(p: Platform) {
  return async (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const fail = (status: number, error: string, description: string) => res.status(status).json({ error, error_description: description });

    if (body.grant_type !== 'client_credentials') return fail(400, 'unsupported_grant_type', 'grant_type must be client_credentials.');
    if (body.client_assertion_type !== JWT_BEARER) return fail(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER}.`);
    if (!body.client_assertion) return fail(400, 'invalid_request', 'client_assertion is required.');

    let clientId: unknown;
    try {
      clientId = decodeJwt(body.client_assertion).sub;
    } catch {
      return fail(401, 'invalid_client', 'client_assertion is not a JWT.');
    }
    const tool = findTool(p, clientId);
    if (!tool) return fail(401, 'invalid_client', `No tool registered with client id "${String(clientId)}".`);

    const tokenUrl = `${p.sso}${p.paths.token}`;
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(body.client_assertion, toolKeys(tool), {
        algorithms: ['RS256'],
        issuer: tool.clientId,
        subject: tool.clientId,
        audience: tokenUrl,
        requiredClaims: ['exp', 'iat', 'jti'],
      }));
    } catch (e) {
      return fail(401, 'invalid_client', `client_assertion rejected: ${(e as Error).message} (audience must be ${tokenUrl}, signed RS256 with a key from ${tool.jwksUri}).`);
    }
    if (p.usedJtis.has(claims.jti!)) return fail(400, 'invalid_grant', `client_assertion jti "${claims.jti}" was already used.`);
    p.usedJtis.add(claims.jti!);

    const requested = (body.scope ?? '').split(' ').filter(Boolean);
    const granted = requested.filter((s) => tool.scopes.includes(s));
    if (granted.length === 0) {
      return fail(400, 'invalid_scope', requested.length ? `None of the requested scopes is granted to this tool (granted: ${tool.scopes.join(' ')}).` : 'scope is required.');
    }
    const accessToken = await newAccessToken(p, tool.clientId);
    p.accessTokens.set(accessToken, { clientId: tool.clientId, scopes: granted, expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000 });
    res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, scope: granted.join(' ') });
  };
}

/** Canvas hands out a signed JWT, Moodle a 32-hex string; both are opaque to the tool. */
async function newAccessToken(p: Platform, clientId: string): Promise<string> {
  if (p.flavour === 'moodle') return randomBytes(16).toString('hex');
  const now = Math.floor(Date.now() / 1000);
  return signJwt(p.keys, { iss: p.issuer, sub: clientId, aud: `${p.sso}${p.paths.token}`, iat: now, exp: now + ACCESS_TOKEN_SECONDS, jti: randomBytes(12).toString('hex') });
}

/** Makes every issued access token expired: the next service call answers 401. */
export function expireTokens(p: Platform): void {
  for (const t of p.accessTokens.values()) t.expiresAt = 0;
}
