/**
 * The plain data that credentials/ turns into Open Badges: who issues, what was achieved, who
 * earned it, and how its status is published. Built by the edges (store/, web/) from the
 * database; credentials/ itself reads no database and makes no HTTP request.
 */

/** The institution that signs: one per LMS (platform) registered with Laurel. */
export interface Issuer {
  /** Short stable id, used in URLs: `${publicUrl}/issuers/${key}`. */
  key: string;
  /** `did:web:<host>:issuers:<key>`, resolving to `${publicUrl}/issuers/${key}/did.json`. */
  did: string;
  name: string;
  /** The institution's own web site. */
  url: string;
  email?: string;
  description?: string;
  imageUrl?: string;
}

/** Public URLs Laurel serves for an issuer and its credentials (see credentials/urls.ts). */
export interface PublicUrls {
  /** Laurel's PUBLIC_URL without a trailing slash, e.g. https://badges.example.edu */
  base: string;
}

/** A badge as the credential describes it (the OB 3.0 Achievement, the OB 2.0 BadgeClass). */
export interface Achievement {
  /** Stable public id of the badge definition (not the course's internal id). */
  key: string;
  name: string;
  description: string;
  criteriaNarrative: string;
  /** Absolute URL of the badge image (PNG or SVG). */
  imageUrl: string;
  tags: string[];
  alignments: { targetName: string; targetUrl: string; targetFramework?: string; targetCode?: string }[];
  /** 'Badge' by default; a top level of a stack may be a 'Certificate'. */
  achievementType?: string;
  level?: number;
}

/** Who earned it. The email is hashed with the salt; without one, the LTI user id and platform id identify the learner. */
export interface Recipient {
  ltiUserId: string;
  /** The LTI platform issuer (iss of the launch): a user id is unique only within its platform. */
  ltiPlatformId: string;
  /** credentialSubject.id: a keyed hash of the user (credentials/subjectId.ts), never the LMS id. */
  subjectId: string;
  email?: string;
  salt: string;
  /** Shown only when the learner chose to show it. */
  name?: string;
  /**
   * Set once Laurel no longer keeps who the learner was (retention, erasure: src/privacy/): the
   * hashes the public documents carry, so they read the same without the e-mail or LTI user id.
   */
  hashed?: HashedRecipient;
}

/** The salted hashes identifying a recipient in the public documents (the salt is the recipient's). */
export interface HashedRecipient {
  /** OB 3.0 `credentialSubject.identifier`. */
  identifiers: { identityType: 'emailAddress' | 'ltiUserId' | 'ltiPlatformId'; identityHash: string }[];
  /** OB 2.0 `recipient`. */
  ob2: { type: 'email' | 'id'; identity: string };
}

export interface Evidence {
  id?: string;
  name?: string;
  narrative?: string;
}

/** One issued award, as the credential says it. */
export interface AwardFacts {
  /**
   * Unguessable public id of the credential: `${base}/credentials/${publicId}`. The award's own for
   * its first credential, a renewal's own for a renewed one.
   */
  publicId: string;
  /** When it was awarded (awardedDate, issuedOn; validFrom too unless renewed). */
  awardedAt: Date;
  /** A renewed credential: when it was renewed, from which it is valid. */
  validFrom?: Date;
  /** From the badge's validity period; absent: never expires. */
  validUntil?: Date;
  /** A badge that can be renewed: where its latest credential is answered (refreshService). */
  refreshUrl?: string;
  evidence: Evidence[];
}

/** Where the award's revocation bit lives in the issuer's Bitstring Status List. */
export interface StatusEntry {
  /** The status list's own key: `${base}/status/${listKey}`. */
  listKey: string;
  index: number;
}
