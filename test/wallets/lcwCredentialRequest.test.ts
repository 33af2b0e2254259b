/**
 * The link Laurel shows for the DCC Learner Credential Wallet is LCW's credential request link,
 * which every LCW release stores the badge from (src/wallets/vcApi/lcwCredentialRequest.ts).
 * Driven over real HTTP as LCW drives it (test/support/learnerCredentialWallet.ts: the link read
 * as 2.1.x, 2.2.0 to 2.2.7 and 2.2.8 to 2.2.10 read it, a DID authentication signed with its DCC
 * libraries for the link's challenge and no domain, posted bare to `vc_request_url`, the answer
 * read as its parseResponseBody and extractCredentialsFrom read it): the badge comes back issued
 * to the wallet's DID, and the outside verifier and verifier-core accept it. Then every way it
 * must refuse, each time issuing nothing: another key, a wrong or replayed challenge, another
 * domain, a second use, an expired exchange, a revoked award; and the one exchange answers by
 * either door only once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import * as HtmlEntities from 'html-entities';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, type Connected } from '../support/lms.js';
import { instructorApi, type CourseApi } from '../support/courseApi.js';
import { isRevoked } from '../support/outsideVerifier.js';
import { expectHolderCopy } from '../support/walletCopy.js';
import {
  composeDidAuth, createVerifiablePresentation, mintDid, openCredentialRequestLink, openLink, postCredentialRequest,
  receiveThroughCredentialRequest, receiveThroughExchange, sendToExchanger, verifyAsLcw, type LcwProfile, type ReceivedByRequest,
} from '../support/learnerCredentialWallet.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';
import { credentialByPublicId, type IssuedCredential } from '../../src/store/issuedCredential.js';
import { AuditEntryModel } from '../../src/store/auditLog.js';
import { exchangeKey, VcApiExchangeModel } from '../../src/store/vcApiExchange.js';
import { createExchange } from '../../src/wallets/vcApi/exchange.js';

/** Entities as an LMS's rich text leaves them: LCW decodes them in the answer before it parses it. */
const DESCRIPTION = 'Passed the lab safety briefing &amp; the fire drill &copy;2026 &notice';

let laurel: RunningLaurel;
let c: Connected;
let staff: CourseApi;
/** Awards of one badge, each to its own learner, with their signed credentials. */
const issued: IssuedCredential[] = [];

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', RATE_LIMIT_PUBLIC: '10000' });
  c = await connectEmulator(laurel, 'canvas');
  staff = await instructorApi(laurel, c);
  await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu' }, 'test');
  const badge = await staff.post('/api/course/badges', { name: 'Lab Safety', description: DESCRIPTION, rules: { kind: 'approval' } });
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

/** The copies of this award that went to a wallet, as the course's audit log says. */
const toWallet = (award: IssuedCredential) => AuditEntryModel.find({ courseKey: award.courseKey, action: 'award.toWallet', awardId: award.publicId }).lean();

const requestUrlOf = (walletUrl: string) => openCredentialRequestLink(walletUrl).params.vc_request_url;
const idOf = (walletUrl: string) => requestUrlOf(walletUrl).split('/').at(-2)!;
const storedExchange = (walletUrl: string) => VcApiExchangeModel.findById(exchangeKey(idOf(walletUrl))).lean();

