/**
 * Laurel's VC-JWTs and its status list as a VC-JWT, checked by JOSE code we did not write, keys
 * fetched from the running Laurel over HTTP: the RS256 credential JWT and the JWT status list with
 * jose and with jsonwebtoken (node's crypto, not built on jose); the EdDSA credential JWT with
 * did-jwt (what Veramo wallets use), which resolves the issuer's did:web through Laurel's real DID
 * document. A revocation shows in the JWT status list, read bit by bit; a verifier whose clock is
 * minutes behind still accepts the status list in both forms.
 */
import { createPublicKey } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import jsonwebtoken from 'jsonwebtoken';
import { verifyJWT } from 'did-jwt';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { didWebToHttp, httpDocumentLoader } from '../support/outsideVerifier.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';

let laurel: RunningLaurel;
let c: Connected;
beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

async function launchAs(user: { id: string }) {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status).toBe(303);
  const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  return {
    get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
    post: (path: string, body?: object) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body ?? {}),
  };
}

/** A public URL fetched as an outside verifier would: no session, optionally an Accept header. */
const get = (url: string, accept?: string) => {
  const r = request(laurel.url).get(new URL(url).pathname + new URL(url).search).buffer(true).parse((res, done) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => { text += chunk; });
    res.on('end', () => done(null, text));
  });
  return accept ? r.set('Accept', accept) : r;
};

/** The issuer's JWK Set, fetched from where its profile says it is. */
async function issuerJwks(issuerDid: string): Promise<JWK[]> {
  const profileUrl = didWebToHttp(issuerDid).replace(/\/did\.json$/, '');
  const profile = JSON.parse((await get(profileUrl)).body as string) as { publicKeys: { jwks: string } };
  return (JSON.parse((await get(profile.publicKeys.jwks)).body as string) as { keys: JWK[] }).keys;
}

/** jsonwebtoken's check (RS256 only), its key made by node's crypto from the published JWK named by the JWT's kid. */
function verifyWithJsonwebtoken(jwt: string, keys: JWK[], clockTimestamp?: number): jsonwebtoken.JwtPayload {
  const kid = decodeProtectedHeader(jwt).kid;
  const jwk = keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error(`no published key ${kid}`);
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  return jsonwebtoken.verify(jwt, key, { algorithms: ['RS256'], ...(clockTimestamp ? { clockTimestamp } : {}) }) as jsonwebtoken.JwtPayload;
}

/**
 * did:web resolved as a did-jwt wallet resolves it: the DID document fetched from the issuer's
 * host (over http here: the test Laurel has no TLS), nothing known in advance.
 */
const didWebResolver = {
  resolve: async (didUrl: string) => {
    const did = didUrl.split('#')[0]!;
    const res = await fetch(didWebToHttp(did));
    if (!res.ok) return { didDocument: null, didDocumentMetadata: {}, didResolutionMetadata: { error: 'notFound', message: `${res.status} from ${didWebToHttp(did)}` } };
    return { didDocument: await res.json(), didDocumentMetadata: {}, didResolutionMetadata: { contentType: 'application/did+json' } };
  },
};

