/**
 * The link the DCC Learner Credential Wallet (LCW) opens to join a VC-API exchange: its
 * "exchange invitation", `{ credentialRequestOrigin, protocols: { vcapi } }` as JSON, percent-
 * encoded in the `request` parameter of https://lcw.app/request.html. A phone's camera or a tap
 * opens that page, which sends its query on to the app as `dccrequest://request?…`
 * (digitalcredentials/learner-credential-wallet-site, request.html); LCW 2.2.10 also takes the
 * https link from its own QR scanner (`https://lcw.app/request` is among its link prefixes:
 * openwallet-foundation-labs/learner-credential-wallet, app.config.js, app/screens/AddScreen).
 *
 * How LCW reads it, in the versions read (v2.1.2 in digitalcredentials/learner-credential-wallet,
 * app/lib/decode.ts and credentialRequest.ts; v2.2.10 in openwallet-foundation-labs/
 * learner-credential-wallet, app/lib/walletRequestApi.ts parseWalletApiUrl):
 * - 2.1.x splits the link at its first `?`, parses the query, and requires both
 *   `credentialRequestOrigin` and `protocols.vcapi`: both are given;
 * - 2.2.x parses the query, then JSON-parses `decodeURI(request)`, decoding once more what the
 *   query parser decoded: the exchange URL holds no `%` (its id is base64url), so that second
 *   decoding changes nothing.
 */

export const LCW_REQUEST_PAGE = 'https://lcw.app/request.html';

export function lcwExchangeLink(exchangeUrl: string, origin: string): string {
  const invitation = { credentialRequestOrigin: origin, protocols: { vcapi: exchangeUrl } };
  return `${LCW_REQUEST_PAGE}?request=${encodeURIComponent(JSON.stringify(invitation))}`;
}
