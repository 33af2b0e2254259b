/**
 * The DCC Learner Credential Wallet (LCW) as a test client, in its two ways of receiving a
 * credential: a VC-API exchange (a link, a presentation request, the answer) and its older
 * credential request flow (a link, one signed DID authentication, the answer), step by step as
 * its code does them, with the same DCC libraries it signs with (@digitalcredentials/vc,
 * ed25519-signature-2020, ed25519-verification-key-2020, did-method-key,
 * security-document-loader) and reads answers with (html-entities), none of them ours.
 *
 * The credential request flow, read from LCW v2.2.10 (openwallet-foundation-labs/learner-
 * credential-wallet: app/lib/decode.ts isLegacyCredentialRequest and legacyRequestParamsFromUrl,
 * app/lib/deepLinkConfig.ts, app/screens/AddScreen, app/lib/walletRequestApi.ts isDeepLink,
 * app/lib/credentialRequest.ts requestCredential, app/lib/present.ts, app/lib/parseResponse.ts,
 * app/lib/verifiableObject.ts extractCredentialsFrom), v2.2.7 (the same repository:
 * app/lib/deepLink.ts, app/lib/decode.ts credentialRequestParamsFromQrText, app.config.js) and
 * v2.1.2 (digitalcredentials/learner-credential-wallet: app/lib/deepLink.ts, app/lib/decode.ts,
 * app/lib/encode.ts, app/lib/credentialRequest.ts, app/lib/present.ts, app/lib/verifiableObject.ts).
 * LCW parses queries with `query-string`; here URLSearchParams, which reads these links alike
 * (percent-decoding, `+` as a space, each name once).
 *
 * The VC-API exchange:
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
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as HtmlEntities from 'html-entities';
import { verifyCredential as verifierCoreVerify } from '@digitalcredentials/verifier-core';
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
export function openLink(invitationUrl: string): { deepLink: string; invitation: ExchangeInvitation } {
  const page = new URL(invitationUrl);
  if (page.origin !== 'https://lcw.app' || page.pathname !== '/request.html') throw new Error(`${invitationUrl} is not LCW's request page`);
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
export async function receiveThroughExchange(invitationUrl: string, profile: LcwProfile): Promise<Received> {
  const { invitation } = openLink(invitationUrl);
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

/* ---------- The credential request flow ("legacy": every LCW release stores its answer) ---------- */

/** What LCW reads from a credential request link (credentialRequest.ts CredentialRequestParams). */
export interface CredentialRequestParams { auth_type?: string; issuer: string; vc_request_url: string; challenge?: string }

/** `qs.parse(url.split('?')[1])`, as LCW reads a link's query: only what lies between the first `?` and the next. */
const queryOf = (url: string): Record<string, string> => Object.fromEntries(new URLSearchParams(url.split('?')[1] ?? ''));

/** What LCW takes as its links (isDeepLink): 2.2.x (app.config.js LinkConfig; 2.2.10 adds `interaction:`), 2.1.x (decode.ts). */
const LCW_22_PREFIXES = ['https://lcw.app/mobile', 'dccrequest://', 'org.dcconsortium://', 'https://lcw.app/request'];
const LCW_21_PREFIXES = ['dccrequest://request?', 'org.dcconsortium://request?'];

/** encode.ts encodeQueryParams, which 2.1.x to 2.2.7 apply to a deep link before routing it. */
const encodeQueryParams = (url: string) => url.replace(/=([^&]+)/g, (_m, value: string) => (/[;,/?:@&=+$]/.test(value) ? `=${encodeURIComponent(value)}` : `=${value}`));

/**
 * Opens a credential request link as each LCW release does, and throws where one of them would
 * not start the flow; answers the deep link and the parameters, which all of them read alike:
 * - lcw.app's page hands its query to the app as `dccrequest://request?…` (request.html);
 * - 2.2.8 to 2.2.10, from that deep link (deepLinkConfig.ts subscribe) or from the https link
 *   scanned in the app (AddScreen addCredentialsFrom): a deep link (isDeepLink) whose query holds
 *   `vc_request_url` and `issuer` (isLegacyCredentialRequest), read by legacyRequestParamsFromUrl;
 * - 2.1.x to 2.2.7, from the deep link (deepLink.ts): a link holding `request=` goes to the
 *   exchange screen instead (subscribe); else the encoded link's path `request` and its query,
 *   which must hold `issuer` and `vc_request_url` (getStateFromPath, isCredentialRequestParams);
 * - 2.2.0 to 2.2.7, the https link scanned in the app (AddScreen, credentialRequestParamsFromQrText).
 * (2.1.x's own scanner takes no lcw.app link, of either kind: there the phone's camera opens it.)
 */
