/**
 * Open Badges 2.0 hosted verification: the Assertion, BadgeClass, Issuer and RevocationList
 * JSON-LD documents, each served at its own `id` (see urls.ts). A verifier GETs the assertion's
 * id and follows badge → issuer; all of them share Laurel's origin, which is what hosted
 * verification checks by default.
 */
import type { Achievement, AwardFacts, Issuer, Recipient } from './model.js';
import { achievementUrls, credentialUrls, issuerUrls } from './urls.js';
import { dateTime, identityHash, normalizedEmail } from './openBadgeCredential.js';

export const OB2_CONTEXT = 'https://w3id.org/openbadges/v2';

export interface Ob2IdentityObject {
  type: 'email' | 'id';
  hashed: true;
  salt: string;
  identity: string;
}

export interface Ob2Evidence {
  type: 'Evidence';
  id?: string;
  name?: string;
  narrative?: string;
}

export interface Ob2AssertionDocument {
  '@context': typeof OB2_CONTEXT;
  type: 'Assertion';
  id: string;
  recipient: Ob2IdentityObject;
  badge: string;
  verification: { type: 'hosted' };
  issuedOn: string;
  expires?: string;
  evidence?: Ob2Evidence[];
  image: string;
  revoked?: true;
  revocationReason?: string;
}

export interface Ob2BadgeClassDocument {
  '@context': typeof OB2_CONTEXT;
  type: 'BadgeClass';
  id: string;
  name: string;
  description: string;
  image: string;
  criteria: { id: string; narrative: string };
  issuer: string;
  alignment?: { targetName: string; targetUrl: string; targetFramework?: string; targetCode?: string }[];
  tags?: string[];
}

export interface Ob2IssuerDocument {
  '@context': typeof OB2_CONTEXT;
  type: 'Issuer';
  id: string;
  name: string;
  url: string;
  /** Required by OB 2.0; absent until an administrator sets it (the admin page asks for it). */
  email?: string;
  description?: string;
  image?: string;
  revocationList: string;
}

export interface Ob2RevocationListDocument {
  '@context': typeof OB2_CONTEXT;
  type: 'RevocationList';
  id: string;
  issuer: string;
  revokedAssertions: { id: string; revocationReason: string }[];
}

export function ob2Assertion(input: {
  base: string;
  issuer: Issuer;
  achievement: Achievement;
  recipient: Recipient;
  award: AwardFacts;
  revoked?: { reason: string };
}): Ob2AssertionDocument {
  const { base, achievement, recipient, award, revoked } = input;
  const urls = credentialUrls(base, award.publicId);
  return {
    '@context': OB2_CONTEXT,
    type: 'Assertion',
    id: urls.ob2Assertion,
    recipient: ob2Recipient(recipient),
    badge: achievementUrls(base, achievement.key).ob2BadgeClass,
    verification: { type: 'hosted' },
    issuedOn: dateTime(award.awardedAt),
    ...(award.validUntil && { expires: dateTime(award.validUntil) }),
    ...(award.evidence.length > 0 && {
      evidence: award.evidence.map((e) => ({ type: 'Evidence' as const, ...definedOnly(e) })),
    }),
    // The baked PNG: a backpack that stores the image keeps the assertion with it.
    image: urls.ob2Png,
    // Hosted revocation is the assertion itself saying so (and the issuer's RevocationList).
    ...(revoked && { revoked: true as const, revocationReason: revoked.reason }),
  };
}

export function ob2BadgeClass(input: { base: string; issuer: Issuer; achievement: Achievement }): Ob2BadgeClassDocument {
  const { base, issuer, achievement } = input;
  const urls = achievementUrls(base, achievement.key);
  return {
    '@context': OB2_CONTEXT,
    type: 'BadgeClass',
    id: urls.ob2BadgeClass,
    name: achievement.name,
    description: achievement.description,
    image: achievement.imageUrl,
    criteria: { id: urls.criteria, narrative: achievement.criteriaNarrative },
    issuer: issuerUrls(base, issuer.key).ob2Issuer,
    ...(achievement.alignments.length > 0 && { alignment: achievement.alignments.map(definedOnly) }),
    ...(achievement.tags.length > 0 && { tags: achievement.tags }),
  };
}

export function ob2Issuer(input: { base: string; issuer: Issuer }): Ob2IssuerDocument {
  const { base, issuer } = input;
  // OB 2.0 makes the issuer's email required (1EdTech's validator rejects a Profile without it).
  // Until an administrator sets one the document goes out without it, and the admin page says so:
  // an invented address would be worse than a missing one.
  const urls = issuerUrls(base, issuer.key);
  return {
    '@context': OB2_CONTEXT,
    type: 'Issuer',
    id: urls.ob2Issuer,
    name: issuer.name,
    url: issuer.url,
    ...(issuer.email && { email: issuer.email }),
    ...(issuer.description && { description: issuer.description }),
    ...(issuer.imageUrl && { image: issuer.imageUrl }),
    revocationList: urls.ob2RevocationList,
  };
}

export function ob2RevocationList(input: {
  base: string;
  issuer: Issuer;
  revoked: { publicId: string; reason: string }[];
}): Ob2RevocationListDocument {
  const { base, issuer, revoked } = input;
  const urls = issuerUrls(base, issuer.key);
  return {
    '@context': OB2_CONTEXT,
    type: 'RevocationList',
    id: urls.ob2RevocationList,
    issuer: urls.ob2Issuer,
    revokedAssertions: revoked.map((r) => ({
      id: credentialUrls(base, r.publicId).ob2Assertion,
      revocationReason: r.reason,
    })),
  };
}

/**
 * The salted hash of the learner's email when the LMS shared it. Without one, OB 2.0 has no LTI
 * identity type (its IdentityObject types are email, url, telephone and id), so the recipient is
 * an `id`: the IRI `ob2LtiRecipientIri` mints from the platform and the LTI user id, hashed the same way.
 */
export function ob2Recipient(recipient: Recipient): Ob2IdentityObject {
  const { email, salt } = recipient;
  // In the same key order as below: the hosted assertion must read byte for byte as it did.
  if (recipient.hashed) return { type: recipient.hashed.ob2.type, hashed: true, salt, identity: recipient.hashed.ob2.identity };
  if (email) return { type: 'email', hashed: true, salt, identity: identityHash(normalizedEmail(email), salt) };
  return { type: 'id', hashed: true, salt, identity: identityHash(ob2LtiRecipientIri(recipient), salt) };
}

/**
 * `<platform issuer>#user=<LTI user id>`: a user id is unique only within its platform, and LTI
 * platform issuers are https URLs without a fragment, so this names one learner everywhere.
 */
export function ob2LtiRecipientIri(recipient: Pick<Recipient, 'ltiPlatformId' | 'ltiUserId'>): string {
  return `${recipient.ltiPlatformId}#user=${encodeURIComponent(recipient.ltiUserId)}`;
}


/** Drops undefined and empty-string fields, which JSON-LD would keep as empty values. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}
