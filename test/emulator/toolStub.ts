/**
 * Test helpers playing the tool side against the emulator: a keypair whose JWKS is served on
 * 127.0.0.1, client assertions and service tokens, and reading the emulator's HTML forms.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import type { Emulator } from './index.js';

export interface ToolStub {
  url: string;
  kid: string;
  privateKey: CryptoKey;
  registration: { name: string; initiateLoginUri: string; redirectUris: string[]; jwksUri: string; targetLinkUri: string };
  close(): Promise<void>;
}

/** A tool that only serves its JWKS: the emulator fetches it to verify assertions and deep-link responses. */
export async function startToolStub(): Promise<ToolStub> {
  const kid = `tool-${randomUUID()}`;
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const app = express();
  app.get('/lti/keys', (_req, res) => { res.json({ keys: [jwk] }); });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    kid,
    privateKey,
    registration: {
      name: 'Laurel',
      initiateLoginUri: `${url}/lti/login`,
      redirectUris: [`${url}/lti/launch`],
      jwksUri: `${url}/lti/keys`,
      targetLinkUri: `${url}/lti/launch`,
    },
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

export async function signAsTool(tool: Pick<ToolStub, 'kid' | 'privateKey'>, claims: JWTPayload, key: CryptoKey = tool.privateKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: tool.kid, typ: 'JWT' }).sign(key);
}

export async function clientAssertion(tool: ToolStub, clientId: string, audience: string, overrides: JWTPayload = {}, key?: CryptoKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signAsTool(tool, { iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 300, jti: randomUUID(), ...overrides }, key);
}

export async function requestToken(emu: Emulator, assertion: string, scopes: string[]): Promise<Response> {
  return fetch(emu.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      scope: scopes.join(' '),
    }),
  });
}

export async function accessToken(emu: Emulator, tool: ToolStub, clientId: string, scopes: string[]): Promise<string> {
  const res = await requestToken(emu, await clientAssertion(tool, clientId, emu.endpoints.token), scopes);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The action and hidden fields of the (auto-submitting) form in an HTML page. */
export function readForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form in page: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescape(m[1]!)] = unescape(m[2]!);
  return { action: unescape(action), fields };
}

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

/** Follows `Link: rel="next"` until absent, collecting every page's JSON. */
export async function followPages<T>(firstUrl: string, headers: Record<string, string>): Promise<{ pages: T[]; urls: string[] }> {
  const pages: T[] = [];
  const urls: string[] = [];
  let next: string | undefined = firstUrl;
  while (next) {
    urls.push(next);
    const res: Response = await fetch(next, { headers });
    if (res.status !== 200) throw new Error(`GET ${next}: ${res.status} ${await res.text()}`);
    pages.push((await res.json()) as T);
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    if (urls.length > 50) throw new Error('paging does not end');
  }
  return { pages, urls };
}