export function openCredentialRequestLink(walletUrl: string): { deepLink: string; params: CredentialRequestParams } {
  const page = new URL(walletUrl);
  if (page.origin !== 'https://lcw.app' || page.pathname !== '/request.html') throw new Error(`${walletUrl} is not LCW's request page`);
  const deepLink = `dccrequest://request${page.search}`;

  const readings: [string, Record<string, string>][] = [];
  for (const url of [deepLink, walletUrl]) {
    if (!LCW_22_PREFIXES.some((prefix) => url.startsWith(prefix))) throw new Error(`LCW 2.2: ${url} is not one of its links`);
    const params = queryOf(url);
    if (!('vc_request_url' in params && 'issuer' in params)) throw new Error(`LCW 2.2.8+: ${url} is not a credential request`);
    readings.push([`2.2.8+ ${url === deepLink ? 'deep link' : 'scanned'}`, params]);
  }

  if (!LCW_21_PREFIXES.some((prefix) => deepLink.startsWith(prefix))) throw new Error('LCW 2.1: not one of its deep links');
  if (deepLink.includes('request=')) throw new Error('LCW 2.1 to 2.2.7 would open this link as an exchange invitation');
  const path = encodeQueryParams(deepLink).slice('dccrequest://'.length);
  const route = path.split('?')[0];
  const older = Object.fromEntries(new URLSearchParams(path.slice(path.indexOf('?') + 1)));
  if (route !== 'request' || 'request' in older) throw new Error(`LCW 2.1 to 2.2.7: the path ${route} is not a credential request`);
  if (older.issuer === undefined || older.vc_request_url === undefined) throw new Error('LCW 2.1 to 2.2.7: the credential request lacks issuer or vc_request_url');
  readings.push(['2.1 to 2.2.7 deep link', older]);
  if (!LCW_22_PREFIXES.some((prefix) => walletUrl.startsWith(prefix))) throw new Error('LCW 2.2.0 to 2.2.7: the scanned link is not one of its links');
  const scanned = queryOf(walletUrl);
  if (scanned.issuer === undefined || scanned.vc_request_url === undefined) throw new Error('LCW 2.2.0 to 2.2.7: The QR code contained an invalid deep link.');
  readings.push(['2.2.0 to 2.2.7 scanned', scanned]);

  const [[, first]] = readings as [[string, Record<string, string>]];
  for (const [who, params] of readings) {
    if (JSON.stringify(params) !== JSON.stringify(first)) throw new Error(`LCW ${who} reads other parameters: ${JSON.stringify(params)}`);
  }
  return { deepLink, params: first as unknown as CredentialRequestParams };
}

/**
 * present.ts createVerifiablePresentation for the credential request: a presentation naming
 * `holder` (the profile's DID unless said), no credential, signed with Ed25519Signature2020 by
 * the key of `signedBy` (the profile unless said) for `challenge` (a random UUID when the link
 * gives none), and no domain.
 */
export async function createVerifiablePresentation(profile: LcwProfile, o: { challenge?: string; holder?: string; signedBy?: LcwProfile } = {}): Promise<Record<string, unknown>> {
  const verificationKeyPair = await Ed25519VerificationKey2020.from((o.signedBy ?? profile).verificationKey);
  const suite = new Ed25519Signature2020({ key: verificationKeyPair });
  const presentation = dccVc.createPresentation({ holder: o.holder ?? profile.did, verify: false });
  return dccVc.signPresentation({ presentation, suite, challenge: o.challenge ?? randomUUID(), documentLoader });
}

export interface CredentialRequestAnswer { status: number; ok: boolean; headers: Headers; text: string; body: any }

