/**
 * The DCC Learner Credential Wallet receives a learner's badge through a VC-API exchange, driven
 * over real HTTP as LCW 2.1 to 2.2.7 drive it (test/support/learnerCredentialWallet.ts: its
 * steps, its DCC signing libraries): the exchange invitation (`exchangeInvitationUrl`; the link
 * Laurel shows is the credential request one, lcwCredentialRequest.test.ts), `{}` for a
 * presentation request, a DID authentication signed with its did:key, and the badge signed to
 * that DID, which the outside verifier
 * (@digitalbazaar/vc, keys and status fetched from Laurel) and the DCC's verifier-core (what
 * LCW checks a credential with) both accept. Then every way it must refuse, each time issuing
 * nothing: another key than the holder's, another exchange's challenge or domain, a second use,
 * an expired exchange, a revoked award.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { DataIntegrityProof } from '@digitalcredentials/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalcredentials/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalcredentials/ed25519-multikey';
import * as dccVc from '@digitalcredentials/vc';
import { securityLoader } from '@digitalcredentials/security-document-loader';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, type Connected } from '../support/lms.js';
import { instructorApi, type CourseApi } from '../support/courseApi.js';
import { isRevoked } from '../support/outsideVerifier.js';
import { expectHolderCopy } from '../support/walletCopy.js';
import { composeDidAuth, mintDid, openLink, receiveThroughExchange, sendToExchanger, verifyAsLcw, type LcwProfile } from '../support/learnerCredentialWallet.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';
import { credentialByPublicId, type IssuedCredential } from '../../src/store/issuedCredential.js';
import { AuditEntryModel } from '../../src/store/auditLog.js';
import { exchangeKey, VcApiExchangeModel } from '../../src/store/vcApiExchange.js';
import { HolderCopyError } from '../../src/awards/holderCopy.js';
import { createExchange } from '../../src/wallets/vcApi/exchange.js';

let laurel: RunningLaurel;
let c: Connected;
let staff: CourseApi;
/** Awards of one badge, each to its own learner, with their signed credentials. */
const issued: IssuedCredential[] = [];

beforeAll(async () => {
  // Rate limits are off under test unless set: set, to see the exchange under the public one.
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', RATE_LIMIT_PUBLIC: '10000' });
  c = await connectEmulator(laurel, 'canvas');
  staff = await instructorApi(laurel, c);
  await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
  const badge = await staff.post('/api/course/badges', { name: 'Lab Safety', description: 'Passed the lab safety briefing.', rules: { kind: 'approval' } });
  expect(badge.status).toBe(201);
  const learners = c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').slice(0, 3);
  for (const learner of learners) {
    const award = await staff.post('/api/course/awards', { badgeId: badge.body.id, userId: learner.id });
    expect(award.status, JSON.stringify(award.body)).toBe(201);
    issued.push((await credentialByPublicId(award.body.id))!);
  }
  expect(issued.every(Boolean)).toBe(true);
}, 60_000);
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

/** How many copies of this award went to a wallet, as the course's audit log says. */
const toWallet = (award: IssuedCredential) => AuditEntryModel.countDocuments({ courseKey: award.courseKey, action: 'award.toWallet', awardId: award.publicId });

/** A new exchange for `award`, as the VC-API invitation of it. */
async function invite(award: IssuedCredential) {
  const { exchangeInvitationUrl: invitationUrl, expiresAt } = await createExchange(award);
  return { invitationUrl, expiresAt };
}

const exchangeUrlOf = (invitationUrl: string) => openLink(invitationUrl).invitation.protocols.vcapi!;
const idOf = (invitationUrl: string) => exchangeUrlOf(invitationUrl).split('/').pop()!;

/** Step 1 as LCW takes it: the presentation request of a new exchange. */
async function requestOf(invitationUrl: string) {
  const answer = await sendToExchanger(exchangeUrlOf(invitationUrl), {});
  expect(answer.status).toBe(200);
  return answer.body.verifiablePresentationRequest as { challenge: string; domain: string };
}

