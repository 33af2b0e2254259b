/**
 * The links the DCC Learner Credential Wallet (LCW) opens, both on https://lcw.app/request.html.
 * A phone's camera or a tap opens that page, which sends its query on to the app as
 * `dccrequest://request?…` (digitalcredentials/learner-credential-wallet-site, request.html);
 * LCW 2.2 also takes the https link from its own QR scanner (`https://lcw.app/request` is among
 * its link prefixes: openwallet-foundation-labs/learner-credential-wallet, app.config.js).
 *
 * 1. The credential request link (`lcwCredentialRequestLink`), which Laurel shows: the one every
 *    LCW release stores a badge from. LCW's "legacy credential request flow": `issuer`,
 *    `auth_type=bearer`, `challenge`, `vc_request_url`, as the DCC's own exchange service writes
 *    it (skybridgeskills/dcc-transaction-service, src/lib/wallets/lcw.ts). How LCW reads it:
 *    - 2.2.8 to 2.2.10 (app/lib/decode.ts isLegacyCredentialRequest, legacyRequestParamsFromUrl;
 *      app/lib/deepLinkConfig.ts, app/screens/AddScreen): a deep link whose query, after its
 *      first `?`, holds `issuer` and `vc_request_url`;
 *    - 2.1.x to 2.2.7 (app/lib/deepLink.ts getStateFromPath; app/lib/decode.ts
 *      credentialRequestParamsFromQrText): the `request` path, whose query must hold `issuer` and
 *      `vc_request_url` (credentialRequest.ts isCredentialRequestParams). A link holding
 *      `request=` anywhere is sent to the exchange-invitation screen instead (deepLink.ts
 *      subscribe): every value here is percent-encoded, so none holds `=` or `?`.
 *    Neither reads `issuer` beyond its presence (no registry is consulted for it): it is Laurel's
 *    host, as the DCC's service gives its own. `auth_type` must be `bearer` (any other value, or
 *    none, and LCW stops: credentialRequest.ts requestCredential). The `challenge` is the
 *    exchange's; LCW signs it (lcwCredentialRequest.ts).
 * 2. The exchange invitation (`lcwExchangeLink`), for wallets that speak VC-API: its
 *    `{ credentialRequestOrigin, protocols: { vcapi } }` as JSON in the `request` parameter.
 *    LCW 2.1.x parses the query after the first `?` and requires both fields (decode.ts,
 *    credentialRequest.ts); 2.2.x JSON-parses `decodeURI(request)` (walletRequestApi.ts
 *    parseWalletApiUrl), decoding once more what the query parser decoded: the exchange URL holds
 *    no `%` (its id is base64url), so that changes nothing. LCW 2.2.8 to 2.2.10 store nothing
 *    from it (exchange.ts).
 */

export const LCW_REQUEST_PAGE = 'https://lcw.app/request.html';

export function lcwCredentialRequestLink(o: { issuer: string; challenge: string; requestUrl: string }): string {
  const query = [['issuer', o.issuer], ['auth_type', 'bearer'], ['challenge', o.challenge], ['vc_request_url', o.requestUrl]];
  return `${LCW_REQUEST_PAGE}?${query.map(([name, value]) => `${name}=${encodeURIComponent(value!)}`).join('&')}`;
}

export function lcwExchangeLink(exchangeUrl: string, origin: string): string {
  const invitation = { credentialRequestOrigin: origin, protocols: { vcapi: exchangeUrl } };
  return `${LCW_REQUEST_PAGE}?request=${encodeURIComponent(JSON.stringify(invitation))}`;
}
