/**
 * Laurel's credentials checked by the Digital Credentials Consortium's verifier-core (the engine
 * of the Learner Credential Wallet and VerifierPlus), as an employer's software would: Laurel on
 * HTTPS at its own host name, the issuer's did:web resolved over HTTPS, and no network but
 * Laurel's host. verifier-core builds its own document loader (the DCC security-document-loader,
 * remote contexts allowed) and takes none from us, so the guard sits under it: this process's DNS
 * answers Laurel's and the LMS's names only and refuses every other, and each refusal is
 * recorded. A context verifier-core does not ship would be fetched, refused, and fail the test.
 * The one other file it fetches, 1EdTech's JSON schema, is answered from 1EdTech's own copy, as
 * a verifier that bundles it would (it checks the schema itself, after the proof).
 */
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyCredential } from '@digitalcredentials/verifier-core';
import { startCrossSiteDemo, LAUREL_HOST, LMS_HOST } from '../support/crossSite.js';
import { startLaunch, finishLaunch } from '../support/lms.js';
import { demoLearner } from '../demo/demoBadges.js';
import { IssuedCredentialModel } from '../../src/store/issuedCredential.js';
import { awardById } from '../../src/store/award.js';
import { revoke } from '../../src/awards/revoke.js';
import { rotateIssuerKeys } from '../../src/store/issuerKeys.js';
import { unbakePng } from '../../src/credentials/baking/png.js';
import { unbakeSvg } from '../../src/credentials/baking/svg.js';
import type { Demo } from '../demo/demoCourse.js';

const SCHEMA_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';
const schemaCopy = readFileSync(new URL('../../../shared/fixtures/openbadges/schema/ob_v3p0_achievementcredential.json', import.meta.url), 'utf8');

/** Host names and URLs verifier-core tried to reach outside Laurel: each one a failure. */
const refused: string[] = [];
const fetched: string[] = [];

function guardNetwork(): void {
  const lookup = dns.lookup; // already answers laurel.test and lms.test (resolveTestHosts)
  dns.lookup = ((hostname: string, options: unknown, callback?: unknown) => {
    if (hostname === LAUREL_HOST || hostname === LMS_HOST || hostname === '127.0.0.1' || hostname === 'localhost') {
      return (lookup as (...a: unknown[]) => void)(hostname, options, callback);
    }
    refused.push(hostname);
    const cb = (typeof options === 'function' ? options : callback) as (err: Error) => void;
    process.nextTick(() => cb(Object.assign(new Error(`refused by the test: ${hostname} is not Laurel`), { code: 'ENOTFOUND' })));
  }) as typeof dns.lookup;
  const fetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    fetched.push(url);
    if (url === SCHEMA_URL) return new Response(schemaCopy, { headers: { 'content-type': 'application/json' } });
    if (new URL(url).hostname !== LAUREL_HOST) {
      refused.push(url);
      throw new TypeError(`refused by the test: ${url} is not Laurel`);
    }
    return fetch(input, init);
  }) as typeof fetch;
}

let demo: Demo;
/** Every credential the demo issued, after the learner's launch and an evaluation of the whole course. */
let demoCredentials: string[] = [];
let issued: { publicId: string; courseKey: string; issuerKey: string; credential: Record<string, unknown> };

async function get(path: string): Promise<Response> {
  const res = await fetch(`${demo.laurelUrl}${path}`);
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res;
}

