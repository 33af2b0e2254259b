/**
 * A VC-API exchange that gives one award's credential to the wallet of its learner, as the DCC
 * Learner Credential Wallet (LCW) takes part in one. Single-use, ten minutes, one award.
 *
 * The steps, as LCW runs them (openwallet-foundation-labs/learner-credential-wallet v2.2.10:
 * app/screens/ExchangeCredentials/ExchangeCredentials.tsx runExchange, app/lib/exchanges.ts
 * processMessageChain, processRequest and sendToExchanger; digitalcredentials/learner-credential-
 * wallet v2.1.2: app/lib/exchanges.ts handleVcApiExchangeComplete):
 * 1. the wallet opens the exchange invitation `createExchange` made (`exchangeInvitationUrl`,
 *    lcwLink.ts); LCW POSTs `{}` to `protocols.vcapi`, the exchange URL;
 * 2. Laurel answers `{ verifiablePresentationRequest }`: a DIDAuthentication query, a challenge
 *    and a domain (LCW refuses to sign without both: composeVp.ts). No `interact`: LCW 2.2
 *    posts its answer to the exchange URL whatever `interact` says, 2.1 to
 *    `interact.service[0].serviceEndpoint` and else to the exchange URL;
 * 3. LCW POSTs `{ verifiablePresentation }`, signed for that challenge and domain;
 * 4. Laurel checks it (didAuthentication.ts), signs the award's credential to the holder's DID
 *    (awards/holderCopy.ts) and answers `{ verifiablePresentation: { verifiableCredential:
 *    [credential] } }`: LCW 2.1 reads `verifiablePresentation.verifiableCredential` and needs
 *    an array (ExchangeCredentials.tsx), 2.2 extracts the credentials of that presentation
 *    (verifiableObject.ts extractCredentialsFrom).
 *
 * Which LCW releases then store the badge: 2.1.x to 2.2.7 do (they offer the learner to accept
 * the credentials of the last answer). 2.2.8 and 2.2.9 sign and send the DID authentication but
 * drop the answer (processMessageChain returns no credentials after a request), and 2.2.10
 * (release commit f2e7334, June 2026) reads them but stores credentials only when no
 * presentation request came first (`!isVPRFlow`, ExchangeCredentials.tsx, commit f5769cd): the
 * learner sees "DID Authentication complete." and no badge, while the exchange completes and the
 * audit log says a copy went. Fixing that is LCW's to do (main had it working in March 2026,
 * commit 56e360d).
 *
 * So the link Laurel shows (`walletUrl`) is LCW's credential request link instead, which every
 * release stores the badge from: the same exchange, its challenge in the link, and LCW's signed
 * DID authentication posted to the exchange's credential request URL (lcwCredentialRequest.ts).
 * The VC-API invitation (`exchangeInvitationUrl`) stays for wallets that speak VC-API. Either way
 * completes the one exchange, once.
 *
 * LCW shows no error an exchange answers (it does not read the status), so refusals are for
 * the logs and other wallets: a stable code and a sentence.
 */
import { randomBytes } from 'node:crypto';
import { publicBase } from '../../publicBase.js';
import { HolderCopyError, issueToHolder, type WalletProtocol } from '../../awards/holderCopy.js';
import { awardOf } from '../../store/award.js';
import { credentialByPublicId, type IssuedCredential } from '../../store/issuedCredential.js';
import { completeExchange, exchangeById, reopenExchange, saveExchange, type VcApiExchange } from '../../store/vcApiExchange.js';
import { ACCEPTED_DID_METHODS, verifyDidAuthentication } from './didAuthentication.js';
import { lcwCredentialRequestLink, lcwExchangeLink } from './lcwLink.js';

export const EXCHANGE_LIFETIME_SECONDS = 600;

/** Where an exchange answers. Its id is 256 random bits in base64url (43 characters). */
export const EXCHANGE_PATH = '/exchanges/:exchangeId';
export const isExchangeId = (id: string) => /^[A-Za-z0-9_-]{43}$/.test(id);
export const exchangeUrl = (base: string, exchangeId: string) => `${base}/exchanges/${exchangeId}`;
/** Where LCW posts its DID authentication in the credential request flow: the `vc_request_url` of the link. */
export const CREDENTIAL_REQUEST_PATH = `${EXCHANGE_PATH}/credential-request`;
export const credentialRequestUrl = (base: string, exchangeId: string) => `${exchangeUrl(base, exchangeId)}/credential-request`;

export class ExchangeRefusal extends Error {
  constructor(message: string, readonly status: number, readonly code: string) { super(message); }
}

/** The domain a wallet's proof must name: Laurel's public host, from PUBLIC_URL (never a request's Host header). */
export const exchangeDomain = () => new URL(publicBase()).host;

export interface OfferedExchange {
  /** What Laurel shows (a QR code or a tap): LCW's credential request link, which every LCW release stores the badge from. */
  walletUrl: string;
  /** The same exchange as a VC-API exchange invitation, for wallets that speak VC-API. */
  exchangeInvitationUrl: string;
  expiresAt: Date;
}