describe('LCW receives the badge through a VC-API exchange', () => {
  let wallet: LcwProfile;
  let invitationUrl: string;
  let expiresAt: Date;
  let received: Awaited<ReturnType<typeof receiveThroughExchange>>;
  let auditBefore: number;

  beforeAll(async () => {
    wallet = await mintDid();
    auditBefore = await toWallet(issued[0]!);
    ({ invitationUrl, expiresAt } = await invite(issued[0]!));
    received = await receiveThroughExchange(invitationUrl, wallet);
  });

  it('offers an invitation LCW opens (lcw.app\'s request page), naming an exchange of Laurel\'s that lasts ten minutes', () => {
    expect(invitationUrl.startsWith('https://lcw.app/request.html?request=')).toBe(true);
    const { deepLink, invitation } = openLink(invitationUrl);
    expect(deepLink.startsWith('dccrequest://request?request=')).toBe(true);
    expect(invitation).toEqual({ credentialRequestOrigin: new URL(laurel.url).origin, protocols: { vcapi: expect.stringMatching(new RegExp(`^${laurel.url}/exchanges/[A-Za-z0-9_-]{43}$`)) } });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
  });

  it('answers LCW\'s `{}` with a DID authentication request: did:key, a challenge, Laurel\'s host as domain', () => {
    expect(received.request).toEqual({
      query: [{ type: 'DIDAuthentication', acceptedMethods: [{ method: 'key' }] }],
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      domain: new URL(laurel.url).host,
    });
    expect(received.presentation.proof).toMatchObject({ type: 'Ed25519Signature2020', proofPurpose: 'authentication', challenge: received.request.challenge, domain: new URL(laurel.url).host });
  });

  it('answers the signed presentation with the badge issued to the wallet\'s DID, in a presentation as LCW reads it', async () => {
    expect(received.answer.status).toBe(200);
    expect(received.credentials).toHaveLength(1);
    const credential = received.credentials[0]!;
    expect(credential.credentialSubject.achievement.name).toBe('Lab Safety');
    // The award's credential issued to the wallet's DID (its own status entry: revoking the award revokes this copy too),
    // schema-valid, verified offline by the outside verifier.
    await expectHolderCopy(credential, wallet.did, issued[0]!);
    expect(await toWallet(issued[0]!)).toBe(auditBefore + 1);
    const stored = await VcApiExchangeModel.findById(exchangeKey(idOf(invitationUrl))).lean();
    expect(stored).toMatchObject({ state: 'completed', holder: wallet.did });
  });

  it('verifies with verifier-core, as LCW 2.2 checks a credential it receives', async () => {
    const result = await verifyAsLcw(received.credentials[0]!, laurel.url);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.log).toEqual(expect.arrayContaining([{ id: 'valid_signature', valid: true }, { id: 'revocation_status', valid: true }]));
    expect(result.refused).toEqual([]);
  });

  it('is open to any origin, never cached, sets no cookie, and counts under the public rate limit', async () => {
    const url = exchangeUrlOf((await invite(issued[0]!)).invitationUrl);
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { Origin: 'https://wallet.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    const answer = await sendToExchanger(url, {});
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('ratelimit-policy')).toMatch(/^"public"/);
  });

  it('logs no challenge and no presentation', () => {
    const logs = JSON.stringify(laurel.logs);
    expect(logs).not.toContain(received.request.challenge);
    expect(logs).not.toContain(String((received.presentation.proof as { proofValue: string }).proofValue));
    expect(laurel.logged('VC-API exchange completed: the credential went to the wallet').length).toBeGreaterThan(0);
  });
});

