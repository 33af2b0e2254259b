/**
 * Issued credentials, stored as signed and never edited: the OB 3.0 credential with its proof,
 * its VC-JWT, and the facts it was made from (so the OB 2.0 documents and the public page say
 * the same thing). Keyed by the credential's public id, which is the award's for its first
 * credential and a renewal's for each renewal (store/renewal.ts): issuing twice stores one.
 */
import mongoose, { Schema } from 'mongoose';
import type { Achievement, AwardFacts, Issuer, Recipient, StatusEntry } from '../credentials/model.js';
import { AwardModel } from './award.js';
import { insertNew } from './insertNew.js';
import { hashedRecipient } from '../credentials/hashedRecipient.js';

export interface CredentialFacts {
  issuer: Issuer;
  achievement: Achievement;
  recipient: Recipient;
  award: AwardFacts;
  status: StatusEntry;
}

export interface IssuedCredential {
  /** The credential's public id: the award's own, or a renewal's. */
  publicId: string;
  /** The award's public id (the same as publicId but for a renewal). */
  awardId: string;
  courseKey: string;
  badgeId: string;
  userId: string;
  issuerKey: string;
  achievementKey: string;
  facts: CredentialFacts;
  credential: Record<string, unknown>;
  jwt: string;
  issuedAt: Date;
}

interface Stored { _id: string; awardId?: string; courseKey: string; badgeId: string; userId: string; issuerKey: string; achievementKey: string; factsJson: string; credentialJson: string; jwt: string; issuedAt: Date }

const schema = new Schema<Stored>({
  _id: { type: String, required: true },
  // Only for a renewal's credential: the award's first credential has the award's id as its own.
  awardId: String,
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  userId: { type: String, required: true },
  issuerKey: { type: String, required: true },
  achievementKey: { type: String, required: true },
  // JSON text: stored exactly as signed, whatever the database does with key order or dates.
  factsJson: { type: String, required: true },
  credentialJson: { type: String, required: true },
  jwt: { type: String, required: true },
  issuedAt: { type: Date, required: true },
});
schema.index({ courseKey: 1, userId: 1 });
// A learner's credentials across a platform (their export and erasure): FerretDB narrows by a leading field only.
schema.index({ userId: 1 });
schema.index({ achievementKey: 1, issuedAt: -1 });
// An issuer's credentials: its OB 2.0 revocation list (revokedOfIssuer).
schema.index({ issuerKey: 1 });

export const IssuedCredentialModel = mongoose.model<Stored>('issuedCredential', schema);

function fromStored(s: Stored): IssuedCredential {
  const facts = JSON.parse(s.factsJson, (key, value) => (key === 'awardedAt' || key === 'validUntil' ? new Date(value) : value)) as CredentialFacts;
  return {
    publicId: s._id, awardId: s.awardId ?? s._id, courseKey: s.courseKey, badgeId: s.badgeId, userId: s.userId, issuerKey: s.issuerKey, achievementKey: s.achievementKey,
    facts, credential: JSON.parse(s.credentialJson), jwt: s.jwt, issuedAt: s.issuedAt,
  };
}

/**
 * Stored facts without the person (retention, erasure, a platform's removal): the recipient as
 * credentials/hashedRecipient.ts leaves it, with `shownName` kept where the learner shows their
 * name on the public page. Only the recipient changes: parsed and written back without revivers,
 * so every other byte stays.
 */
export function factsWithoutPerson(factsJson: string, shownName?: string): string {
  const facts = JSON.parse(factsJson) as { recipient: Recipient };
  const hashed = hashedRecipient(facts.recipient);
  facts.recipient = shownName ? { ...hashed, name: shownName } : hashed;
  return JSON.stringify(facts);
}

/** Stores those that do not exist yet (issued twice, or by two instances at once: one is kept). */
export async function storeCredentials(list: IssuedCredential[]): Promise<void> {
  await insertNew(IssuedCredentialModel, list.map((c) => ({
    _id: c.publicId, ...(c.awardId !== c.publicId ? { awardId: c.awardId } : {}), courseKey: c.courseKey, badgeId: c.badgeId, userId: c.userId, issuerKey: c.issuerKey, achievementKey: c.achievementKey,
    factsJson: JSON.stringify(c.facts), credentialJson: JSON.stringify(c.credential), jwt: c.jwt, issuedAt: c.issuedAt,
  })));
}

/** The public ids of every credential issued in the course. */
export async function issuedInCourse(courseKey: string): Promise<string[]> {
  return (await IssuedCredentialModel.find({ courseKey }, { _id: 1 }).lean()).map((c) => c._id);
}

/** Which of these public ids have a credential. */
export async function issuedAmong(publicIds: string[]): Promise<string[]> {
  return (await IssuedCredentialModel.find({ _id: { $in: publicIds } }, { _id: 1 }).lean()).map((c) => c._id);
}

export async function credentialByPublicId(publicId: string): Promise<IssuedCredential | null> {
  const s = await IssuedCredentialModel.findById(publicId).lean();
  return s ? fromStored(s) : null;
}

/** The latest credential of an achievement: the badge as last issued, for its public JSON. */
export async function latestOfAchievement(achievementKey: string): Promise<IssuedCredential | null> {
  const s = await IssuedCredentialModel.findOne({ achievementKey }).sort({ issuedAt: -1 }).lean();
  return s ? fromStored(s) : null;
}

/**
 * The credentials of these awards (a learner's, already read), each by _id: FerretDB answers a
 * query on other fields, or `$in`, by reading every credential stored (some 7 kB each), which
 * made each learner's page slower by half a millisecond per credential in the database.
 */
export async function credentialsOfAwards(awardIds: string[]): Promise<IssuedCredential[]> {
  const found = await Promise.all(awardIds.map((id) => IssuedCredentialModel.findById(id).lean()));
  return found.filter((s): s is NonNullable<typeof s> => s !== null).map(fromStored);
}

/** The issuer's revoked credentials with their reasons (the OB 2.0 revocation list): every credential of a revoked award. */
export async function revokedOfIssuer(issuerKey: string): Promise<{ publicId: string; reason: string }[]> {
  const issued = (await IssuedCredentialModel.find({ issuerKey }, { _id: 1, awardId: 1 }).lean()).map((c) => ({ publicId: c._id, awardId: c.awardId ?? c._id }));
  const revoked = await AwardModel.find({ id: { $in: [...new Set(issued.map((c) => c.awardId))] }, status: 'revoked' }, { id: 1, revocationReason: 1 }).lean();
  const reasons = new Map(revoked.map((a) => [a.id, a.revocationReason ?? 'Revoked by the issuer']));
  return issued.filter((c) => reasons.has(c.awardId)).map((c) => ({ publicId: c.publicId, reason: reasons.get(c.awardId)! }));
}
