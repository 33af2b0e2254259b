/**
 * The DCC Learner Credential Wallet (LCW) as a test client of a VC-API exchange: what it does
 * with a link, a presentation request and the answer, step by step as its code does it, with the
 * same DCC libraries it signs with (@digitalcredentials/vc, ed25519-signature-2020,
 * ed25519-verification-key-2020, did-method-key, security-document-loader), none of them ours.
 *
 * Read from LCW v2.2.10 (openwallet-foundation-labs/learner-credential-wallet, June 2026):
 * app/lib/did.ts mintDid, app/lib/profile.ts signersFromKey, app/lib/composeVp.ts,
 * app/lib/walletRequestApi.ts parseWalletApiUrl and isDidAuthRequested, app/lib/exchanges.ts
 * processMessageChain / processRequest / sendToExchanger, app/screens/ExchangeCredentials;
 * and from v2.1.2 (digitalcredentials/learner-credential-wallet): app/lib/decode.ts
 * credentialRequestFromChapiUrl, app/lib/exchanges.ts handleVcApiExchangeComplete, and
 * app/screens/ExchangeCredentials/ExchangeCredentials.tsx (what it reads the credential from).
 * The link first goes through https://lcw.app/request.html, which hands its query to the app as
 * `dccrequest://request?…` (digitalcredentials/learner-credential-wallet-site, request.html).
 *
 * LCW signs with `securityLoader({ fetchRemoteContexts: true })`; here it may fetch nothing, and
 * needs nothing beyond what the loader ships.
 */
import { randomBytes } from 'node:crypto';
import * as dccVc from '@digitalcredentials/vc';
import { Ed25519Signature2020 } from '@digitalcredentials/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalcredentials/ed25519-verification-key-2020';
import * as DidMethodKey from '@digitalcredentials/did-method-key';
import { securityLoader } from '@digitalcredentials/security-document-loader';

const documentLoader = securityLoader({ fetchRemoteContexts: false }).build();

/** A wallet profile: its did:key and the key pair stored with it. */
export interface LcwProfile { did: string; verificationKey: Record<string, unknown> }

/** A new profile, as mintDid makes one: an Ed25519VerificationKey2020 pair and its did:key. */
export async function mintDid(seed: Uint8Array = randomBytes(32)): Promise<LcwProfile> {
  const didKeyDriver = DidMethodKey.driver();
  didKeyDriver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from });
  const verificationKeyPair = await Ed25519VerificationKey2020.generate({ seed });
  const { didDocument } = await didKeyDriver.fromKeyPair({ verificationKeyPair });
  verificationKeyPair.controller = didDocument.id;
  verificationKeyPair.id = `${didDocument.id}#${verificationKeyPair.fingerprint()}`;
  return { did: didDocument.id, verificationKey: verificationKeyPair.export({ publicKey: true, privateKey: true }) };
}

export interface ExchangeInvitation { credentialRequestOrigin?: string; protocols: Record<string, string> }

/**
 * Opens the link as a phone does: lcw.app's page turns it into the app's deep link, which
 * LCW 2.2.10 reads (query `request`, then `JSON.parse(decodeURI(…))`) and LCW 2.1.2 reads too
 * (the query after the first `?`, requiring `credentialRequestOrigin` and a protocol). Throws
 * where either would refuse it; answers the invitation and the deep link.
 */
export function openLink(walletUrl: string): { deepLink: string; invitation: ExchangeInvitation } {
  const page = new URL(walletUrl);
  if (page.origin !== 'https://lcw.app' || page.pathname !== '/request.html') throw new Error(`${walletUrl} is not LCW's request page`);
  const deepLink = `dccrequest://request${page.search}`;

  const request = new URL(deepLink).searchParams.get('request');
  if (request === null) throw new Error('LCW 2.2: the URL has no "request" parameter');
  const invitation = JSON.parse(decodeURI(request)) as ExchangeInvitation;
  if (!('protocols' in invitation)) throw new Error('LCW 2.2: not a wallet API message');

  const older = JSON.parse(new URLSearchParams(deepLink.split('?')[1]).get('request') ?? 'null') as ExchangeInvitation | null;
  if (older?.credentialRequestOrigin === undefined || !older.protocols || !['OID4VCI', 'OID4VP', 'vcapi'].some((p) => older.protocols[p])) {
    throw new Error('LCW 2.1: the credential request was malformed');
  }
  if (JSON.stringify(older) !== JSON.stringify(invitation)) throw new Error('LCW 2.1 and 2.2 read different invitations');
  return { deepLink, invitation };
}

