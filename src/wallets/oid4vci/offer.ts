/**
 * A credential offer for one award (OpenID4VCI 1.0 section 4.1), what the learner's page shows as
 * a QR code and a link: the offer travels by value in the `openid-credential-offer://` URI, so no
 * URL that a request log would show ever carries its pre-authorized code. The code is random,
 * good once and for ten minutes; with `txCode`, the wallet must also send the six digits the page
 * shows beside it, so a photo of the QR code alone gets nothing.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { oid4vciUrls } from '../../credentials/urls.js';
import { LOCALES } from '../../i18n/locale.js';
import { translator } from '../../i18n/translate.js';
import { publicBase } from '../../publicBase.js';
import type { IssuedCredential } from '../../store/issuedCredential.js';
import { saveOffer } from '../../store/oid4vciOffer.js';
import { CREDENTIAL_CONFIGURATIONS, PRE_AUTHORIZED_CODE_GRANT } from './issuerMetadata.js';

export const OFFER_TTL_SECONDS = 600;
export const TX_CODE_LENGTH = 6;

export interface CredentialOffer {
  /** `openid-credential-offer://?credential_offer=…`: for a QR code or a link a wallet opens. */
  offerUri: string;
  /** The digits the learner types into the wallet, when asked for. */
  txCode?: string;
  expiresAt: Date;
}

/** The tx_code's description, in every language Laurel speaks: the offer cannot know the wallet's. */
function txCodeDescription(): string {
  return LOCALES.map((locale) => translator(locale).t('wallet.oid4vci.txCode')).join(' / ');
}

export async function createCredentialOffer(issued: IssuedCredential, opts: { txCode: boolean }): Promise<CredentialOffer> {
  const preAuthorizedCode = randomBytes(32).toString('base64url');
  const txCode = opts.txCode ? String(randomInt(0, 10 ** TX_CODE_LENGTH)).padStart(TX_CODE_LENGTH, '0') : undefined;
  const expiresAt = new Date(Date.now() + OFFER_TTL_SECONDS * 1000);
  await saveOffer({ preAuthorizedCode, txCode, publicId: issued.publicId, issuerKey: issued.issuerKey, expiresAt });
  const offer = {
    credential_issuer: oid4vciUrls(publicBase(), issued.issuerKey).credentialIssuer,
    credential_configuration_ids: Object.keys(CREDENTIAL_CONFIGURATIONS),
    grants: {
      [PRE_AUTHORIZED_CODE_GRANT]: {
        'pre-authorized_code': preAuthorizedCode,
        ...(txCode ? { tx_code: { input_mode: 'numeric', length: TX_CODE_LENGTH, description: txCodeDescription() } } : {}),
      },
    },
  };
  return {
    offerUri: `openid-credential-offer://?credential_offer=${encodeURIComponent(JSON.stringify(offer))}`,
    ...(txCode ? { txCode } : {}),
    expiresAt,
  };
}