beforeAll(async () => {
  demo = await startCrossSiteDemo('canvas');
  // The demo's learner launches Laurel from the course: Laurel evaluates their grades, awards
  // "Quiz 1 Mastery" and signs the credential, as it does for every learner's launch.
  const learner = demoLearner(demo.emulator);
  const clientId = new URL(demo.learnerUrl).searchParams.get('client_id')!;
  const steps = await startLaunch({ emulator: demo.emulator, clientId, deploymentId: '' }, { userId: learner.id });
  const page = await steps.browser.redirects(await finishLaunch(steps));
  expect(page.status).toBe(200);
  for (let i = 0; i < 100 && !(await IssuedCredentialModel.countDocuments({ userId: learner.id })); i++) await new Promise((ok) => setTimeout(ok, 100));
  const stored = (await IssuedCredentialModel.findOne({ userId: learner.id }).lean())!;
  expect(stored, 'the learner\'s launch issued a credential').toBeTruthy();
  issued = { publicId: stored._id, courseKey: stored.courseKey, issuerKey: stored.issuerKey, credential: JSON.parse(stored.credentialJson) as Record<string, unknown> };
  // Then the instructor evaluates the whole course, as "Evaluate now" does: every badge the demo
  // defines is awarded to whoever meets it, and each award signed.
  const instructor = new URL(demo.instructorUrl).searchParams.get('user')!;
  const launched = await finishLaunch(await startLaunch({ emulator: demo.emulator, clientId, deploymentId: '' }, { userId: instructor }));
  const ltik = new URL(launched.headers.location, demo.laurelUrl).searchParams.get('ltik')!;
  const api = (method: string, path: string) => fetch(`${demo.laurelUrl}${path}`, { method, headers: { authorization: `Bearer ${ltik}`, accept: 'application/json', 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined }).then((r) => r.json());
  let job = await api('POST', '/api/course/evaluations') as { id: string; status: string };
  for (let i = 0; i < 300 && /queued|running/.test(job.status); i++) {
    await new Promise((ok) => setTimeout(ok, 200));
    job = await api('GET', `/api/course/evaluations/${job.id}`);
  }
  expect(job.status).toBe('done');
  demoCredentials = (await IssuedCredentialModel.find({ courseKey: stored.courseKey }).lean()).map((c) => c._id);
  // From here on, Laurel (in this process too) only answers; it need not reach the LMS.
  guardNetwork();
}, 60_000);
afterAll(async () => { await demo?.stop(); });
beforeEach(() => { refused.length = 0; });

type Result = Awaited<ReturnType<typeof verifyCredential>> & { errors?: { name: string; message: string }[]; log?: { id: string; valid?: boolean; error?: { name: string } }[] };

async function check(credential: unknown): Promise<Result> {
  return (await verifyCredential({ credential: credential as never, knownDIDRegistries: [] })) as Result;
}

const step = (r: Result, id: string) => r.log?.find((s) => s.id === id);

describe('verifier-core (the DCC\'s verifier) checks what Laurel serves, offline but for Laurel', () => {
  it('the credential Laurel serves as JSON verifies: signature, issuer, status, expiry, and 1EdTech\'s schema', async () => {
    const credential = await (await get(`/credentials/${issued.publicId}`)).json();
    expect(credential['@context']).toContain('https://purl.imsglobal.org/spec/ob/v3p0/extensions.json');
    // Quiz 1 Mastery is renewed: its refresh service, a type 1EdTech's extensions define, is part of what verifies.
    expect(credential.refreshService).toEqual({ id: `${demo.laurelUrl}/credentials/${issued.publicId}/latest`, type: '1EdTechCredentialRefresh' });
    const result = await check(credential);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.log).toEqual(expect.arrayContaining([
      { id: 'valid_signature', valid: true },
      { id: 'revocation_status', valid: true },
      { id: 'expiration', valid: true },
    ]));
    expect((result as { additionalInformation?: unknown }).additionalInformation).toEqual([
      { id: 'schema_check', results: [expect.objectContaining({ schema: SCHEMA_URL, result: { valid: true } })] },
    ]);
    expect(refused).toEqual([]);
    expect(fetched.filter((u) => !u.startsWith(demo.laurelUrl) && u !== SCHEMA_URL)).toEqual([]);
  });

  it('the credential baked in the PNG and in the SVG Laurel serves verifies the same', async () => {
    const png = unbakePng(Buffer.from(await (await get(`/credentials/${issued.publicId}.png`)).arrayBuffer()), 'openbadgecredential');
    const svg = unbakeSvg(await (await get(`/credentials/${issued.publicId}.svg`)).text());
    expect(svg).toMatchObject({ version: 3 });
    for (const baked of [JSON.parse(png!), (svg as { credential: object }).credential]) {
      const result = await check(baked);
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect(step(result, 'valid_signature')).toEqual({ id: 'valid_signature', valid: true });
    }
    expect(refused).toEqual([]);
  });

  it('a changed word is caught: the signature is not valid', async () => {
    const credential = await (await get(`/credentials/${issued.publicId}`)).json();
    credential.credentialSubject.achievement.name = 'Quiz 9 Mastery';
    const result = await check(credential);
    expect(result.errors).toEqual([expect.objectContaining({ name: 'invalid_signature', message: 'The signature is not valid.' })]);
    expect(refused).toEqual([]);
  });

  it('after a key rotation, the credential the old key signed still verifies (the old key stays published)', async () => {
    await rotateIssuerKeys(issued.issuerKey);
    const result = await check(await (await get(`/credentials/${issued.publicId}`)).json());
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(step(result, 'valid_signature')).toEqual({ id: 'valid_signature', valid: true });
  });

  it('past its validUntil, it reports the credential expired, its signature still valid', async () => {
    const credential = await (await get(`/credentials/${issued.publicId}`)).json();
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(Date.parse(credential.validUntil) + 86_400_000) });
    try {
      const result = await check(credential);
      expect(step(result, 'valid_signature')).toEqual({ id: 'valid_signature', valid: true });
      expect(step(result, 'expiration')).toMatchObject({ id: 'expiration', valid: false });
    } finally {
      vi.useRealTimers();
    }
  });

  it('once the award is revoked, it reads the bit in Laurel\'s status list and reports it', async () => {
    const award = (await awardById(issued.publicId))!;
    expect(award).toBeTruthy();
    await revoke(issued.courseKey, award.id, 'Awarded in error', 'test');
    const result = await check(await (await get(`/credentials/${issued.publicId}`)).json());
    expect(step(result, 'valid_signature')).toEqual({ id: 'valid_signature', valid: true });
    expect(step(result, 'revocation_status')).toMatchObject({ id: 'revocation_status', valid: false });
    expect(refused).toEqual([]);
  });

  it('every credential the demo issues verifies, each badge of the course', async () => {
    expect(demoCredentials.length).toBeGreaterThan(2);
    const badges = new Set<string>();
    // (The first one was revoked above, after a key rotation: the others were signed before it too.)
    for (const publicId of demoCredentials.filter((id) => id !== issued.publicId)) {
      const credential = await (await get(`/credentials/${publicId}`)).json();
      const result = await check(credential);
      expect(result.errors, `${publicId}: ${JSON.stringify(result.errors)}`).toBeUndefined();
      expect(step(result, 'valid_signature'), publicId).toEqual({ id: 'valid_signature', valid: true });
      badges.add(credential.credentialSubject.achievement.name);
    }
    expect(badges.size, [...badges].join(', ')).toBeGreaterThan(1);
    expect(refused).toEqual([]);
  });

  it('a context it does not ship is fetched, and the guard refuses it (the test would fail on one Laurel emitted); last, as its retries outlive it', async () => {
    const credential = await (await get(`/credentials/${issued.publicId}`)).json();
    credential['@context'] = [...credential['@context'], 'https://www.w3.org/ns/credentials/undefined-terms/v2'];
    const result = await check(credential);
    expect(result.errors).toEqual([expect.objectContaining({ message: 'The signature is not valid.' })]);
    expect(refused).toEqual(expect.arrayContaining(['https://www.w3.org/ns/credentials/undefined-terms/v2']));
    refused.length = 0;
  });
});