/** The status bit at `index` of a JWT status list's encodedList: multibase "u", base64url, GZIP. */
function bitOf(encodedList: string, index: number): boolean {
  expect(encodedList.startsWith('u')).toBe(true);
  const bits = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
  return (bits[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

describe('VC-JWTs and the JWT status list, checked by JOSE verifiers Laurel did not write', () => {
  let staff: Awaited<ReturnType<typeof launchAs>>;
  let awards: { id: string; userId: string; links: Record<string, string> }[];
  let credential: Record<string, any>;
  let keys: JWK[];

  beforeAll(async () => {
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    staff = await launchAs(instructor);
    await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
    const columns = (await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
    const quiz = columns.find((l) => l.label === 'Quiz 1')!;
    const created = await staff.post('/api/course/badges', {
      name: 'Quiz 1 mastery', description: 'Showed mastery of the first quiz.', validFor: 'P1Y',
      rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz.id, percent: 50 }] },
    });
    expect(created.status).toBe(201);
    const started = await staff.post('/api/course/evaluations');
    expect(started.status).toBe(202);
    for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
      const job = (await staff.get(started.headers.location)).body;
      if (job.status === 'done') break;
      if (job.status === 'failed') throw new Error(job.error);
      await new Promise((r) => setTimeout(r, 100));
    }
    awards = (await staff.get('/api/course/awards')).body.awards.filter((a: { badgeId: string; links?: object }) => a.badgeId === created.body.id && a.links);
    expect(awards.length).toBeGreaterThan(1);
    credential = JSON.parse((await get(awards[0]!.links.credential)).body as string);
    keys = await issuerJwks(credential.issuer.id);
  });

  it('the RS256 VC-JWT verifies with jose and with jsonwebtoken; one changed character fails both', async () => {
    const jwt = (await get(awards[0]!.links.jwt)).body as string;
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet({ keys }), { algorithms: ['RS256'] });
    expect(protectedHeader.alg).toBe('RS256');
    const other = verifyWithJsonwebtoken(jwt, keys);
    expect(other).toEqual(payload);
    expect(other.jti).toBe(credential.id);
    expect(other.iss).toBe(credential.issuer.id);

    const [header, body, signature] = jwt.split('.');
    const changed = `${header}.${Buffer.from(Buffer.from(body!, 'base64url').toString().replace('Quiz 1', 'Quiz 2')).toString('base64url')}.${signature}`;
    await expect(jwtVerify(changed, createLocalJWKSet({ keys }), { algorithms: ['RS256'] })).rejects.toThrow(/signature/i);
    expect(() => verifyWithJsonwebtoken(changed, keys)).toThrow(/invalid signature/);
  });

  it('the EdDSA VC-JWT verifies with did-jwt, the key found in the DID document Laurel serves; RS256 stays the default', async () => {
    const res = await get(awards[0]!.links.jwtEdDsa!);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/vc\+jwt/);
    const jwt = res.body as string;
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'EdDSA', typ: 'JWT' });
    const verified = await verifyJWT(jwt, { resolver: didWebResolver, proofPurpose: 'assertionMethod' });
    expect(verified.verified).toBe(true);
    expect(verified.issuer).toBe(credential.issuer.id);
    expect(verified.signer.id).toBe(decodeProtectedHeader(jwt).kid);
    expect(verified.signer.type).toBe('Multikey');
    // The same credential as the RS256 JWT carries.
    const rs256 = decodeJwt((await get(awards[0]!.links.jwt)).body as string);
    expect(verified.payload).toEqual(rs256);

    const [header, body, signature] = jwt.split('.');
    const changed = `${header}.${Buffer.from(Buffer.from(body!, 'base64url').toString().replace('Quiz 1', 'Quiz 2')).toString('base64url')}.${signature}`;
    await expect(verifyJWT(changed, { resolver: didWebResolver, proofPurpose: 'assertionMethod' })).rejects.toThrow(/signature/i);
    // did-jwt cannot check the RS256 one at all: why the EdDSA form exists.
    await expect(verifyJWT((await get(awards[0]!.links.jwt)).body as string, { resolver: didWebResolver })).rejects.toThrow();
  });

  it('offers the EdDSA VC-JWT beside the RS256 one on the learner\'s page and on the public page', async () => {
    const learner = await launchAs({ id: awards[0]!.userId });
    const mine = (await learner.get('/me')).text;
    const rs256 = mine.match(/href="([^"]+\/credentials\/[^"]+\.jwt\?download)"/)![1]!;
    const eddsa = mine.match(/href="([^"]+\.eddsa\.jwt\?download)"/)![1]!;
    expect(mine.indexOf(rs256)).toBeLessThan(mine.indexOf(eddsa)); // RS256 first: the OB 3.0 one
    expect(mine).toContain('JWT for did-jwt wallets (EdDSA)');
    const downloaded = await get(new URL(eddsa, laurel.url).href);
    expect(downloaded.headers['content-disposition']).toMatch(/attachment; filename="Quiz 1 mastery\.eddsa\.jwt"/);
    expect(decodeProtectedHeader(downloaded.body as string).alg).toBe('EdDSA');
    const page = (await get(awards[0]!.links.page)).body as string;
    expect(page).toContain(`href="${awards[0]!.links.jwtEdDsa}"`);
  });

  it('serves the status list as a VC-JWT at the URL the credential names (Accept: application/vc+jwt) and at its .jwt URL; JSON stays the default', async () => {
    const url = credential.credentialStatus.statusListCredential as string;
    const asJwt = await get(url, 'application/vc+jwt');
    expect(asJwt.status).toBe(200);
    expect(asJwt.headers['content-type']).toMatch(/application\/vc\+jwt/);
    expect(asJwt.headers.vary).toMatch(/Accept/);
    expect(asJwt.headers['access-control-allow-origin']).toBe('*');
    const ownUrl = await get(`${url}.jwt`);
    expect(ownUrl.headers['content-type']).toMatch(/application\/vc\+jwt/);
    expect(ownUrl.body).toBe(asJwt.body);
    for (const accept of [undefined, '*/*', 'application/json', 'application/vc+ld+json, application/vc+jwt;q=0.5']) {
      const json = await get(url, accept);
      expect(json.headers['content-type'], String(accept)).toMatch(/application\/vc\+ld\+json/);
      expect(JSON.parse(json.body as string).proof).toBeDefined();
    }
    expect((await get(`${url}-none.jwt`)).status).toBe(404);

    const jwt = asJwt.body as string;
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet({ keys }), { algorithms: ['RS256'] });
    expect(protectedHeader.alg).toBe('RS256');
    expect(verifyWithJsonwebtoken(jwt, keys)).toEqual(payload);
    expect(payload).toMatchObject({ id: url, iss: credential.issuer.id, jti: url, type: ['VerifiableCredential', 'BitstringStatusListCredential'], credentialSubject: { statusPurpose: 'revocation' } });
  });

  it('shows a revocation in the JWT status list at once: the credential\'s bit is set, verified by jose and jsonwebtoken', async () => {
    const target = JSON.parse((await get(awards[1]!.links.credential)).body as string);
    const bystander = credential;
    const url = target.credentialStatus.statusListCredential as string;
    const read = async (c: Record<string, any>) => {
      const jwt = (await get(url, 'application/vc+jwt')).body as string;
      const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys }), { algorithms: ['RS256'] });
      const other = verifyWithJsonwebtoken(jwt, keys);
      expect(other.credentialSubject.encodedList).toBe((payload.credentialSubject as { encodedList: string }).encodedList);
      return bitOf(other.credentialSubject.encodedList, Number(c.credentialStatus.statusListIndex));
    };
    expect(await read(target)).toBe(false);
    expect((await staff.post(`/api/course/awards/${awards[1]!.id}/revoke`, { reason: 'Mis-graded quiz' })).status).toBe(200);
    expect(await read(target)).toBe(true);
    if (bystander.credentialStatus.statusListCredential === url) expect(await read(bystander)).toBe(false);
    // The .jwt URL says the same.
    const own = decodeJwt((await get(`${url}.jwt`)).body as string) as { credentialSubject: { encodedList: string } };
    expect(bitOf(own.credentialSubject.encodedList, Number(target.credentialStatus.statusListIndex))).toBe(true);
  });

  it('is not "not yet valid" to a verifier whose clock is ten minutes behind, in either form', async () => {
    const url = credential.credentialStatus.statusListCredential as string;
    // Signed just now (a revocation above changed it): the case a slow clock used to reject.
    const behind = new Date(Date.now() - 10 * 60_000);
    const jwt = (await get(url, 'application/vc+jwt')).body as string;
    await jwtVerify(jwt, createLocalJWKSet({ keys }), { algorithms: ['RS256'], currentDate: behind, clockTolerance: 0 });
    verifyWithJsonwebtoken(jwt, keys, Math.floor(behind.getTime() / 1000));
    const list = JSON.parse((await get(url)).body as string);
    expect(Date.parse(list.validFrom)).toBeLessThan(behind.getTime());
    const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
    const result = await vc.verifyCredential({ credential: list, suite, documentLoader: httpDocumentLoader, now: behind, maxClockSkew: 0 } as never);
    expect(result.verified, JSON.stringify(result.error)).toBe(true);
  });
});
