/**
 * An award as an Open Badges 3.0 OpenBadgeCredential (a W3C Verifiable Credential 2.0),
 * unsigned. Deterministic: the same facts give the same credential, so re-issuing after a crash
 * signs the same statement.
 */
import { createHash } from 'node:crypto';
import type { Achievement, AwardFacts, Issuer, Recipient, StatusEntry } from './model.js';
import { achievementUrls, credentialUrls, statusListUrl } from './urls.js';
import { OB_CONTEXT_URL, OB_EXTENSIONS_CONTEXT_URL } from './documentLoader.js';

export const VC_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';
/**
 * VC 2.0's context for terms no other context defines. Credentials issued before issue 14 carry
 * it (for `1EdTechJsonSchemaValidator2019`); careful verifiers do not ship it and refuse to
 * fetch it, so new credentials use 1EdTech's extensions.json instead. Kept to read old ones.
 */
export const UNDEFINED_TERMS_CONTEXT_URL = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
export const OB_CREDENTIAL_SCHEMA_URL =
  'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json';

export type ImageJson = { id: string; type: 'Image'; caption?: string };

export type ProfileJson = {
  id: string;
  type: ['Profile'];
  name: string;
  url: string;
  email?: string;
  description?: string;
  image?: ImageJson;
};

export type IdentityObjectJson = {
  type: 'IdentityObject';
  identityType: 'emailAddress' | 'ltiUserId' | 'ltiPlatformId' | 'name';
  hashed: boolean;
  identityHash: string;
  salt?: string;
};

export type AchievementJson = {
  id: string;
  type: ['Achievement'];
  achievementType: string;
  name: string;
  description: string;
  criteria: { id: string; narrative: string };
  image: ImageJson;
  alignment?: { type: ['Alignment']; targetName: string; targetUrl: string; targetFramework?: string; targetCode?: string }[];
  tag?: string[];
};

export type EvidenceJson = { type: ['Evidence']; id?: string; name?: string; narrative?: string };

export type BitstringStatusListEntry = {
  id: string;
  type: 'BitstringStatusListEntry';
  statusPurpose: 'revocation';
  statusListIndex: string;
  statusListCredential: string;
};

/**
 * 1EdTech's refresh service (defined in the extensions context every credential names): a GET of
 * its id answers the latest credential of the same award, the renewed one once it is renewed.
 */
export type RefreshServiceJson = { id: string; type: '1EdTechCredentialRefresh' };

export type OpenBadgeCredential = {
  '@context': [typeof VC_CONTEXT_URL, typeof OB_CONTEXT_URL, typeof OB_EXTENSIONS_CONTEXT_URL];
  id: string;
  type: ['VerifiableCredential', 'OpenBadgeCredential'];
  issuer: ProfileJson;
  validFrom: string;
  validUntil?: string;
  awardedDate: string;
  name: string;
  credentialSubject: {
    id: string;
    type: ['AchievementSubject'];
    identifier: IdentityObjectJson[];
    achievement: AchievementJson;
  };
  evidence?: EvidenceJson[];
  credentialStatus: BitstringStatusListEntry;
  refreshService?: RefreshServiceJson;
  credentialSchema: [{ id: typeof OB_CREDENTIAL_SCHEMA_URL; type: '1EdTechJsonSchemaValidator2019' }];
};

export interface OpenBadgeFacts {
  base: string;
  issuer: Issuer;
  achievement: Achievement;
  recipient: Recipient;
  award: AwardFacts;
  status: StatusEntry;
}

