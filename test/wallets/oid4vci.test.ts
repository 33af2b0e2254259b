/**
 * OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow, against a real Laurel
 * over HTTP, played by a wallet we did not write: @openid4vc/openid4vci's Openid4vciClient
 * (OpenWallet Foundation), with its signing and hashing callbacks done by jose and node:crypto
 * for three holders (an Ed25519 did:key, a P-256 did:jwk, a P-256 key sent as a jwk header).
 * It takes the offer createCredentialOffer makes (with and without tx_code), reads the metadata,
 * gets a token, proves its key and receives both forms of the badge. The credentials are then
 * checked as an outsider checks them, offline from Laurel's code (test/support/outsideVerifier.ts:
 * @digitalbazaar/vc, jose, the status list bit, 1EdTech's JSON schema), and revoking the award
 * shows on every copy. Every refusal is made on the wire and issues nothing: the course's audit
 * log, where each copy a wallet receives is written, stays as it was.
 *
 * The client is told to take http:// URLs (setGlobalConfig allowInsecureUrls): the test Laurel
 * speaks plain HTTP on loopback; everything else is the library as a wallet ships it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { SignJWT, type JWTPayload } from 'jose';
import { setGlobalConfig, type IssuerMetadataResult } from '@openid4vc/openid4vci';
import { Oauth2ClientErrorResponseError, type JwtSigner } from '@openid4vc/oauth2';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { ed25519DidKey, JWT, LDP, p256DidJwk, p256JwkHeader, receive, walletOf, type Holder } from '../support/oid4vciWallet.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { isRevoked, ob3SchemaValidator, verifyDataIntegrity, verifyJwt } from '../support/outsideVerifier.js';
import { expectHolderCopy } from '../support/walletCopy.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';
import { credentialByPublicId, type IssuedCredential } from '../../src/store/issuedCredential.js';
import { auditOfCourse } from '../../src/store/auditLog.js';
import { Oid4vciOfferModel, offerKey } from '../../src/store/oid4vciOffer.js';
import { Oid4vciAccessTokenModel, accessTokenKey } from '../../src/store/oid4vciAccessToken.js';
import { createCredentialOffer } from '../../src/wallets/oid4vci/offer.js';

setGlobalConfig({ allowInsecureUrls: true });

const PRE_AUTHORIZED = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

let laurel: RunningLaurel;
let c: Connected;
let instructorLtik: string;
let issuerKey: string;
let issuer: string;
/** The award a wallet receives (revoked at the end), and one the refusals aim at. */
let held: IssuedCredential;
let target: IssuedCredential;
/** Every code, tx_code and token the tests handled: none may reach a log line. */
const secrets: string[] = [];

async function offerFor(issued: IssuedCredential, txCode: boolean) {
  const offer = await createCredentialOffer(issued, { txCode });
  const json = JSON.parse(new URL(offer.offerUri).searchParams.get('credential_offer')!);
  const code = json.grants[PRE_AUTHORIZED]['pre-authorized_code'] as string;
  secrets.push(code, ...(offer.txCode ? [offer.txCode] : []));
  return { ...offer, json, code };
}

/** The copies wallets received, as the course's audit log counts them. */
async function walletCopies(): Promise<number> {
  return (await auditOfCourse(held.courseKey)).filter((e) => e.action === 'award.toWallet').length;
}

// --- The wire, for the refusals: each request as a wallet would send it, with one thing wrong. ---

const path = (url: string) => new URL(url).pathname;
const endpoints = () => ({ token: `/issuers/${issuerKey}/oid4vci/token`, nonce: `/issuers/${issuerKey}/oid4vci/nonce`, credential: `/issuers/${issuerKey}/oid4vci/credential` });