describe('a DID authentication with a Data Integrity proof (eddsa-rdfc-2022), as other wallets sign', () => {
  it('is accepted the same, the badge issued to its did:key', async () => {
    const key = await Ed25519Multikey.generate();
    const did = `did:key:${key.publicKeyMultibase}`;
    key.id = `${did}#${key.publicKeyMultibase}`;
    key.controller = did;
    const { invitationUrl } = await invite(issued[0]!);
    const { challenge, domain } = await requestOf(invitationUrl);
    const presentation = await dccVc.signPresentation({
      presentation: dccVc.createPresentation({ holder: did, verify: false }), challenge, domain,
      suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }),
      documentLoader: securityLoader({ fetchRemoteContexts: false }).build(),
    });
    expect(presentation.proof).toMatchObject({ type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022' });
    const answer = await sendToExchanger(exchangeUrlOf(invitationUrl), { verifiablePresentation: presentation });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.verifiablePresentation.verifiableCredential[0].credentialSubject.id).toBe(did);
  });
});

describe('refusals: a clear error, and nothing issued', () => {
  /** Posts `payload` to the exchange and expects the refusal `error` with `status`, and no new copy of the award. */
  async function refused(invitationUrl: string, payload: object, status: number, error: string, award = issued[0]!) {
    const before = await toWallet(award);
    const answer = await sendToExchanger(exchangeUrlOf(invitationUrl), payload);
    expect({ status: answer.status, error: answer.body?.error }).toEqual({ status, error });
    expect(typeof answer.body.detail).toBe('string');
    expect(answer.body.verifiablePresentation).toBeUndefined();
    expect(await toWallet(award)).toBe(before);
    return answer.body as { error: string; detail: string };
  }

  it('a presentation naming the wallet\'s DID but signed with another wallet\'s key: refused', async () => {
    const [holder, other] = [await mintDid(), await mintDid()];
    const { invitationUrl } = await invite(issued[0]!);
    const vpr = await requestOf(invitationUrl);
    const signedByOther = await composeDidAuth(holder, { ...vpr, signedBy: other });
    const answer = await refused(invitationUrl, { verifiablePresentation: signedByOther }, 401, 'holder_mismatch');
    expect(answer.detail).toMatch(/another DID than its holder/);
    // The other key claiming to be the holder's key: its signature does not verify with the holder's key.
    const forged = structuredClone(signedByOther);
    (forged.proof as { verificationMethod: string }).verificationMethod = `${holder.did}#${holder.did.slice('did:key:'.length)}`;
    await refused(invitationUrl, { verifiablePresentation: forged }, 401, 'proof_invalid');
    // Refused twice, the exchange is still open: the holder signing for itself receives the badge.
    const own = await sendToExchanger(exchangeUrlOf(invitationUrl), { verifiablePresentation: await composeDidAuth(holder, vpr) });
    expect(own.status).toBe(200);
    expect(own.body.verifiablePresentation.verifiableCredential[0].credentialSubject.id).toBe(holder.did);
  });

  it('a presentation signed for another exchange\'s challenge, or another domain: refused', async () => {
    const wallet = await mintDid();
    const first = await invite(issued[0]!);
    const second = await invite(issued[0]!);
    const forFirst = await composeDidAuth(wallet, await requestOf(first.invitationUrl));
    const vpr = await requestOf(second.invitationUrl);
    await refused(second.invitationUrl, { verifiablePresentation: forFirst }, 401, 'wrong_challenge');
    await refused(second.invitationUrl, { verifiablePresentation: await composeDidAuth(wallet, { ...vpr, domain: 'wallet-phisher.example' }) }, 401, 'wrong_domain');
    // A changed word after signing: the proof no longer verifies.
    const tampered = { ...(await composeDidAuth(wallet, vpr)), id: 'urn:uuid:changed-after-signing' };
    await refused(second.invitationUrl, { verifiablePresentation: tampered }, 401, 'proof_invalid');
  });

  it('a second use: the same presentation replayed, or another wallet after the first, is refused as completed', async () => {
    const [first, second] = [await mintDid(), await mintDid()];
    const { invitationUrl } = await invite(issued[0]!);
    const done = await receiveThroughExchange(invitationUrl, first);
    expect(done.answer.status).toBe(200);
    await refused(invitationUrl, { verifiablePresentation: done.presentation }, 410, 'exchange_completed');
    await refused(invitationUrl, {}, 410, 'exchange_completed');
    await expect(receiveThroughExchange(invitationUrl, second)).rejects.toThrow(/no presentation request: 410/);
    expect((await VcApiExchangeModel.findById(exchangeKey(idOf(invitationUrl))).lean())?.holder).toBe(first.did);
  });

  it('two wallets presenting at once: one receives the badge, the other is refused', async () => {
    const { invitationUrl } = await invite(issued[0]!);
    const vpr = await requestOf(invitationUrl);
    const before = await toWallet(issued[0]!);
    const answers = await Promise.all([await mintDid(), await mintDid()].map(async (w) => sendToExchanger(exchangeUrlOf(invitationUrl), { verifiablePresentation: await composeDidAuth(w, vpr) })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410]);
    expect(answers.find((a) => a.status === 410)!.body.error).toBe('exchange_completed');
    expect(await toWallet(issued[0]!)).toBe(before + 1);
  });

  it('an expired exchange: refused, before and after the wallet signs', async () => {
    const wallet = await mintDid();
    const { invitationUrl } = await invite(issued[0]!);
    const presentation = await composeDidAuth(wallet, await requestOf(invitationUrl));
    await VcApiExchangeModel.updateOne({ _id: exchangeKey(idOf(invitationUrl)) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await refused(invitationUrl, { verifiablePresentation: presentation }, 410, 'exchange_expired');
    await refused(invitationUrl, {}, 410, 'exchange_expired');
  });

  it('a revoked award: refused once revoked, and no exchange is made for it; the copy a wallet holds shows revoked', async () => {
    const award = issued[1]!;
    const [early, late] = [await mintDid(), await mintDid()];
    const held = await receiveThroughExchange((await invite(award)).invitationUrl, early);
    expect(held.answer.status).toBe(200);
    expect(await isRevoked(held.credentials[0] as never)).toBe(false);

    const { invitationUrl } = await invite(award);
    const presentation = await composeDidAuth(late, await requestOf(invitationUrl));
    const revoked = await staff.post(`/api/course/awards/${award.publicId}/revoke`, { reason: 'Awarded in error' });
    expect(revoked.status).toBe(200);
    await refused(invitationUrl, { verifiablePresentation: presentation }, 410, 'award_revoked', award);
    await refused(invitationUrl, {}, 410, 'award_revoked', award);
    await expect(createExchange(award)).rejects.toThrow(HolderCopyError);
    expect(await isRevoked(held.credentials[0] as never)).toBe(true);
  });

  it('an unknown exchange, a body that is not JSON, a presentation that is not one: refused in JSON', async () => {
    const unknown = `https://lcw.app/request.html?request=${encodeURIComponent(JSON.stringify({ credentialRequestOrigin: laurel.url, protocols: { vcapi: `${laurel.url}/exchanges/${'A'.repeat(43)}` } }))}`;
    await refused(unknown, {}, 404, 'exchange_not_found');
    const { invitationUrl } = await invite(issued[0]!);
    const notJson = await request(laurel.url).post(new URL(exchangeUrlOf(invitationUrl)).pathname).set('Content-Type', 'application/json').send('{"verifiablePresentation":');
    expect({ status: notJson.status, error: notJson.body.error }).toEqual({ status: 400, error: 'body_unreadable' });
    await refused(invitationUrl, { verifiablePresentation: 'a presentation' }, 400, 'invalid_presentation');
    await refused(invitationUrl, { verifiablePresentation: { type: ['VerifiablePresentation'], holder: 'did:web:wallet.example' } }, 400, 'unsupported_did');
  });
});
