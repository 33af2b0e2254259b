/**
 * The token endpoint of the pre-authorized code flow (OpenID4VCI 1.0 section 6): a wallet trades
 * the offer's code, and its tx_code when the offer asked for one, for an access token good for
 * five minutes and for that award's credentials only. The offer is taken once, so a replayed
 * code (or one sent twice at once) gets `invalid_grant`; three tries of a tx_code in all spend it,
 * however many arrive at once, so six digits cannot be guessed. Only hashes of codes and tokens
 * are stored.
 */
import { randomBytes } from 'node:crypto';
import { oid4vciUrls } from '../../credentials/urls.js';
import { publicBase } from '../../publicBase.js';
import { saveAccessToken } from '../../store/oid4vciAccessToken.js';
import { findOffer, redeemOffer, type Oid4vciOffer } from '../../store/oid4vciOffer.js';
import { Oid4vciError } from './errors.js';
import { PRE_AUTHORIZED_CODE_GRANT } from './issuerMetadata.js';

export const ACCESS_TOKEN_TTL_SECONDS = 300;

export interface AccessTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const NEW_OFFER = 'Open the badge in Laurel again for a new offer (QR code or link), and scan it with the wallet.';

const grantRefused = (description: string) => new Oid4vciError(400, 'invalid_grant', description);

function text(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new Oid4vciError(400, 'invalid_request', `The parameter ${name} must be given once, as text.`);
  return value;
}

function usable(offer: Oid4vciOffer | null, issuerKey: string, now: Date): Oid4vciOffer {
  if (!offer || offer.issuerKey !== issuerKey) throw grantRefused(`This pre-authorized code is unknown here, or was already used: each offer gives one access token. ${NEW_OFFER}`);
  if (offer.expiresAt.getTime() <= now.getTime()) throw grantRefused(`This offer expired: an offer is good for 10 minutes. ${NEW_OFFER}`);
  return offer;
}

/** The token request (a form, RFC 6749 section 4.1.3 as OpenID4VCI 1.0 section 6.1 extends it) of this issuer's endpoint. */
export async function redeemPreAuthorizedCode(issuerKey: string, body: Record<string, unknown>, now = new Date()): Promise<AccessTokenResponse> {
  const grantType = text(body, 'grant_type');
  if (!grantType) throw new Oid4vciError(400, 'invalid_request', `The token request has no grant_type: send grant_type=${PRE_AUTHORIZED_CODE_GRANT} with the offer's pre-authorized_code.`);
  if (grantType !== PRE_AUTHORIZED_CODE_GRANT) throw new Oid4vciError(400, 'unsupported_grant_type', `Laurel grants access with pre-authorized codes only: send grant_type=${PRE_AUTHORIZED_CODE_GRANT}.`);
  const code = text(body, 'pre-authorized_code');
  if (!code) throw new Oid4vciError(400, 'invalid_request', "The token request has no pre-authorized_code: send the one in the credential offer's grant.");
  const txCode = text(body, 'tx_code');
  const resource = text(body, 'resource');
  const issuer = oid4vciUrls(publicBase(), issuerKey).credentialIssuer;
  if (resource !== undefined && resource !== issuer) throw new Oid4vciError(400, 'invalid_target', `This token endpoint gives access to the credential issuer ${issuer} only, not to the resource asked for.`);

  const offer = usable(await findOffer(code), issuerKey, now);
  if (offer.txCodeHash !== undefined && txCode === undefined) {
    throw new Oid4vciError(400, 'invalid_request', 'This offer asks for a transaction code: send the 6 digits shown on the badge page in Laurel as tx_code.');
  }
  if (offer.txCodeHash === undefined && txCode !== undefined) {
    throw new Oid4vciError(400, 'invalid_request', 'This offer asks for no transaction code: send the token request without tx_code.');
  }
  const redeemed = await redeemOffer(code, offer, txCode);
  if ('wrongTxCode' in redeemed) {
    const { left } = redeemed.wrongTxCode;
    throw grantRefused(left > 0
      ? `The transaction code is wrong (${left} ${left === 1 ? 'try' : 'tries'} left): type the 6 digits shown on the badge page in Laurel.`
      : `The transaction code is wrong, and this offer has had its last try. ${NEW_OFFER}`);
  }
  if ('gone' in redeemed) {
    throw grantRefused(txCode === undefined
      ? `This pre-authorized code was already used: each offer gives one access token. ${NEW_OFFER}`
      : `This offer was already used, or has had its three tries of a transaction code. ${NEW_OFFER}`);
  }

  const accessToken = randomBytes(32).toString('base64url');
  await saveAccessToken(accessToken, { publicId: offer.publicId, issuerKey, expiresAt: new Date(now.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000) });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS };
}