/** requestCredential's POST: the presentation as the whole body, JSON, no Authorization header; the answer read as parseResponseBody reads it (HTML entities decoded, then JSON). */
export async function postCredentialRequest(vcRequestUrl: string, body: unknown): Promise<CredentialRequestAnswer> {
  const res = await fetch(vcRequestUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = null;
  try { parsed = JSON.parse(HtmlEntities.decode(text)); } catch { /* LCW throws here; the callers look at `status` first */ }
  return { status: res.status, ok: res.ok, headers: res.headers, text, body: parsed };
}

const hasType = (o: any, type: string): boolean => Boolean(o?.type?.includes?.(type));

/** verifiableObject.ts extractCredentialsFrom, as 2.2.10 and as 2.1.2 (and 2.2.7) write it: they must agree. */
export function extractCredentialsFrom(obj: any): Record<string, any>[] | null {
  const newer = hasType(obj, 'VerifiableCredential') ? [obj]
    : hasType(obj, 'VerifiablePresentation') && 'verifiableCredential' in obj ? [obj.verifiableCredential].flat()
      : null;
  const older = hasType(obj, 'VerifiableCredential') ? [obj]
    : hasType(obj, 'VerifiablePresentation') ? (obj.verifiableCredential instanceof Array ? obj.verifiableCredential : [obj.verifiableCredential])
      : null;
  if (JSON.stringify(newer) !== JSON.stringify(older)) throw new Error('LCW 2.2.10 and 2.1.2 read different credentials from the answer');
  return newer;
}

export interface ReceivedByRequest {
  deepLink: string;
  params: CredentialRequestParams;
  presentation: Record<string, unknown>;
  answer: CredentialRequestAnswer;
  /** The credentials LCW then offers the learner to accept (stageCredentialsForProfile, ApproveCredentialsScreen). */
  credentials: Record<string, any>[];
}

/**
 * The whole credential request flow from the link, as requestCredential runs it: `auth_type` must
 * be `bearer`, the DID authentication signed by `profile` for the link's challenge, posted to
 * `vc_request_url`; a status that is not OK stops it, else the credentials of the answer.
 */
export async function receiveThroughCredentialRequest(walletUrl: string, profile: LcwProfile): Promise<ReceivedByRequest> {
  const { deepLink, params } = openCredentialRequestLink(walletUrl);
  const { auth_type = 'code', vc_request_url, challenge } = params;
  if (auth_type !== 'bearer') throw new Error(`Unsupported auth_type value: "${auth_type}".`);
  const presentation = await createVerifiablePresentation(profile, { challenge });
  const answer = await postCredentialRequest(vc_request_url, presentation);
  if (!answer.ok) throw new Error(`Unable to receive credential: The issuer failed to return a valid response (${answer.status} ${answer.text})`);
  if (answer.body === null) throw new Error(`LCW cannot parse the answer: ${answer.text}`);
  const credentials = extractCredentialsFrom(answer.body);
  if (credentials === null) throw new Error('Unable to receive credential: The issuer failed to return a Verifiable Credential (VC) or Verifiable Presentation (VP)');
  return { deepLink, params, presentation, answer, credentials };
}

/**
 * verifier-core's check of a received credential, as LCW 2.2 makes it (app/lib/validate.ts
 * verifyCredential), against Laurel at `laurelUrl`: its log, and the URLs it tried to reach
 * elsewhere (each one a failure). verifier-core resolves did:web over https; Laurel here speaks
 * http on loopback, so its requests to Laurel's own origin go there in http, and every other
 * request is refused (its contexts ship with it; 1EdTech's schema is answered from 1EdTech's copy).
 */
export async function verifyAsLcw(credential: object, laurelUrl: string): Promise<{ errors?: unknown; log?: { id: string; valid?: boolean }[]; refused: string[] }> {
  const schemaUrl = 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';
  const schema = readFileSync(new URL('../../../shared/fixtures/openbadges/schema/ob_v3p0_achievementcredential.json', import.meta.url), 'utf8');
  const laurelOrigin = new URL(laurelUrl);
  const refused: string[] = [];
  const fetch = globalThis.fetch;
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.href === schemaUrl) return new Response(schema, { headers: { 'content-type': 'application/json' } });
    if (url.host !== laurelOrigin.host) { refused.push(url.href); throw new TypeError(`refused by the test: ${url.href}`); }
    return fetch(`${laurelOrigin.origin}${url.pathname}${url.search}`, init);
  }) as typeof fetch;
  try {
    const result = (await verifierCoreVerify({ credential: credential as never, knownDIDRegistries: [] })) as { errors?: unknown; log?: { id: string; valid?: boolean }[] };
    return { errors: result.errors, log: result.log, refused };
  } finally {
    globalThis.fetch = fetch;
  }
}
