/**
 * What an issuer tells a wallet before it asks for anything (OpenID4VCI 1.0 section 12.2, RFC
 * 8414): where its token, nonce and credential endpoints are, and the two forms a badge comes in,
 * each with the keys a wallet may bind it to and the algorithms it may prove them with.
 *
 * The issuer is its own authorization server (no `authorization_servers`): the pre-authorized
 * code flow needs no client registration, so anonymous access is said outright. Per-configuration
 * display sits in `credential_metadata`, where 1.0 put it (a wallet reads that as 1.0 metadata).
 */
import { OB_CONTEXT_URL, OB_EXTENSIONS_CONTEXT_URL } from '../../credentials/documentLoader.js';
import { VC_CONTEXT_URL } from '../../credentials/openBadgeCredential.js';
import { oid4vciUrls } from '../../credentials/urls.js';
import { LOCALES } from '../../i18n/locale.js';
import { translator } from '../../i18n/translate.js';
import type { HolderFormat } from '../../awards/holderCopy.js';
import type { IssuerProfile } from '../../store/issuerProfile.js';

export const PRE_AUTHORIZED_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

/** The credential configurations, by id, and the form each is issued in. */
export const CREDENTIAL_CONFIGURATIONS: Readonly<Record<string, HolderFormat>> = {
  OpenBadgeCredential_ldp_vc: 'ldp_vc',
  OpenBadgeCredential_jwt_vc_json: 'jwt_vc_json',
};

/** The algorithms a wallet may sign its proof of key with. */
export const PROOF_SIGNING_ALGORITHMS = ['ES256', 'EdDSA'] as const;

const OB_TYPE = ['VerifiableCredential', 'OpenBadgeCredential'];
const BINDING_METHODS = ['did:key', 'did:jwk', 'jwk'];

function credentialDisplay() {
  return LOCALES.map((locale) => {
    const tr = translator(locale);
    return { name: tr.t('wallet.oid4vci.credentialName'), locale, description: tr.t('wallet.oid4vci.credentialDescription') };
  });
}

function configuration(format: HolderFormat) {
  const common = {
    format,
    cryptographic_binding_methods_supported: BINDING_METHODS,
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: [...PROOF_SIGNING_ALGORITHMS] } },
    credential_metadata: { display: credentialDisplay() },
  };
  return format === 'ldp_vc'
    ? { ...common, credential_definition: { '@context': [VC_CONTEXT_URL, OB_CONTEXT_URL, OB_EXTENSIONS_CONTEXT_URL], type: OB_TYPE }, credential_signing_alg_values_supported: ['eddsa-rdfc-2022'] }
    : { ...common, credential_definition: { type: OB_TYPE }, credential_signing_alg_values_supported: ['RS256'] };
}

export function credentialIssuerMetadata(base: string, profile: IssuerProfile): Record<string, unknown> {
  const urls = oid4vciUrls(base, profile.key);
  // Wallets refuse a logo that is not https (OpenID4VCI's display entries take https or data: URLs).
  const logo = profile.imageUrl?.startsWith('https://') ? { logo: { uri: profile.imageUrl, alt_text: profile.name } } : {};
  return {
    credential_issuer: urls.credentialIssuer,
    credential_endpoint: urls.credential,
    nonce_endpoint: urls.nonce,
    display: LOCALES.map((locale) => ({ name: profile.name, locale, ...logo })),
    credential_configurations_supported: Object.fromEntries(Object.entries(CREDENTIAL_CONFIGURATIONS).map(([id, format]) => [id, configuration(format)])),
  };
}

export function authorizationServerMetadata(base: string, issuerKey: string): Record<string, unknown> {
  const urls = oid4vciUrls(base, issuerKey);
  return {
    issuer: urls.credentialIssuer,
    token_endpoint: urls.token,
    grant_types_supported: [PRE_AUTHORIZED_CODE_GRANT],
    'pre-authorized_grant_anonymous_access_supported': true,
    token_endpoint_auth_methods_supported: ['none'],
    response_types_supported: [],
  };
}
