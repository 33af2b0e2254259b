/**
 * The LMS client's HTTP behaviour against a scripted fake LMS: backoff and Retry-After, network
 * failures, a 401 that a fresh token does not cure, token caching, and lenient Link parsing.
 */
import { randomUUID } from 'node:crypto';
import { decodeJwt, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { LmsClient } from '../../src/lms/client.js';
import { lmsSaid, nextLink } from '../../src/lms/http.js';
import { SCOPES } from '../../src/lms/scopes.js';

const LMS = 'https://lms.example.edu';
const TOKEN_URL = `${LMS}/login/oauth2/token`;
const MEMBERS_URL = `${LMS}/api/lti/courses/1/names_and_roles`;
const ALL_SCOPES = Object.values(SCOPES).join(' ');

type Answer = Response | Error;
let privateKey: CryptoKey;

beforeAll(async () => {
  ({ privateKey } = await generateKeyPair('RS256'));
});

/**
 * A client whose LMS answers token requests with `token()` and service requests from `script`
 * in order (then 200 with one member). Records waits and the assertions it was sent.
 */
function fakeLms(script: Answer[], o: { token?: (n: number) => Answer; now?: () => Date } = {}) {
  const waits: number[] = [];
  const assertions: string[] = [];
  let tokens = 0;
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (String(input) === TOKEN_URL) {
      assertions.push(new URLSearchParams(String(init?.body)).get('client_assertion')!);
      const answer = o.token?.(++tokens) ?? Response.json({ access_token: `token-${tokens}`, token_type: 'Bearer', expires_in: 3600, scope: ALL_SCOPES });
      if (answer instanceof Error) throw answer;
      return answer;
    }
    const answer = script.shift() ?? Response.json({ members: [{ user_id: 'u1', roles: ['Learner'] }] });
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const client = new LmsClient(
    { issuer: LMS, clientId: `client-${randomUUID()}`, tokenEndpoint: TOKEN_URL, kid: 'k1', privateKey },
    { fetch, sleep: async (ms) => { waits.push(ms); }, now: o.now },
  );
  return { client, waits, assertions };
}

describe('retries', () => {
  it('backs off exponentially on 5xx, then gives up as unavailable', async () => {
    const { client, waits } = fakeLms(Array.from({ length: 5 }, () => new Response('down', { status: 503 })));
    await expect(client.members(MEMBERS_URL)).rejects.toMatchObject({ kind: 'unavailable', status: 503, url: `${MEMBERS_URL}?limit=100` });
    expect(waits).toEqual([250, 500, 1000, 2000]);
    expect(client.requests).toBe(1 + 5);
  });

  it('honours Retry-After given as an HTTP date, and retries network errors', async () => {
    const now = new Date('2025-03-01T10:00:00Z');
    const { client, waits } = fakeLms([
      new Response('slow down', { status: 429, headers: { 'Retry-After': new Date(now.getTime() + 3000).toUTCString() } }),
      new TypeError('fetch failed'),
    ], { now: () => now });
    expect(await client.members(MEMBERS_URL)).toEqual([{ userId: 'u1', status: 'Active', roles: ['Learner'], source: 'nrps' }]);
    expect(waits).toEqual([3000, 500]);
    expect(client.requestLog.map((r) => r.status)).toEqual([200, 429, undefined, 200]);
  });

  it("retries Canvas's 403 Rate Limit Exceeded but not another 403", async () => {
    const { client, waits } = fakeLms([
      new Response('403 Forbidden (Rate Limit Exceeded)', { status: 403 }),
      Response.json({ errors: { type: 'forbidden', message: 'not this course' } }, { status: 403 }),
    ]);
    await expect(client.members(MEMBERS_URL)).rejects.toMatchObject({ kind: 'unauthorized', status: 403, message: expect.stringContaining('not this course') });
    expect(waits).toEqual([250]);
  });

  it("says what Canvas's 422 body says, not only its status", async () => {
    // A record that failed validation (canvas-lms renders `record.errors`, keyed by attribute).
    const { client } = fakeLms([Response.json({ errors: { title: [{ attribute: 'title', type: 'too_long', message: 'Title is too long' }] } }, { status: 422 })]);
    await expect(client.members(MEMBERS_URL)).rejects.toMatchObject({ kind: 'bad_response', status: 422, message: expect.stringContaining('(title: Title is too long)') });
  });

  it("reads each shape of Canvas's error bodies", () => {
    expect(lmsSaid({ errors: [{ message: 'The specified resource does not exist.' }] })).toBe('The specified resource does not exist.');
    expect(lmsSaid({ errors: { type: 'unprocessable_entity', message: 'Score maximum must be positive' } })).toBe('Score maximum must be positive');
    expect(lmsSaid({ errors: { scoreMaximum: [{ message: 'must be greater than 0' }], label: [{ message: 'blank' }] } })).toBe('scoreMaximum: must be greater than 0; label: blank');
    expect(lmsSaid({ errorMessage: 'Registration token expired' })).toBe('Registration token expired');
    expect(lmsSaid({ message: 'Invalid access token.' })).toBe('Invalid access token.');
    expect(lmsSaid({ error: 'invalid_grant', error_description: 'assertion expired' })).toBe('assertion expired');
    expect(lmsSaid([])).toBeUndefined();
    expect(lmsSaid({ errors: {} })).toBeUndefined();
  });

  it('takes one fresh token on a 401, then reports unauthorized', async () => {
    const { client } = fakeLms([new Response('', { status: 401 }), new Response('', { status: 401 })]);
    await expect(client.members(MEMBERS_URL)).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(client.requestLog.map((r) => `${r.url === TOKEN_URL ? 'token' : 'members'} ${r.status}`)).toEqual(['token 200', 'members 401', 'token 200', 'members 401']);
  });
});

describe('service tokens', () => {
  it('signs a fresh assertion per token and reuses a token until a minute before it expires', async () => {
    let now = new Date('2025-03-01T10:00:00Z');
    const { client, assertions } = fakeLms([], { now: () => now });
    await client.members(MEMBERS_URL);
    await client.members(MEMBERS_URL);
    expect(assertions).toHaveLength(1);
    now = new Date(now.getTime() + 3541_000);
    await client.members(MEMBERS_URL);
    expect(assertions).toHaveLength(2);
    const [a, b] = assertions.map(decodeJwt);
    expect(a).toMatchObject({ iss: a!.sub, aud: TOKEN_URL, exp: a!.iat! + 300 });
    expect(a!.jti).not.toBe(b!.jti);
  });

  it('reads the scopes granted, and says what the token endpoint refused', async () => {
    const partial = fakeLms([], { token: () => Response.json({ access_token: 't', expires_in: 3600, scope: SCOPES.lineItem }) });
    await expect(partial.client.members(MEMBERS_URL)).rejects.toMatchObject({ kind: 'scope_not_granted', message: expect.stringContaining('Names and Role Provisioning') });
    expect(partial.client.requests).toBe(1);

    const none = fakeLms([], { token: () => Response.json({ error: 'invalid_scope' }, { status: 400 }) });
    await expect(none.client.members(MEMBERS_URL)).rejects.toMatchObject({ kind: 'scope_not_granted' });

    const unknown = fakeLms([], { token: () => Response.json({ error: 'invalid_client', error_description: 'unknown key' }, { status: 401 }) });
    await expect(unknown.client.members(MEMBERS_URL)).rejects.toMatchObject({ kind: 'unauthorized', message: expect.stringContaining('unknown key') });
  });
});

describe('nextLink', () => {
  const base = `${LMS}/api/lti/courses/1/line_items`;
  it.each([
    ['<https://x/p2>; rel="next"', 'https://x/p2'],
    ['<https://x/p1>; rel="current",<https://x/p2>; rel="next",<https://x/p9>; rel="last"', 'https://x/p2'],
    ['<https://x/p2>;rel=next', 'https://x/p2'],
    ["<https://x/p2> ; rel = 'next'", 'https://x/p2'],
    ['<https://x/p2>; rel=\\"next\\"', 'https://x/p2'],
    ['<https://x/p2>; rel=“next”', 'https://x/p2'],
    ['<https://x/p?a=1,2&from=10>; rel="next"', 'https://x/p?a=1,2&from=10'],
    ['</api/lti/courses/1/line_items?page=2>; rel="next"', `${LMS}/api/lti/courses/1/line_items?page=2`],
    ['<https://x/p1>; rel="prev", <https://x/p9>; rel="last"', undefined],
    [null, undefined],
  ])('%s', (header, want) => {
    expect(nextLink(header, base)).toBe(want);
  });
});
