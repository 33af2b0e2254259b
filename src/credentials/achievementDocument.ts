/**
 * An Achievement on its own, at its id (where every credential's `criteria.id` points): exactly
 * the achievement the credential embeds, with the contexts a JSON-LD reader needs to read it
 * alone and its creator, the issuer profile the credential names. Built from the credential, not
 * again from the facts, so the two can never say different things.
 */
import { VC_CONTEXT_URL, type AchievementJson, type ProfileJson } from './openBadgeCredential.js';
import { OB_CONTEXT_URL } from './documentLoader.js';

export type AchievementDocument = { '@context': [typeof VC_CONTEXT_URL, typeof OB_CONTEXT_URL] } & AchievementJson & { creator: ProfileJson };

export function achievementDocument(credential: { issuer: ProfileJson; credentialSubject: { achievement: AchievementJson } }): AchievementDocument {
  return { '@context': [VC_CONTEXT_URL, OB_CONTEXT_URL], ...credential.credentialSubject.achievement, creator: credential.issuer };
}
