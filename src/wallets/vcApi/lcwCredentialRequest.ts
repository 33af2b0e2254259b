/**
 * LCW's credential request flow (its "legacy" flow, which every LCW release stores the badge
 * from): the learner opens the link `createExchange` shows (lcwLink.ts), and LCW posts one signed
 * DID authentication to the link's `vc_request_url`, this exchange's credential request URL; the
 * answer is the credential. Same exchange as the VC-API one (exchange.ts): one award, single use,
 * ten minutes, its challenge the one in the link.
 *
 * What LCW sends, read in openwallet-foundation-labs/learner-credential-wallet v2.2.10 (app/lib/
 * credentialRequest.ts requestCredential, app/lib/present.ts createVerifiablePresentation) and
 * digitalcredentials/learner-credential-wallet v2.1.2 (the same two files, the same steps):
 * - `auth_type=bearer` means no token: LCW sends no Authorization header (it would send
 *   `Bearer <accessToken>`, but nothing ever sets one), only `Content-Type: application/json`;
 * - the body is the bare presentation, not `{ verifiablePresentation }`: `@digitalcredentials/vc`
 *   createPresentation `{ holder }` with no credential, signPresentation with
 *   `Ed25519Signature2020` (the key of its did:key) and the link's `challenge` (a random UUID if
 *   the link had none), and no domain. A body wrapped as `{ verifiablePresentation }` is taken
 *   too, as the DCC's service takes either (skybridgeskills/dcc-transaction-service,
 *   src/workflows/claimWorkflow.ts participateInClaimExchange).
 *
 * No domain is required here because LCW signs none in this flow. That is acceptable: the
 * challenge is single-use and bound to this one exchange (a proof made for another exchange, or
 * replayed after this one completed, is refused), and the credential is issued to the key that
 * signed (holder = signer, didAuthentication.ts), so a relayed proof only gives the badge to the
 * wallet that made it. A proof that does name a domain must still name Laurel's.
 *
 * What LCW reads back: on a status that is not OK it stops ("The issuer failed to return a valid
 * response"); else it reads the text, decodes HTML entities in it (app/lib/parseResponse.ts
 * parseResponseBody, html-entities), parses JSON, and takes the credentials of a credential (type
 * includes "VerifiableCredential": `[it]`) or of a presentation (its `verifiableCredential`)
 * (app/lib/verifiableObject.ts extractCredentialsFrom, in both releases). A bare
 * `{ verifiableCredential }` it refuses. So the answer is the credential itself, as the DCC's
 * Credential Request Flow says ("Return the VC", digitalcredentials/docs,
 * request/credential_request.md), in JSON whose every `&` is written `\u0026` (answerText), so
 * that LCW's entity decoding cannot change a badge text such as "Health &amp; Safety" and break
 * its proof. LCW then offers the learner to accept it (ApproveCredentialsScreen).
 */
import { exchangeDomain, completeWithCredential, openExchange, refuseUnlessHeld } from './exchange.js';
import { verifyDidAuthentication } from './didAuthentication.js';

/**
 * One POST of LCW to the credential request URL: the credential, issued to the holder the
 * presentation authenticates. Throws an ExchangeRefusal (or a DidAuthenticationError) and issues
 * nothing otherwise.
 */
export async function requestCredential(exchangeId: string, body: unknown, now = new Date()): Promise<Record<string, unknown>> {
  const exchange = await openExchange(exchangeId, now);
  await refuseUnlessHeld(exchange);
  const wrapped = body && typeof body === 'object' && 'verifiablePresentation' in body;
  const presentation = wrapped ? (body as { verifiablePresentation: unknown }).verifiablePresentation : body;
  const holder = await verifyDidAuthentication(presentation, { challenge: exchange.challenge, domain: exchangeDomain(), requireDomain: false });
  return completeWithCredential(exchangeId, exchange, holder, 'LCW credential request', now);
}

/** JSON for LCW, which decodes HTML entities in the text before it parses it: `&` as `\u0026`, which JSON.parse reads back as `&`. */
export const answerText = (answer: object): string => JSON.stringify(answer).replace(/&/g, '\\u0026');
