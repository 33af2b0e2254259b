/**
 * Every public URL of an issuer and its credentials, in one place: credentials name them,
 * web/ serves them, and they must never change once a credential carries them.
 */

export function issuerUrls(base: string, issuerKey: string) {
  const root = `${base}/issuers/${issuerKey}`;
  return {
    /** OB 3.0 Profile (JSON), with the public JWKs. */
    profile: root,
    didDocument: `${root}/did.json`,
    jwks: `${root}/jwks.json`,
    /** OB 2.0 Issuer and its RevocationList. */
    ob2Issuer: `${base}/ob2/issuers/${issuerKey}`,
    ob2RevocationList: `${base}/ob2/issuers/${issuerKey}/revocations`,
  };
}

/**
 * An issuer's OpenID for Verifiable Credential Issuance endpoints. Its credential issuer
 * identifier is its profile URL; the metadata sit where OpenID4VCI 1.0 (section 12.2) and RFC 8414
 * put them: the well-known name inserted between the host and the identifier's path (RFC 8615).
 */
export function oid4vciUrls(base: string, issuerKey: string) {
  const { profile } = issuerUrls(base, issuerKey);
  const { origin, pathname } = new URL(profile);
  return {
    credentialIssuer: profile,
    issuerMetadata: `${origin}/.well-known/openid-credential-issuer${pathname}`,
    authorizationServerMetadata: `${origin}/.well-known/oauth-authorization-server${pathname}`,
    token: `${profile}/oid4vci/token`,
    nonce: `${profile}/oid4vci/nonce`,
    credential: `${profile}/oid4vci/credential`,
  };
}

/** did:web of an issuer; the host's port is percent-encoded, as did:web requires. */
export function issuerDid(base: string, issuerKey: string): string {
  const { host } = new URL(base);
  return `did:web:${encodeURIComponent(host)}:issuers:${issuerKey}`;
}

export function achievementUrls(base: string, achievementKey: string) {
  return {
    /** OB 3.0 Achievement (JSON) */
    achievement: `${base}/achievements/${achievementKey}`,
    criteria: `${base}/achievements/${achievementKey}#criteria`,
    /** OB 2.0 BadgeClass */
    ob2BadgeClass: `${base}/ob2/badges/${achievementKey}`,
    image: `${base}/achievements/${achievementKey}/image`,
  };
}

export function credentialUrls(base: string, publicId: string) {
  const root = `${base}/credentials/${publicId}`;
  return {
    /** OB 3.0 credential with its embedded proof (JSON) */
    credential: root,
    /** VC-JWT, RS256 (what OB 3.0 requires) */
    jwt: `${root}.jwt`,
    /** The same VC-JWT signed with EdDSA, for did-jwt wallets (Veramo), which verify no RS256 */
    jwtEdDsa: `${root}.eddsa.jwt`,
    png: `${root}.png`,
    svg: `${root}.svg`,
    /** OB 2.0 hosted Assertion and its baked images */
    ob2Assertion: `${base}/ob2/assertions/${publicId}`,
    ob2Png: `${base}/ob2/assertions/${publicId}.png`,
    ob2Svg: `${base}/ob2/assertions/${publicId}.svg`,
    /** The public verification page */
    page: `${base}/verify/${publicId}`,
    /**
     * The award's latest credential (its refreshService): by the award's public id, the renewed
     * credential once it is renewed, this one before.
     */
    latest: `${root}/latest`,
  };
}

/** An uploaded badge image, by the hash of its bytes: never changes once a credential names it. */
export function uploadedImageUrl(base: string, sha256: string): string {
  return `${base}/images/${sha256}`;
}

/** The hash in an uploaded image's URL, or undefined for the drawn image's URL. */
export function uploadedImageSha(base: string, url: string): string | undefined {
  const prefix = `${base}/images/`;
  return url.startsWith(prefix) ? url.slice(prefix.length) : undefined;
}

/** The status list: JSON with a Data Integrity proof, or a VC-JWT for `Accept: application/vc+jwt`. */
export function statusListUrl(base: string, listKey: string): string {
  return `${base}/status/${listKey}`;
}

/** The status list as a VC-JWT, at its own URL. */
export function statusListJwtUrl(base: string, listKey: string): string {
  return `${statusListUrl(base, listKey)}.jwt`;
}