/** Every `@context` a JSON-LD document names, however deep (a credential's embedded parts too). */
function contextsIn(doc: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(doc)) for (const d of doc) contextsIn(d, found);
  else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (k === '@context') for (const c of [v].flat()) { if (typeof c === 'string') found.add(c); else contextsIn(c, found); }
      else contextsIn(v, found);
    }
  }
  return found;
}

describe('the contexts Laurel emits', () => {
  it('in credentials, status lists and the issuer profile are all ones the verifiers ship (the DCC\'s security loader, offline); OB 2.0 documents name OB 2.0\'s own', async () => {
    const { securityLoader } = await import('@digitalcredentials/security-document-loader');
    const shipped = securityLoader({ fetchRemoteContexts: false }).build();
    const credential = await (await get(`/credentials/${issued.publicId}`)).json();
    const json = (path: string) => fetch(path.startsWith('http') ? path : `${demo.laurelUrl}${path}`, { headers: { accept: 'application/ld+json, application/json' } }).then((r) => r.json());
    const issuerRoot = `/issuers/${issued.issuerKey}`;
    const vc = [credential, await json(credential.credentialStatus.statusListCredential), await json(issuerRoot)];
    const ob2 = [await json(`/ob2/assertions/${issued.publicId}`), await json(`/ob2/issuers/${issued.issuerKey}`), await json(`/ob2/issuers/${issued.issuerKey}/revocations`)];
    const badgeClass = ob2[0].badge;
    if (typeof badgeClass === 'string') ob2.push(await json(badgeClass));

    const outside: string[] = [];
    for (const url of contextsIn(vc)) await shipped(url).catch(() => outside.push(url));
    expect(outside, 'contexts a verifier would have to fetch').toEqual([]);
    expect([...contextsIn(ob2)]).toEqual(['https://w3id.org/openbadges/v2']);
    // The DID document is read as plain JSON by the did:web resolvers (the DCC's and Digital
    // Bazaar's), never expanded: its DID and Multikey contexts are the ones their packages
    // carry, and the JWK one only names JsonWebKey for JSON-LD readers.
    const did = await json(`${issuerRoot}/did.json`);
    expect(did['@context']).toEqual(['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1', 'https://w3id.org/security/jwk/v1']);
  });
});