/**
 * An exchange for `issued` alone, which the first wallet to prove its DID within ten minutes
 * completes, by either link. Refuses a revoked award.
 */
export async function createExchange(issued: IssuedCredential): Promise<OfferedExchange> {
  const award = await awardOf(issued.courseKey, issued.badgeId, issued.userId);
  if (!award) throw new HolderCopyError('The badge is no longer stored: it cannot be added to a wallet.', 'not_found');
  if (award.status !== 'awarded') throw new HolderCopyError('The badge was revoked: it cannot be added to a wallet.', 'revoked');
  const exchangeId = randomBytes(32).toString('base64url');
  const challenge = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + EXCHANGE_LIFETIME_SECONDS * 1000);
  await saveExchange(exchangeId, {
    publicId: issued.publicId, courseKey: issued.courseKey, badgeId: issued.badgeId, userId: issued.userId,
    challenge, expiresAt,
  });
  const base = publicBase();
  return {
    walletUrl: lcwCredentialRequestLink({ issuer: exchangeDomain(), challenge, requestUrl: credentialRequestUrl(base, exchangeId) }),
    exchangeInvitationUrl: lcwExchangeLink(exchangeUrl(base, exchangeId), new URL(base).origin),
    expiresAt,
  };
}

/** The exchange, still open at `now`; else why not. */
export async function openExchange(exchangeId: string, now: Date): Promise<VcApiExchange> {
  const exchange = isExchangeId(exchangeId) ? await exchangeById(exchangeId) : null;
  if (!exchange) throw new ExchangeRefusal('No exchange has this id: ask for a new link on your badge\'s page.', 404, 'exchange_not_found');
  if (exchange.state === 'completed') throw new ExchangeRefusal('This exchange was completed already: each link gives the badge once. Ask for a new link on your badge\'s page.', 410, 'exchange_completed');
  if (exchange.expiresAt.getTime() <= now.getTime()) throw new ExchangeRefusal(`This exchange expired: a link lasts ${EXCHANGE_LIFETIME_SECONDS / 60} minutes. Ask for a new link on your badge's page.`, 410, 'exchange_expired');
  return exchange;
}

export async function refuseUnlessHeld(exchange: VcApiExchange): Promise<void> {
  const award = await awardOf(exchange.courseKey, exchange.badgeId, exchange.userId);
  if (!award || award.status !== 'awarded') throw new ExchangeRefusal('The badge was revoked or removed: it cannot be added to a wallet.', 410, 'award_revoked');
}

/** The presentation request of step 2. */
function presentationRequest(exchange: VcApiExchange) {
  return {
    verifiablePresentationRequest: {
      query: [{ type: 'DIDAuthentication', acceptedMethods: ACCEPTED_DID_METHODS.map((method) => ({ method })) }],
      challenge: exchange.challenge,
      domain: exchangeDomain(),
    },
  };
}

/**
 * One POST of a wallet to the exchange: without `verifiablePresentation` (LCW sends `{}`) it
 * answers the presentation request; with it, the credential once the presentation authenticates
 * the holder. Throws an ExchangeRefusal (or a DidAuthenticationError) and issues nothing otherwise.
 */
export async function participate(exchangeId: string, body: unknown, now = new Date()): Promise<object> {
  const exchange = await openExchange(exchangeId, now);
  await refuseUnlessHeld(exchange);
  const presentation = body && typeof body === 'object' ? (body as { verifiablePresentation?: unknown }).verifiablePresentation : undefined;
  if (presentation === undefined) return presentationRequest(exchange);

  const holder = await verifyDidAuthentication(presentation, { challenge: exchange.challenge, domain: exchangeDomain() });
  const credential = await completeWithCredential(exchangeId, exchange, holder, 'VC-API exchange', now);
  return {
    verifiablePresentation: {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiablePresentation'],
      verifiableCredential: [credential],
    },
  };
}

/**
 * The last step of either flow, once `holder` authenticated: completes the exchange (the first
 * wallet to get here; two presentations sent at once, one wins) and signs the award's credential
 * to `holder`. Reopens the exchange when no credential could be signed.
 */
export async function completeWithCredential(exchangeId: string, exchange: VcApiExchange, holder: string, protocol: WalletProtocol, now: Date): Promise<Record<string, unknown>> {
  const issued = await credentialByPublicId(exchange.publicId);
  if (!issued) throw new ExchangeRefusal('The badge\'s credential is no longer stored: it cannot be added to a wallet.', 410, 'award_revoked');
  if (!(await completeExchange(exchangeId, holder, exchange.expiresAt, now))) {
    throw new ExchangeRefusal('This exchange was completed already: each link gives the badge once. Ask for a new link on your badge\'s page.', 410, 'exchange_completed');
  }
  try {
    return (await issueToHolder(issued, holder, 'ldp_vc', protocol)) as Record<string, unknown>;
  } catch (err) {
    await reopenExchange(exchangeId, holder);
    if (err instanceof HolderCopyError) throw new ExchangeRefusal(err.message, 410, 'award_revoked');
    throw err;
  }
}