describe('LCW stores the badge from the link Laurel shows (its credential request flow)', () => {
  let wallet: LcwProfile;
  let walletUrl: string;
  let exchangeInvitationUrl: string;
  let expiresAt: Date;
  let received: ReceivedByRequest;
  let auditBefore: number;

  beforeAll(async () => {
    wallet = await mintDid();
    auditBefore = (await toWallet(issued[0]!)).length;
    ({ walletUrl, exchangeInvitationUrl, expiresAt } = await createExchange(issued[0]!));
    received = await receiveThroughCredentialRequest(walletUrl, wallet);
  });

  it('shows LCW\'s credential request link, which every LCW release reads alike: Laurel as issuer, bearer, the exchange\'s challenge, its credential request URL', async () => {
    expect(walletUrl.startsWith('https://lcw.app/request.html?issuer=')).toBe(true);
    expect(received.deepLink.startsWith('dccrequest://request?issuer=')).toBe(true);
    const exchange = await storedExchange(walletUrl);
    expect(received.params).toEqual({
      issuer: new URL(laurel.url).host,
      auth_type: 'bearer',
      challenge: exchange!.challenge,
      vc_request_url: expect.stringMatching(new RegExp(`^${laurel.url}/exchanges/[A-Za-z0-9_-]{43}/credential-request$`)),
    });
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    // The same exchange, for wallets that speak VC-API.
    expect(`${openLink(exchangeInvitationUrl).invitation.protocols.vcapi}/credential-request`).toBe(received.params.vc_request_url);
  });

  it('LCW posts a bare DID authentication: its did:key as holder, Ed25519Signature2020, the link\'s challenge, no domain', () => {
    expect(received.presentation).toMatchObject({ type: ['VerifiablePresentation'], holder: wallet.did });
    expect(received.presentation.verifiableCredential).toBeUndefined();
    expect(received.presentation.proof).toMatchObject({ type: 'Ed25519Signature2020', proofPurpose: 'authentication', challenge: received.params.challenge, verificationMethod: expect.stringMatching(new RegExp(`^${wallet.did}#`)) });
    expect((received.presentation.proof as Record<string, unknown>).domain).toBeUndefined();
  });

  it('answers the credential itself, issued to the wallet\'s DID, which LCW reads as its one credential', async () => {
    expect(received.answer.status).toBe(200);
    expect(received.answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(received.credentials).toHaveLength(1);
    const credential = received.credentials[0]!;
    expect(received.answer.body).toEqual(credential);
    // The award's credential issued to the wallet's DID, schema-valid, verified offline by the outside verifier.
    await expectHolderCopy(credential, wallet.did, issued[0]!);
    const audit = await toWallet(issued[0]!);
    expect(audit).toHaveLength(auditBefore + 1);
    expect(audit.at(-1)!.detail).toBe(`ldp_vc by LCW credential request, to ${wallet.did}`);
    expect(await storedExchange(walletUrl)).toMatchObject({ state: 'completed', holder: wallet.did });
  });

  it('writes every `&` as \\u0026, so LCW\'s decoding of HTML entities leaves the badge\'s text as signed', () => {
    const credential = received.credentials[0]!;
    expect(credential.credentialSubject.achievement.description).toBe(DESCRIPTION);
    expect(received.answer.text).not.toContain('&');
    // Plain JSON would have reached LCW changed: "&amp;" as "&", "&copy;" as "©", "&not" as "¬".
    expect(HtmlEntities.decode(JSON.stringify(credential))).not.toBe(JSON.stringify(credential));
  });

  it('verifies with verifier-core, as LCW checks a credential it receives', async () => {
    const result = await verifyAsLcw(received.credentials[0]!, laurel.url);
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.log).toEqual(expect.arrayContaining([{ id: 'valid_signature', valid: true }, { id: 'revocation_status', valid: true }]));
    expect(result.refused).toEqual([]);
  });

  it('is open to any origin, never cached, sets no cookie, counts under the public rate limit, and logs no challenge or presentation', async () => {
    const url = requestUrlOf((await createExchange(issued[0]!)).walletUrl);
    const preflight = await fetch(url, { method: 'OPTIONS', headers: { Origin: 'https://wallet.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const answer = await postCredentialRequest(url, {});
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(answer.headers.get('ratelimit-policy')).toMatch(/^"public"/);
    const logs = JSON.stringify(laurel.logs);
    expect(logs).not.toContain(received.params.challenge);
    expect(logs).not.toContain(String((received.presentation.proof as { proofValue: string }).proofValue));
    expect(laurel.logged('LCW credential request completed: the credential went to the wallet').length).toBeGreaterThan(0);
  });
});

describe('one exchange, two doors: the credential request and the VC-API exchange', () => {
  it('a presentation wrapped as `{ verifiablePresentation }` is taken as the bare one', async () => {
    const wallet = await mintDid();
    const { walletUrl } = await createExchange(issued[0]!);
    const presentation = await createVerifiablePresentation(wallet, { challenge: openCredentialRequestLink(walletUrl).params.challenge });
    const answer = await postCredentialRequest(requestUrlOf(walletUrl), { verifiablePresentation: presentation });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.credentialSubject.id).toBe(wallet.did);
  });

  it('LCW\'s domain-less presentation is refused at the VC-API exchange, which requires its domain, and accepted at the credential request', async () => {
    const wallet = await mintDid();
    const { walletUrl, exchangeInvitationUrl } = await createExchange(issued[0]!);
    const before = (await toWallet(issued[0]!)).length;
    const presentation = await createVerifiablePresentation(wallet, { challenge: openCredentialRequestLink(walletUrl).params.challenge });
    const atExchange = await sendToExchanger(openLink(exchangeInvitationUrl).invitation.protocols.vcapi!, { verifiablePresentation: presentation });
    expect({ status: atExchange.status, error: atExchange.body.error }).toEqual({ status: 401, error: 'wrong_domain' });
    expect((await toWallet(issued[0]!)).length).toBe(before);
    const atRequest = await postCredentialRequest(requestUrlOf(walletUrl), presentation);
    expect(atRequest.status).toBe(200);
    expect(atRequest.body.credentialSubject.id).toBe(wallet.did);
  });

  it('completed by one door, the exchange is refused at the other, both ways', async () => {
    const [first, second] = [await mintDid(), await mintDid()];
    const one = await createExchange(issued[0]!);
    await receiveThroughCredentialRequest(one.walletUrl, first);
    const viaExchange = await sendToExchanger(openLink(one.exchangeInvitationUrl).invitation.protocols.vcapi!, {});
    expect({ status: viaExchange.status, error: viaExchange.body.error }).toEqual({ status: 410, error: 'exchange_completed' });

    const other = await createExchange(issued[0]!);
    expect((await receiveThroughExchange(other.exchangeInvitationUrl, first)).answer.status).toBe(200);
    await expect(receiveThroughCredentialRequest(other.walletUrl, second)).rejects.toThrow(/The issuer failed to return a valid response \(410/);
    expect((await storedExchange(other.walletUrl))?.holder).toBe(first.did);
  });
});

describe('refusals: a clear error, and nothing issued', () => {
  /** Posts `body` to the link's credential request URL and expects the refusal `error` with `status`, and no new copy of the award. */
  async function refused(walletUrl: string, body: unknown, status: number, error: string, award = issued[0]!) {
    const before = (await toWallet(award)).length;
    const answer = await postCredentialRequest(requestUrlOf(walletUrl), body);
    expect({ status: answer.status, error: answer.body?.error }).toEqual({ status, error });
    expect(typeof answer.body.detail).toBe('string');
    expect(answer.body.credentialSubject).toBeUndefined();
    expect(answer.body.proof).toBeUndefined();
    expect((await toWallet(award)).length).toBe(before);
    return answer.body as { error: string; detail: string };
  }
  const challengeOf = (walletUrl: string) => openCredentialRequestLink(walletUrl).params.challenge!;

  it('a presentation naming the wallet\'s DID but signed with another wallet\'s key: refused', async () => {
    const [holder, other] = [await mintDid(), await mintDid()];
    const { walletUrl } = await createExchange(issued[0]!);
    const signedByOther = await createVerifiablePresentation(holder, { challenge: challengeOf(walletUrl), signedBy: other });
    const answer = await refused(walletUrl, signedByOther, 401, 'holder_mismatch');
    expect(answer.detail).toMatch(/another DID than its holder/);
    // The other key claiming to be the holder's key: its signature does not verify with the holder's key.
    const forged = structuredClone(signedByOther);
    (forged.proof as { verificationMethod: string }).verificationMethod = `${holder.did}#${holder.did.slice('did:key:'.length)}`;
    await refused(walletUrl, forged, 401, 'proof_invalid');
    // Refused twice, the exchange is still open: the holder signing for itself receives the badge.
    const own = await receiveThroughCredentialRequest(walletUrl, holder);
    expect(own.credentials[0]!.credentialSubject.id).toBe(holder.did);
  });

  it('a wrong challenge (another exchange\'s, or LCW\'s own when a link gives none), another domain, a changed word: refused', async () => {
    const wallet = await mintDid();
    const first = await createExchange(issued[0]!);
    const second = await createExchange(issued[0]!);
    await refused(second.walletUrl, await createVerifiablePresentation(wallet, { challenge: challengeOf(first.walletUrl) }), 401, 'wrong_challenge');
    await refused(second.walletUrl, await createVerifiablePresentation(wallet), 401, 'wrong_challenge');
    // A proof that names a domain must name Laurel's: one made for another site is refused.
    await refused(second.walletUrl, await composeDidAuth(wallet, { challenge: challengeOf(second.walletUrl), domain: 'wallet-phisher.example' }), 401, 'wrong_domain');
    const tampered = { ...(await createVerifiablePresentation(wallet, { challenge: challengeOf(second.walletUrl) })), id: 'urn:uuid:changed-after-signing' };
    await refused(second.walletUrl, tampered, 401, 'proof_invalid');
    // Laurel's own domain, as a VC-API wallet signs it, is accepted here too.
    const withDomain = await composeDidAuth(wallet, { challenge: challengeOf(second.walletUrl), domain: new URL(laurel.url).host });
    expect((await postCredentialRequest(requestUrlOf(second.walletUrl), withDomain)).status).toBe(200);
  });

  it('a second use: the same presentation replayed, to this exchange or another, or another wallet after the first: refused', async () => {
    const [first, second] = [await mintDid(), await mintDid()];
    const { walletUrl } = await createExchange(issued[0]!);
    const done = await receiveThroughCredentialRequest(walletUrl, first);
    await refused(walletUrl, done.presentation, 410, 'exchange_completed');
    await refused((await createExchange(issued[0]!)).walletUrl, done.presentation, 401, 'wrong_challenge');
    await expect(receiveThroughCredentialRequest(walletUrl, second)).rejects.toThrow(/The issuer failed to return a valid response \(410/);
    await refused(walletUrl, await createVerifiablePresentation(second, { challenge: challengeOf(walletUrl) }), 410, 'exchange_completed');
    expect((await storedExchange(walletUrl))?.holder).toBe(first.did);
  });

  it('two wallets presenting at once: one receives the badge, the other is refused', async () => {
    const { walletUrl } = await createExchange(issued[0]!);
    const before = (await toWallet(issued[0]!)).length;
    const answers = await Promise.all([await mintDid(), await mintDid()].map(async (w) => postCredentialRequest(requestUrlOf(walletUrl), await createVerifiablePresentation(w, { challenge: challengeOf(walletUrl) }))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 410]);
    expect(answers.find((a) => a.status === 410)!.body.error).toBe('exchange_completed');
    expect((await toWallet(issued[0]!)).length).toBe(before + 1);
  });

  it('an expired exchange: refused', async () => {
    const wallet = await mintDid();
    const { walletUrl } = await createExchange(issued[0]!);
    const presentation = await createVerifiablePresentation(wallet, { challenge: challengeOf(walletUrl) });
    await VcApiExchangeModel.updateOne({ _id: exchangeKey(idOf(walletUrl)) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    await refused(walletUrl, presentation, 410, 'exchange_expired');
    await expect(receiveThroughCredentialRequest(walletUrl, wallet)).rejects.toThrow(/The issuer failed to return a valid response \(410/);
  });

  it('a revoked award: refused once revoked; the copy a wallet holds shows revoked', async () => {
    const award = issued[1]!;
    const [early, late] = [await mintDid(), await mintDid()];
    const held = await receiveThroughCredentialRequest((await createExchange(award)).walletUrl, early);
    expect(await isRevoked(held.credentials[0] as never)).toBe(false);

    const { walletUrl } = await createExchange(award);
    const presentation = await createVerifiablePresentation(late, { challenge: challengeOf(walletUrl) });
    const revoked = await staff.post(`/api/course/awards/${award.publicId}/revoke`, { reason: 'Awarded in error' });
    expect(revoked.status).toBe(200);
    await refused(walletUrl, presentation, 410, 'award_revoked', award);
    expect(await isRevoked(held.credentials[0] as never)).toBe(true);
  });

  it('an unknown exchange, a body that is not JSON, a body that is no presentation: refused in JSON', async () => {
    const { walletUrl } = await createExchange(issued[0]!);
    const unknown = walletUrl.replace(encodeURIComponent(`/exchanges/${idOf(walletUrl)}/`), encodeURIComponent(`/exchanges/${'A'.repeat(43)}/`));
    await refused(unknown, await createVerifiablePresentation(await mintDid(), { challenge: challengeOf(walletUrl) }), 404, 'exchange_not_found');
    const notJson = await request(laurel.url).post(new URL(requestUrlOf(walletUrl)).pathname).set('Content-Type', 'application/json').send('{"@context":');
    expect({ status: notJson.status, error: notJson.body.error }).toEqual({ status: 400, error: 'body_unreadable' });
    expect(notJson.body.detail).toMatch(/send the signed presentation/);
    await refused(walletUrl, {}, 400, 'invalid_presentation');
    await refused(walletUrl, { type: ['VerifiablePresentation'], holder: 'did:web:wallet.example' }, 400, 'unsupported_did');
  });
});