async function tokenFor(code: string, txCode?: string) {
  return request(laurel.url).post(endpoints().token).type('form').send({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': code, ...(txCode !== undefined ? { tx_code: txCode } : {}) });
}

async function accessTokenFor(issued: IssuedCredential): Promise<string> {
  const { code } = await offerFor(issued, false);
  const res = await tokenFor(code);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  secrets.push(res.body.access_token);
  return res.body.access_token as string;
}

async function freshNonce(): Promise<string> {
  const res = await request(laurel.url).post(endpoints().nonce);
  expect(res.status).toBe(200);
  return res.body.c_nonce as string;
}

interface ProofOptions { holder: Holder; nonce?: string | null; aud?: string; iat?: number; typ?: string; signWith?: CryptoKey }
async function proofJwt({ holder, nonce, aud = issuer, iat = Math.floor(Date.now() / 1000), typ = 'openid4vci-proof+jwt', signWith }: ProofOptions): Promise<string> {
  const header = holder.signer.method === 'jwk' ? { alg: holder.signer.alg, typ, jwk: holder.publicJwk } : { alg: holder.signer.alg, typ, kid: (holder.signer as { didUrl: string }).didUrl };
  const payload: JWTPayload = { aud, iat, ...(nonce === null ? {} : { nonce: nonce ?? (await freshNonce()) }) };
  return new SignJWT(payload).setProtectedHeader(header as never).sign(signWith ?? holder.privateKey);
}

function askCredential(accessToken: string | undefined, body: object) {
  const req = request(laurel.url).post(endpoints().credential).set('Content-Type', 'application/json');
  return (accessToken ? req.set('Authorization', `Bearer ${accessToken}`) : req).send(body);
}

/** Runs `attempt`, and says what it answered and whether any wallet got a copy meanwhile. */
async function refused(attempt: () => Promise<request.Response>) {
  const before = await walletCopies();
  const res = await attempt();
  return { status: res.status, error: res.body.error as string, description: res.body.error_description as string, issued: (await walletCopies()) - before, res };
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const launched = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  instructorLtik = new URL(launched.headers.location, laurel.url).searchParams.get('ltik')!;
  const staff = (method: 'get' | 'post', p: string, body?: object) => request(laurel.url)[method](p).set('Authorization', `Bearer ${instructorLtik}`).send(body);
  await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
  const badge = await staff('post', '/api/course/badges', { name: 'Lab Safety', description: 'Knows the lab rules.', rules: { kind: 'approval' } });
  expect(badge.status, JSON.stringify(badge.body)).toBe(201);
  const learners = c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');
  const awarded = [];
  for (const learner of learners.slice(0, 2)) {
    const res = await staff('post', '/api/course/awards', { badgeId: badge.body.id, userId: learner.id });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    awarded.push((await credentialByPublicId(res.body.id))!);
  }
  [held, target] = awarded as [IssuedCredential, IssuedCredential];
  issuerKey = held.issuerKey;
  issuer = `${laurel.url}/issuers/${issuerKey}`;
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

describe('the issuer a wallet discovers', () => {
  it('publishes its metadata at the well-known URLs of OpenID4VCI 1.0 and RFC 8414, with both forms of the badge, and knows no other issuer', async () => {
    const metadata = await request(laurel.url).get(`/.well-known/openid-credential-issuer/issuers/${issuerKey}`);
    expect(metadata.status).toBe(200);
    expect(metadata.headers['access-control-allow-origin']).toBe('*');
    expect(metadata.body).toMatchObject({
      credential_issuer: issuer, credential_endpoint: `${issuer}/oid4vci/credential`, nonce_endpoint: `${issuer}/oid4vci/nonce`,
      display: expect.arrayContaining([{ name: 'Example University', locale: 'en' }]),
    });
    const { [LDP]: ldp, [JWT]: jwt } = metadata.body.credential_configurations_supported;
    expect(ldp).toMatchObject({ format: 'ldp_vc', credential_signing_alg_values_supported: ['eddsa-rdfc-2022'], credential_definition: { type: ['VerifiableCredential', 'OpenBadgeCredential'] } });
    expect(ldp.credential_definition['@context']).toEqual(held.credential['@context']);
    expect(jwt).toMatchObject({ format: 'jwt_vc_json', credential_signing_alg_values_supported: ['RS256'], credential_definition: { type: ['VerifiableCredential', 'OpenBadgeCredential'] } });
    for (const configuration of [ldp, jwt]) {
      expect(configuration.cryptographic_binding_methods_supported).toEqual(['did:key', 'did:jwk', 'jwk']);
      expect(configuration.proof_types_supported).toEqual({ jwt: { proof_signing_alg_values_supported: ['ES256', 'EdDSA'] } });
      expect(configuration.credential_metadata.display.map((d: { locale: string }) => d.locale)).toEqual(['en', 'fr']);
    }

    const server = await request(laurel.url).get(`/.well-known/oauth-authorization-server/issuers/${issuerKey}`);
    expect(server.status).toBe(200);
    expect(server.body).toMatchObject({ issuer, token_endpoint: `${issuer}/oid4vci/token`, 'pre-authorized_grant_anonymous_access_supported': true });

    // The wallet reads them as OpenID4VCI 1.0, both configurations in a form it knows.
    const resolved: IssuerMetadataResult = await walletOf(await ed25519DidKey()).resolveIssuerMetadata(issuer);
    expect(resolved.originalDraftVersion).toBe('V1');
    expect(Object.keys(resolved.knownCredentialConfigurations).sort()).toEqual([JWT, LDP]);
    expect(resolved.authorizationServers[0]).toMatchObject({ issuer, token_endpoint: `${issuer}/oid4vci/token` });

    for (const p of ['/.well-known/openid-credential-issuer/issuers/nobody', '/.well-known/oauth-authorization-server/issuers/nobody', '/issuers/nobody/oid4vci/nonce']) {
      const res = p.endsWith('nonce') ? await request(laurel.url).post(p) : await request(laurel.url).get(p);
      expect([p, res.status, res.body.error]).toEqual([p, 404, 'unknown_issuer']);
    }
  });

  it('lets a wallet in a browser call from any origin: CORS preflight, no cookies', async () => {
    const preflight = await request(laurel.url).options(endpoints().credential).set('Origin', 'https://wallet.example').set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(preflight.headers['access-control-allow-methods']).toMatch(/POST/);
    const nonce = await request(laurel.url).post(endpoints().nonce).set('Origin', 'https://wallet.example');
    expect(nonce.headers['access-control-allow-origin']).toBe('*');
    expect(nonce.headers['cache-control']).toBe('no-store');
    expect(nonce.headers['set-cookie']).toBeUndefined();
    expect(nonce.body).toEqual({ c_nonce: expect.stringMatching(/^[\w-]{32}$/) });
  });
});

describe('a wallet we did not write adds the badge', () => {
  const copies: { holder: Holder; ldp?: Record<string, any>; jwt?: string }[] = [];

  async function checkCopies(holder: Holder, received: Record<string, unknown>) {
    const ldp = received[LDP] as Record<string, any>;
    const jwt = received[JWT] as string;
    // Bound to the holder, the learner's identifiers kept, the same statement as the stored badge, 1EdTech's
    // schema, and the Data Integrity proof and status by @digitalbazaar/vc with keys fetched over HTTP.
    await expectHolderCopy(ldp, holder.did, held);
    expect(ldp.credentialSubject.identifier.length).toBeGreaterThan(0);
    const validate = ob3SchemaValidator();
    // The VC-JWT, by jose against the issuer's published JWKs (RS256).
    const { payload, protectedHeader } = await verifyJwt(jwt, `${laurel.url}/issuers/${issuerKey}/jwks.json`);
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe(holder.did);
    const { iss, jti, nbf, sub, exp, ...inJwt } = payload as Record<string, any>;
    expect({ iss, jti, sub, nbf, exp }).toEqual({ iss: held.facts.issuer.did, jti: expect.stringMatching(/^urn:uuid:/), sub: holder.did, nbf: expect.any(Number), exp: undefined }); // the badge has no end date
    expect(validate(inJwt), JSON.stringify(validate.errors)).toBe(true);
    expect(inJwt.credentialSubject.id).toBe(holder.did);
    expect(inJwt.credentialSubject.identifier).toEqual(ldp.credentialSubject.identifier);
    expect(await isRevoked(ldp as never)).toBe(false);
    expect(await isRevoked(inJwt as never)).toBe(false);
    copies.push({ holder, ldp, jwt });
  }

  it('an Ed25519 did:key wallet takes an offer without tx_code and receives both forms, each verifying offline and naming its DID', async () => {
    const offer = await offerFor(held, false);
    expect(offer.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);
    expect(offer.txCode).toBeUndefined();
    expect(offer.json).toEqual({ credential_issuer: issuer, credential_configuration_ids: [LDP, JWT], grants: { [PRE_AUTHORIZED]: { 'pre-authorized_code': offer.code } } });
    expect(offer.expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(offer.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    const holder = await ed25519DidKey();
    const before = await walletCopies();
    const { received, accessToken } = await receive(holder, offer.offerUri, undefined, [LDP, JWT]);
    secrets.push(accessToken);
    await checkCopies(holder, received);
    expect(await walletCopies()).toBe(before + 2);
    const said = (await auditOfCourse(held.courseKey)).filter((e) => e.action === 'award.toWallet').map((e) => e.detail);
    expect(said).toEqual(expect.arrayContaining([expect.stringMatching(/^ldp_vc by OpenID4VCI, to did:key:z6Mk/), expect.stringMatching(/^jwt_vc_json by OpenID4VCI, to did:key:z6Mk/)]));
  });

  it('a P-256 did:jwk wallet takes an offer with a 6-digit tx_code, and a wallet that sends its bare key (jwk header) is named by its did:jwk', async () => {
    const offer = await offerFor(held, true);
    expect(offer.txCode).toMatch(/^\d{6}$/);
    expect(offer.json.grants[PRE_AUTHORIZED].tx_code).toMatchObject({ input_mode: 'numeric', length: 6, description: expect.stringContaining('6-digit code') });
    expect(JSON.stringify(offer.json)).not.toContain(offer.txCode); // the digits travel apart from the offer
    const didJwk = await p256DidJwk();
    const viaDidJwk = await receive(didJwk, offer.offerUri, offer.txCode, [LDP, JWT]);
    secrets.push(viaDidJwk.accessToken);
    await checkCopies(didJwk, viaDidJwk.received);

    const again = await offerFor(held, true);
    const bare = await p256JwkHeader();
    const viaJwk = await receive(bare, again.offerUri, again.txCode, [LDP, JWT]);
    secrets.push(viaJwk.accessToken);
    await checkCopies(bare, viaJwk.received);
  });

  it('takes the drafts\' single proof object too (wallets written before 1.0 send it)', async () => {
    const holder = await ed25519DidKey();
    const accessToken = await accessTokenFor(target);
    const res = await askCredential(accessToken, { credential_configuration_id: JWT, proof: { proof_type: 'jwt', jwt: await proofJwt({ holder }) } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { payload } = await verifyJwt(res.body.credentials[0].credential, `${laurel.url}/issuers/${issuerKey}/jwks.json`);
    expect(payload.sub).toBe(holder.did);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  describe('revoking the award', () => {
    it('shows every copy in every wallet as revoked to the outside verifier, both forms, and gives no new copy', async () => {
      expect(copies).toHaveLength(3);
      const revoked = await request(laurel.url).post(`/api/course/awards/${held.publicId}/revoke`).set('Authorization', `Bearer ${instructorLtik}`).send({ reason: 'Awarded by mistake' });
      expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
      for (const { ldp, jwt } of copies) {
        expect(await isRevoked(ldp as never)).toBe(true);
        expect((await verifyDataIntegrity(ldp!)).verified).toBe(false);
        const { payload } = await verifyJwt(jwt!, `${laurel.url}/issuers/${issuerKey}/jwks.json`);
        expect(await isRevoked(payload as never)).toBe(true);
      }
      // The other learner's badge shares the list, not the bit.
      expect(await isRevoked(target.credential as never)).toBe(false);

      const holder = await ed25519DidKey();
      const accessToken = await accessTokenFor(held);
      const denied = await refused(async () => askCredential(accessToken, { credential_configuration_id: LDP, proofs: { jwt: [await proofJwt({ holder })] } }));
      expect(denied).toMatchObject({ status: 400, error: 'credential_request_denied', issued: 0 });
      expect(denied.description).toMatch(/revoked/);
    });
  });
});

describe('refusals, each issuing nothing', () => {
  it('a replayed pre-authorized code gets invalid_grant: an offer gives one access token', async () => {
    const offer = await offerFor(target, false);
    const wallet = walletOf(await ed25519DidKey());
    const credentialOffer = await wallet.resolveCredentialOffer(offer.offerUri);
    const issuerMetadata = await wallet.resolveIssuerMetadata(credentialOffer.credential_issuer);
    await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata });
    const before = await walletCopies();
    const replay = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata }).catch((err: unknown) => err);
    expect(replay).toBeInstanceOf(Oauth2ClientErrorResponseError);
    expect((replay as Oauth2ClientErrorResponseError).errorResponse).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/already used/) });
    expect((replay as Oauth2ClientErrorResponseError).response.status).toBe(400);
    expect(await walletCopies()).toBe(before);
  });

  it('an expired offer gets invalid_grant, whatever the sweeper has done', async () => {
    const offer = await offerFor(target, false);
    await Oid4vciOfferModel.updateOne({ _id: offerKey(offer.code) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const answer = await refused(() => tokenFor(offer.code));
    expect(answer).toMatchObject({ status: 400, error: 'invalid_grant', issued: 0 });
    expect(answer.description).toMatch(/expired.*10 minutes/);
    expect(answer.res.headers['cache-control']).toBe('no-store');
  });

  it('a wrong tx_code gets invalid_grant with the tries left; the third spends the offer, so the right code comes too late', async () => {
    const offer = await offerFor(target, true);
    const wrong = String((Number(offer.txCode) + 1) % 1_000_000).padStart(6, '0');
    expect((await refused(() => tokenFor(offer.code)))).toMatchObject({ status: 400, error: 'invalid_request', issued: 0 }); // no tx_code at all
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await refused(() => tokenFor(offer.code, wrong)));
    expect(answers.map((a) => [a.error, a.issued])).toEqual([['invalid_grant', 0], ['invalid_grant', 0], ['invalid_grant', 0]]);
    expect(answers.map((a) => a.description)).toEqual([expect.stringMatching(/2 tries left/), expect.stringMatching(/1 try left/), expect.stringMatching(/last try/)]);
    const late = await refused(() => tokenFor(offer.code, offer.txCode));
    expect(late).toMatchObject({ status: 400, error: 'invalid_grant', issued: 0 });
    expect(await Oid4vciOfferModel.exists({ _id: offerKey(offer.code) })).toBeNull();

    // A right tx_code on a fresh offer is taken.
    const fresh = await offerFor(target, true);
    expect((await tokenFor(fresh.code, fresh.txCode)).body).toMatchObject({ token_type: 'Bearer', expires_in: 300, access_token: expect.any(String) });
  });

  it('a proof with a nonce that is not ours, or one already used, gets invalid_nonce with where to get a fresh one', async () => {
    const holder = await ed25519DidKey();
    const accessToken = await accessTokenFor(target);
    const made = await refused(async () => askCredential(accessToken, { credential_configuration_id: LDP, proofs: { jwt: [await proofJwt({ holder, nonce: 'a-nonce-laurel-never-gave' })] } }));
    expect(made).toMatchObject({ status: 400, error: 'invalid_nonce', issued: 0 });
    expect(made.description).toContain(`POST to ${issuer}/oid4vci/nonce`);

    const proof = await proofJwt({ holder });
    const first = await askCredential(accessToken, { credential_configuration_id: LDP, proofs: { jwt: [proof] } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const replayed = await refused(() => askCredential(accessToken, { credential_configuration_id: LDP, proofs: { jwt: [proof] } }));
    expect(replayed).toMatchObject({ status: 400, error: 'invalid_nonce', issued: 0 });

    const none = await refused(async () => askCredential(accessToken, { credential_configuration_id: LDP, proofs: { jwt: [await proofJwt({ holder, nonce: null })] } }));
    expect(none).toMatchObject({ status: 400, error: 'invalid_proof', issued: 0 });
    expect(none.description).toMatch(/no nonce/);
  });

  it('a proof signed by a key other than the one it names, for another audience, too old, or of another type gets invalid_proof', async () => {
    const holder = await ed25519DidKey();
    const other = await ed25519DidKey();
    const accessToken = await accessTokenFor(target);
    const cases: [string, ProofOptions, RegExp][] = [
      ['another key', { holder, signWith: other.privateKey }, /signature does not verify/],
      ['another audience', { holder, aud: `${laurel.url}/issuers/another` }, /aud must be this credential issuer/],
      ['too old', { holder, iat: Math.floor(Date.now() / 1000) - 600 }, /too old/],
      ['from the future', { holder, iat: Math.floor(Date.now() / 1000) + 600 }, /future/],
      ['of another type', { holder, typ: 'JWT' }, /typ "openid4vci-proof\+jwt"/],
    ];
    for (const [what, options, description] of cases) {
      const answer = await refused(async () => askCredential(accessToken, { credential_configuration_id: JWT, proofs: { jwt: [await proofJwt(options)] } }));
      expect({ what, status: answer.status, error: answer.error, issued: answer.issued }).toEqual({ what, status: 400, error: 'invalid_proof', issued: 0 });
      expect(answer.description, what).toMatch(description);
    }
    const elsewhere = { ...holder, signer: { method: 'did', didUrl: 'did:web:wallet.example#key-1', alg: 'EdDSA' } as JwtSigner };
    const didWeb = await refused(async () => askCredential(accessToken, { credential_configuration_id: JWT, proofs: { jwt: [await proofJwt({ holder: elsewhere })] } }));
    expect(didWeb).toMatchObject({ status: 400, error: 'invalid_proof', issued: 0 });
    expect(didWeb.description).toMatch(/did:key and did:jwk/);
    const noProof = await refused(() => askCredential(accessToken, { credential_configuration_id: JWT }));
    expect(noProof).toMatchObject({ status: 400, error: 'invalid_proof', issued: 0 });
  });

  it('no access token, or an expired one, gets 401 invalid_token with a Bearer challenge', async () => {
    const holder = await ed25519DidKey();
    const missing = await refused(async () => askCredential(undefined, { credential_configuration_id: LDP, proofs: { jwt: [await proofJwt({ holder })] } }));
    expect(missing).toMatchObject({ status: 401, error: 'invalid_token', issued: 0 });
    expect(missing.res.headers['www-authenticate']).toBe(`Bearer realm="${issuer}"`);

    const accessToken = await accessTokenFor(target);
    await Oid4vciAccessTokenModel.updateOne({ _id: accessTokenKey(accessToken) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await refused(async () => askCredential(accessToken, { credential_configuration_id: LDP, proofs: { jwt: [await proofJwt({ holder })] } }));
    expect(expired).toMatchObject({ status: 401, error: 'invalid_token', issued: 0 });
    expect(expired.res.headers['www-authenticate']).toMatch(new RegExp(`^Bearer realm="${issuer}", error="invalid_token", error_description="[^"]+"$`));
    expect(expired.description).toMatch(/expired/);

    // A Laurel session is no access token either.
    const session = await refused(async () => askCredential(instructorLtik, { credential_configuration_id: LDP, proofs: { jwt: [await proofJwt({ holder })] } }));
    expect(session).toMatchObject({ status: 401, error: 'invalid_token', issued: 0 });
  });

  it('an unknown configuration id gets unknown_credential_configuration (OpenID4VCI 1.0), a request without one invalid_credential_request', async () => {
    const holder = await ed25519DidKey();
    const accessToken = await accessTokenFor(target);
    const unknown = await refused(async () => askCredential(accessToken, { credential_configuration_id: 'UniversityDegree', proofs: { jwt: [await proofJwt({ holder })] } }));
    expect(unknown).toMatchObject({ status: 400, error: 'unknown_credential_configuration', issued: 0 });
    expect(unknown.description).toContain(`${LDP} and ${JWT}`);
    const byFormat = await refused(async () => askCredential(accessToken, { format: 'ldp_vc', proofs: { jwt: [await proofJwt({ holder })] } }));
    expect(byFormat).toMatchObject({ status: 400, error: 'invalid_credential_request', issued: 0 });
    const notJson = await refused(() => request(laurel.url).post(endpoints().credential).set('Authorization', `Bearer ${accessToken}`).set('Content-Type', 'application/json').send('{"credential_configuration_id":'));
    expect(notJson).toMatchObject({ status: 400, error: 'invalid_credential_request', issued: 0 });
  });

  it('the token endpoint says what is wrong with a request it cannot take', async () => {
    const asJson = await request(laurel.url).post(endpoints().token).send({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': 'x' });
    expect(asJson.body).toMatchObject({ error: 'invalid_request', error_description: expect.stringMatching(/form/) });
    const otherGrant = await request(laurel.url).post(endpoints().token).type('form').send({ grant_type: 'authorization_code', code: 'x' });
    expect(otherGrant.body).toMatchObject({ error: 'unsupported_grant_type' });
    const unknown = await tokenFor('never-offered');
    expect([unknown.status, unknown.body.error]).toEqual([400, 'invalid_grant']);
    // An offer of one issuer is not redeemed at another's endpoint... of which there is none here: an unknown issuer is 404.
    const nowhere = await request(laurel.url).post('/issuers/nobody/oid4vci/token').type('form').send({ grant_type: PRE_AUTHORIZED, 'pre-authorized_code': 'x' });
    expect([nowhere.status, nowhere.body.error]).toEqual([404, 'unknown_issuer']);
  });
});

describe('what is kept', () => {
  it('stores no code or token, only their hashes, and logs none of them, nor any URL that carries one', async () => {
    expect(secrets.length).toBeGreaterThan(10);
    const stored = JSON.stringify([
      await Oid4vciOfferModel.find().lean(), await Oid4vciAccessTokenModel.find().lean(),
    ]);
    const logs = JSON.stringify(laurel.logs);
    for (const secret of secrets) {
      expect(stored).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    const requests = laurel.logs.filter((l) => l.msg === 'request' && String(l.path).includes('oid4vci'));
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.every((l) => !String(l.path).includes('?'))).toBe(true);
  });
});