export function openBadgeCredential({ base, issuer, achievement, recipient, award, status }: OpenBadgeFacts): OpenBadgeCredential {
  const listUrl = statusListUrl(base, status.listKey);
  return {
    // The schema fixes this order: VC 2.0 first, then the OB 3.0 context; others may follow.
    // extensions.json only for the credentialSchema type (OB 3.0.3 leaves it out): the one
    // context beside VC 2.0 and OB 3.0.3 that every verifier ships.
    '@context': [VC_CONTEXT_URL, OB_CONTEXT_URL, OB_EXTENSIONS_CONTEXT_URL],
    id: credentialUrls(base, award.publicId).credential,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: issuerProfile(issuer),
    // A renewal is valid from the day it was renewed; awardedDate keeps the day it was first awarded.
    validFrom: dateTime(award.validFrom ?? award.awardedAt),
    ...(award.validUntil ? { validUntil: dateTime(award.validUntil) } : {}),
    awardedDate: dateTime(award.awardedAt),
    name: achievement.name,
    credentialSubject: {
      id: recipient.subjectId,
      type: ['AchievementSubject'],
      identifier: identifiers(recipient),
      achievement: achievementJson(base, achievement),
    },
    ...(award.evidence.length ? { evidence: award.evidence.map(evidenceJson) } : {}),
    credentialStatus: {
      id: `${listUrl}#${status.index}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(status.index),
      statusListCredential: listUrl,
    },
    ...(award.refreshUrl ? { refreshService: { id: award.refreshUrl, type: '1EdTechCredentialRefresh' as const } } : {}),
    credentialSchema: [{ id: OB_CREDENTIAL_SCHEMA_URL, type: '1EdTechJsonSchemaValidator2019' }],
  };
}

export function issuerProfile(issuer: Issuer): ProfileJson {
  return {
    id: issuer.did,
    type: ['Profile'],
    name: issuer.name,
    url: issuer.url,
    ...(issuer.email ? { email: issuer.email } : {}),
    ...(issuer.description ? { description: issuer.description } : {}),
    ...(issuer.imageUrl ? { image: { id: issuer.imageUrl, type: 'Image', caption: issuer.name } } : {}),
  };
}

function achievementJson(base: string, a: Achievement): AchievementJson {
  const urls = achievementUrls(base, a.key);
  return {
    id: urls.achievement,
    type: ['Achievement'],
    achievementType: a.achievementType ?? 'Badge',
    name: a.name,
    description: a.description,
    criteria: { id: urls.criteria, narrative: a.criteriaNarrative },
    image: { id: a.imageUrl, type: 'Image', caption: a.name },
    ...(a.alignments.length
      ? {
          alignment: a.alignments.map((al) => ({
            type: ['Alignment'] as ['Alignment'],
            targetName: al.targetName,
            targetUrl: al.targetUrl,
            ...(al.targetFramework ? { targetFramework: al.targetFramework } : {}),
            ...(al.targetCode ? { targetCode: al.targetCode } : {}),
          })),
        }
      : {}),
    ...(a.tags.length ? { tag: [...a.tags] } : {}),
  };
}

function evidenceJson(e: AwardFacts['evidence'][number]): EvidenceJson {
  return {
    type: ['Evidence'],
    ...(e.id ? { id: e.id } : {}),
    ...(e.name ? { name: e.name } : {}),
    ...(e.narrative ? { narrative: e.narrative } : {}),
  };
}

/**
 * The learner as IdentityObjects: the salted hash of the email when the LMS shared it, else the
 * LTI user id with its platform (a user id is unique only within its platform), also hashed.
 * A name is shown in clear only because the learner chose to show it.
 */
export function identifiers(r: Recipient): IdentityObjectJson[] {
  const hashed = (identityType: IdentityObjectJson['identityType'], value: string): IdentityObjectJson => ({
    type: 'IdentityObject', identityType, hashed: true, identityHash: identityHash(value, r.salt), salt: r.salt,
  });
  // In the same key order as below: a credential made again from kept facts reads byte for byte as before.
  if (r.hashed) return r.hashed.identifiers.map((i) => ({ type: 'IdentityObject', identityType: i.identityType, hashed: true, identityHash: i.identityHash, salt: r.salt }));
  const ids = r.email
    ? [hashed('emailAddress', normalizedEmail(r.email))]
    : [hashed('ltiUserId', r.ltiUserId), hashed('ltiPlatformId', r.ltiPlatformId)];
  // Never the name: the credential is public at its URL, and the name shows only where the learner chose (the verification page).
  return ids;
}

/** `sha256$` + hex SHA-256 of identity + salt, as OB 3.0 (and 2.0) define it. */
export function identityHash(identity: string, salt: string): string {
  return 'sha256$' + createHash('sha256').update(identity + salt).digest('hex');
}

// Addresses are compared case-insensitively in practice; a verifier typing the learner's address
// in another case must still find the same hash.
export function normalizedEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** XSD dateTime in UTC, to the second: what validFrom, validUntil and awardedDate carry. */
export function dateTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