/** sendToExchanger: a POST of JSON, the answer read as JSON whatever its status (LCW reads no status). */
export async function sendToExchanger(exchangeUrl: string, payload: object): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(exchangeUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/**
 * composeVp for a DID authentication: a presentation naming `holder` (the profile's DID unless
 * said), signed with Ed25519Signature2020 by the signer of `signedBy` (the profile unless said),
 * for the challenge and domain.
 */
export async function composeDidAuth(profile: LcwProfile, o: { challenge?: string; domain?: string; holder?: string; signedBy?: LcwProfile }): Promise<Record<string, unknown>> {
  if (!(o.challenge && o.domain)) throw new Error('Both "challenge" and "domain" are required for DID Auth.');
  const key = await Ed25519VerificationKey2020.from((o.signedBy ?? profile).verificationKey);
  const presentation = dccVc.createPresentation({ holder: o.holder ?? profile.did, verify: false });
  return dccVc.signPresentation({ presentation, challenge: o.challenge, domain: o.domain, documentLoader, suite: new Ed25519Signature2020({ signer: key.signer() }) });
}

export interface PresentationRequest {
  query: { type: string; acceptedMethods?: { method: string }[] } | { type: string; acceptedMethods?: { method: string }[] }[];
  challenge?: string;
  domain?: string;
  interact?: { service?: { serviceEndpoint?: string }[] };
}

export interface Received {
  invitation: ExchangeInvitation;
  request: PresentationRequest;
  presentation: Record<string, unknown>;
  answer: { status: number; headers: Headers; body: any };
  /** The credentials of the answer as LCW 2.2 extracts them, and as 2.1 reads them (an array, first taken). */
  credentials: Record<string, any>[];
}

/**
 * The whole exchange from a link, as LCW runs it: POST `{}` to `protocols.vcapi`, a
 * DIDAuthentication request answered with a presentation signed by `profile`, posted back, and
 * the credentials of the answer, read as 2.1 to 2.2.7 read them before offering to store them.
 * (2.2.8 to 2.2.10 send the same requests but store nothing after a presentation request: see
 * src/wallets/vcApi/exchange.ts.)
 */
export async function receiveThroughExchange(walletUrl: string, profile: LcwProfile): Promise<Received> {
  const { invitation } = openLink(walletUrl);
  const exchangeUrl = invitation.protocols.vcapi;
  if (!exchangeUrl) throw new Error('Only the "vcapi" protocol is supported currently.');
  const initial = await sendToExchanger(exchangeUrl, {});
  if (!initial.body || !('verifiablePresentationRequest' in initial.body)) throw new Error(`no presentation request: ${initial.status} ${JSON.stringify(initial.body)}`);
  const request = initial.body.verifiablePresentationRequest as PresentationRequest;
  const queries = [request.query].flat();
  const didAuth = queries.filter((q) => q.type === 'DIDAuthentication');
  if (didAuth.length !== 1) throw new Error(`LCW takes exactly one DIDAuthentication query; got ${didAuth.length}`);
  const presentation = await composeDidAuth(profile, { challenge: request.challenge, domain: request.domain });
  // 2.2 posts to the exchange URL; 2.1 to interact.service[0].serviceEndpoint, else the exchange URL.
  const older = request.interact?.service?.[0]?.serviceEndpoint ?? exchangeUrl;
  if (older !== exchangeUrl) throw new Error(`LCW 2.1 would post to ${older}, 2.2 to ${exchangeUrl}`);
  const answer = await sendToExchanger(exchangeUrl, { verifiablePresentation: presentation });
  const vp = answer.body?.verifiablePresentation;
  const asNewer = vp && [vp.type].flat().includes('VerifiablePresentation') ? [vp.verifiableCredential].flat().filter(Boolean) : [];
  const asOlder = Array.isArray(vp?.verifiableCredential) && vp.verifiableCredential.length > 0 ? [vp.verifiableCredential[0]] : [];
  if (asNewer.length !== asOlder.length) throw new Error('LCW 2.1 and 2.2 read different credentials from the answer');
  return { invitation, request, presentation, answer, credentials: asNewer };
}
