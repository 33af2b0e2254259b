/**
 * An OpenID4VCI or OAuth refusal as the specifications name it: the error code a wallet acts on
 * (RFC 6749 section 5.2 at the token endpoint, RFC 6750 section 3.1 for the access token,
 * OpenID4VCI 1.0 section 8.3.1.2 at the credential endpoint) and an error_description that says
 * what was wrong and what to do. Descriptions never carry a code, a token or a nonce.
 */
export type Oid4vciErrorCode =
  // The token endpoint (RFC 6749 section 5.2, OpenID4VCI 1.0 section 6.3)
  | 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_target'
  // The access token (RFC 6750 section 3.1)
  | 'invalid_token'
  // The credential endpoint (OpenID4VCI 1.0 section 8.3.1.2)
  | 'invalid_credential_request' | 'unknown_credential_configuration' | 'unknown_credential_identifier'
  | 'invalid_proof' | 'invalid_nonce' | 'credential_request_denied'
  // Laurel's own: the URL names no issuer
  | 'unknown_issuer';

export class Oid4vciError extends Error {
  constructor(readonly status: number, readonly error: Oid4vciErrorCode, readonly description: string) {
    super(description);
  }
}
