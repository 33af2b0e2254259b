/**
 * Service access tokens (digest §3): OAuth 2 client credentials with a JWT client assertion
 * signed by Laurel's key. One token asks for every scope the client uses, so a whole run needs
 * one. Tokens are cached per (issuer, client id, scope set) for the whole process, so runs over
 * many courses of one platform share them, until a minute before they expire.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ToolCredentials } from './credentials.js';
import { LmsError } from './errors.js';
import { errorFor, readJson, send, type TokenSource, type Transport } from './http.js';
import { record, num, text } from './read.js';
import { SCOPES, howToGrant, purposeOf } from './scopes.js';

interface Granted { accessToken: string; scopes: ReadonlySet<string>; expiresAt: number }

const REQUESTED = Object.values(SCOPES).sort();
const RENEW_BEFORE_EXPIRY_MS = 60_000;
const ASSERTION_LIFETIME_S = 300;
/** RFC 6749 §5.1: expires_in is optional; LMSs issue tokens for an hour. */
const DEFAULT_EXPIRES_IN_S = 3600;

const granted = new Map<string, Granted>();
/** Token requests under way, so concurrent requests (or concurrent 401s) wait for one token. */
const pending = new Map<string, Promise<Granted>>();

export function scopeNotGranted(scope: string): LmsError {
  return new LmsError('scope_not_granted', `The LMS did not grant Laurel the scope ${scope}, so Laurel cannot ${purposeOf(scope)}. ${howToGrant([scope])}`);
}

export class AccessTokens implements TokenSource {
  private readonly key: string;

  constructor(private readonly credentials: ToolCredentials, private readonly transport: Transport) {
    this.key = JSON.stringify([credentials.issuer, credentials.clientId, REQUESTED]);
  }

  async get(anyOf: readonly string[]): Promise<string> {
    const token = await this.current();
    if (!anyOf.some((s) => token.scopes.has(s))) throw scopeNotGranted(anyOf[0]!);
    return token.accessToken;
  }

  invalidate(accessToken: string): void {
    if (granted.get(this.key)?.accessToken === accessToken) granted.delete(this.key);
  }

  private current(): Promise<Granted> {
    const cached = granted.get(this.key);
    if (cached && cached.expiresAt - RENEW_BEFORE_EXPIRY_MS > this.transport.now().getTime()) return Promise.resolve(cached);
    let request = pending.get(this.key);
    if (!request) {
      request = this.request()
        .then((g) => { granted.set(this.key, g); return g; })
        .finally(() => pending.delete(this.key));
      pending.set(this.key, request);
    }
    return request;
  }

  private async request(): Promise<Granted> {
    const { credentials: c, transport: t } = this;
    const issuedAt = Math.floor(t.now().getTime() / 1000);
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: c.kid, typ: 'JWT' })
      .setIssuer(c.clientId)
      .setSubject(c.clientId)
      .setAudience(c.audience ?? c.tokenEndpoint)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S)
      .sign(c.privateKey);
    const res = await send(t, 'POST', c.tokenEndpoint, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: REQUESTED.join(' '),
      }).toString(),
    });
    if (!res.ok) throw await this.refused(res);

    const body = record(await readJson(res, c.tokenEndpoint));
    const accessToken = text(body.access_token);
    if (!accessToken) throw new LmsError('bad_response', `The LMS's token endpoint ${c.tokenEndpoint} answered without an access_token.`, { url: c.tokenEndpoint });
    const scope = text(body.scope);
    return {
      accessToken,
      // RFC 6749 §5.1: no scope in the answer means the scopes requested.
      scopes: new Set(scope ? scope.split(/\s+/) : REQUESTED),
      expiresAt: t.now().getTime() + (num(body.expires_in) ?? DEFAULT_EXPIRES_IN_S) * 1000,
    };
  }

  private async refused(res: Response): Promise<LmsError> {
    const c = this.credentials;
    const oauth = record(await res.clone().json().catch(() => ({})));
    const o = { status: res.status, url: c.tokenEndpoint };
    if (oauth.error === 'invalid_scope') {
      return new LmsError('scope_not_granted', `The LMS granted Laurel none of the scopes it asked for (${REQUESTED.join(', ')}). ${howToGrant(REQUESTED)}`, o);
    }
    if (oauth.error === 'invalid_client' || oauth.error === 'invalid_grant' || oauth.error === 'unauthorized_client') {
      return new LmsError('unauthorized', `The LMS refused Laurel's token request (${res.status} ${String(oauth.error)}: ${text(oauth.error_description) ?? ''}). ` +
        `An administrator checks that Laurel is registered with client id ${c.clientId} and that the LMS has Laurel's current public key (its JWKS URL).`, o);
    }
    return errorFor(res, 'POST', c.tokenEndpoint);
  }
}
