/**
 * Awards: one per badge and learner in a course, ever (the _id is derived from the three),
 * created from a verdict or by an instructor. Creating one is an upsert that only inserts, so evaluating
 * twice, or on two instances at once, awards nothing twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import type { Reason, RevokedBadge } from '../rules/verdict.js';
import { insertNew } from './insertNew.js';

export type AwardStatus = 'awarded' | 'pending' | 'revoked';

export interface Award {
  /** Unguessable: public URLs of the credential will use it. */
  id: string;
  courseKey: string;
  badgeId: string;
  userId: string;
  status: AwardStatus;
  /** 'rules' when a verdict earned it, 'instructor' for a manual award. */
  origin: 'rules' | 'instructor';
  /**
   * The reasons of the verdict that earned it, kept as evidence of the criteria met. Stored as
   * a JSON string: the rules never query it, and FerretDB reads a string far faster than a tree.
   */
  reason?: Reason;
  createdAt: Date;
  awardedAt?: Date;
  awardedBy?: string;
  /** What the LMS's roster said of the learner when the award was made (email and name may be hidden). */
  recipient?: { email?: string; name?: string };
  /** The learner's choice: show their name on the public page. */
  showName?: boolean;
  evidence?: AwardEvidence[];
  revokedAt?: Date;
  revokedBy?: string;
  revocationReason?: string;
  /** The award's latest renewal (store/renewal.ts), for a badge that expires and was renewed. */
  renewal?: LatestRenewal;
  /**
   * When the learner's data was erased at their request (privacy/erasure/): the award then holds
   * no person (its userId is `erased:<id>`), only what its public credential needs.
   */
  erasedAt?: Date;
}

/** What an award keeps of its latest renewal: enough to find its credential and its end without another read. */
export interface LatestRenewal { period: number; publicId: string; renewedAt: Date; validUntil: Date }

export interface AwardEvidence { url?: string; text?: string; name?: string; addedBy: string; addedAt: Date }

type StoredAward = Omit<Award, 'reason'> & { _id: string; reasonJson?: string };

const schema = new Schema<StoredAward>({
  _id: { type: String, required: true },
  id: { type: String, required: true },
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  userId: { type: String, required: true },
  status: { type: String, enum: ['awarded', 'pending', 'revoked'], required: true },
  origin: { type: String, enum: ['rules', 'instructor'], required: true },
  reasonJson: String,
  createdAt: { type: Date, required: true },
  awardedAt: Date,
  awardedBy: String,
  recipient: { email: String, name: String },
  showName: Boolean,
  evidence: [{ _id: false, url: String, text: String, name: String, addedBy: String, addedAt: Date }],
  revokedAt: Date,
  revokedBy: String,
  revocationReason: String,
  renewal: { type: new Schema<LatestRenewal>({ period: Number, publicId: String, renewedAt: Date, validUntil: Date }, { _id: false }), default: undefined },
  erasedAt: Date,
});
schema.index({ courseKey: 1, badgeId: 1 });
schema.index({ id: 1 }, { unique: true });
schema.index({ courseKey: 1, userId: 1 });
// A learner's awards across a platform (their export and erasure): FerretDB narrows by a leading field only.
schema.index({ userId: 1 });

export const AwardModel = mongoose.model<StoredAward>('award', schema);

function fromStored({ _id: _key, reasonJson, ...award }: StoredAward): Award {
  return { ...award, ...(reasonJson ? { reason: JSON.parse(reasonJson) as Reason } : {}) };
}

export interface NewAward {
  courseKey: string;
  badgeId: string;
  userId: string;
  status: 'awarded' | 'pending';
  origin: Award['origin'];
  reason?: Reason;
  awardedBy?: string;
  recipient?: Award['recipient'];
  evidence?: AwardEvidence[];
}

/** Inserts the award unless one exists for this badge and learner; true when this call created it. */
export async function createAward(a: NewAward, now = new Date()): Promise<boolean> {
  return (await createAwards([a], now)).length === 1;
}

/** One award per badge and learner, ever: the key is the document's _id, which every server enforces cheaply. */
export function awardKey(courseKey: string, badgeId: string, userId: string): string {
  return createHash('sha256').update(JSON.stringify([courseKey, badgeId, userId])).digest('base64url');
}

/** An award this call created: what was asked, with its public id and when. */
export type CreatedAward = NewAward & { id: string; createdAt: Date };

/**
 * Many awards in a few round trips (an evaluation of a large course). Returns the awards this
 * call created; those that existed are left untouched. Plain inserts keyed by _id: an award
 * that exists, or that another instance inserts first, fails alone with a duplicate key.
 * (Upserts on the other keys would do: FerretDB then scans the collection per award.)
 */
export async function createAwards(list: NewAward[], now = new Date(), batchSize = 1000): Promise<CreatedAward[]> {
  const created: CreatedAward[] = [];
  for (let start = 0; start < list.length; start += batchSize) {
    const batch = list.slice(start, start + batchSize);
    const docs: StoredAward[] = batch.map(({ reason, ...a }) => ({
      _id: awardKey(a.courseKey, a.badgeId, a.userId),
      ...a, id: randomBytes(16).toString('base64url'), createdAt: now, ...(a.status === 'awarded' ? { awardedAt: now } : {}),
      ...(reason ? { reasonJson: JSON.stringify(reason) } : {}),
    }));
    const refused = await insertNew(AwardModel, docs);
    batch.forEach((a, i) => { if (!refused.has(i)) created.push({ ...a, id: docs[i]!.id, createdAt: now }); });
  }
  return created;
}

/** An award as evaluation reads it: who holds which badge, since when, and its latest renewal. */
export type HeldAward = Pick<Award, 'id' | 'badgeId' | 'userId' | 'awardedAt' | 'renewal'>;

/** Who holds which badge (awards given, not pending or revoked): what the rules read, and no more. */
export async function heldBadges(courseKey: string): Promise<HeldAward[]> {
  return AwardModel.find({ courseKey, status: 'awarded' }, { _id: 0, id: 1, badgeId: 1, userId: 1, awardedAt: 1, renewal: 1 }).lean();
}

/**
 * What one learner holds among these badges, each read by its award key: by _id, so a learner's
 * launch does not read through the course's awards (FerretDB scans for any other query).
 */
export async function heldByLearner(courseKey: string, userId: string, badgeIds: string[]): Promise<HeldAward[]> {
  const found = await Promise.all(badgeIds.map((badgeId) => awardOf(courseKey, badgeId, userId)));
  return found.filter((a) => a?.status === 'awarded').map((a) => ({ id: a!.id, badgeId: a!.badgeId, userId: a!.userId, awardedAt: a!.awardedAt, ...(a!.renewal ? { renewal: a!.renewal } : {}) }));
}

/**
 * A course's revoked awards, or one learner's among these badges (read by key, as heldByLearner
 * does): evaluation says revoked rather than "qualifies" for them.
 */
export async function revokedAwards(courseKey: string, only?: { userId: string; badgeIds: string[] }): Promise<RevokedBadge[]> {
  const found = only
    ? (await Promise.all(only.badgeIds.map((badgeId) => awardOf(courseKey, badgeId, only.userId)))).filter((a): a is Award => a?.status === 'revoked')
    : await AwardModel.find({ courseKey, status: 'revoked' }, { _id: 0, badgeId: 1, userId: 1, revokedAt: 1, revokedBy: 1, revocationReason: 1 }).lean();
  return found.map((a) => ({ badgeId: a.badgeId, userId: a.userId, at: a.revokedAt, by: a.revokedBy, reason: a.revocationReason }));
}

/** A course's awards waiting for an instructor's approval (the instructors' digest). */
export async function pendingAwardsOf(courseKey: string): Promise<Award[]> {
  return (await AwardModel.find({ courseKey, status: 'pending' }).lean()).map(fromStored);
}

export async function awardsOf(courseKey: string, filter: { userId?: string; badgeId?: string } = {}): Promise<Award[]> {
  return (await AwardModel.find({ courseKey, ...filter }).lean()).map(fromStored);
}

export async function awardById(id: string): Promise<Award | null> {
  const stored = await AwardModel.findOne({ id }).lean();
  return stored ? fromStored(stored) : null;
}

/** The same award found by its _id, from the course, badge and learner: the read every server makes quickly (the public page's). */
export async function awardOf(courseKey: string, badgeId: string, userId: string): Promise<Award | null> {
  const stored = await AwardModel.findById(awardKey(courseKey, badgeId, userId)).lean();
  return stored ? fromStored(stored) : null;
}

/**
 * A course's awards given, in pages, from one read of the collection: what issuing walks, the
 * credentials telling which are issued. One read, because FerretDB answers any other query by
 * scanning the collection (a query per page would make a large course quadratic), and read
 * whole rather than through a cursor held open while the pages are signed and stored.
 * (Nor is there an "issued" flag on the award: a bulk update of one costs a scan as well.)
 */
export async function* awardedInPages(courseKey: string, size: number): AsyncGenerator<Award[]> {
  const all = await AwardModel.find({ courseKey, status: 'awarded' }).lean();
  for (let start = 0; start < all.length; start += size) yield all.slice(start, start + size).map(fromStored);
}

/** A pending award (approval-mode badge) becomes awarded; false when it was not pending. */
export async function approvePendingAward(courseKey: string, id: string, by: string, now = new Date()): Promise<boolean> {
  const res = await AwardModel.updateOne({ courseKey, id, status: 'pending' }, { $set: { status: 'awarded', awardedAt: now, awardedBy: by } });
  return res.modifiedCount === 1;
}

/**
 * Revokes an award: the record stays (with who, when and why) and the credential is never
 * edited; its status list bit is set by the caller. Idempotent: revoking twice keeps the first reason.
 */
export async function revokeAward(courseKey: string, id: string, reason: string, by: string, now = new Date()): Promise<{ award: Award; changed: boolean } | null> {
  const res = await AwardModel.updateOne({ courseKey, id, status: { $ne: 'revoked' } }, { $set: { status: 'revoked', revokedAt: now, revokedBy: by, revocationReason: reason } });
  const stored = await AwardModel.findOne({ courseKey, id }).lean();
  return stored ? { award: fromStored(stored), changed: res.modifiedCount === 1 } : null;
}

export async function addEvidence(courseKey: string, id: string, evidence: AwardEvidence): Promise<boolean> {
  const res = await AwardModel.updateOne({ courseKey, id }, { $push: { evidence } });
  return res.modifiedCount === 1;
}

/**
 * The award's latest renewal is this one (already recorded, once, in store/renewal.ts): a plain
 * write by key. Whoever writes it writes the same renewal, and the next period cannot be recorded
 * before this one is noted, since its window is counted from this one's end.
 */
export async function noteRenewal(courseKey: string, badgeId: string, userId: string, latest: LatestRenewal): Promise<void> {
  await AwardModel.updateOne({ _id: awardKey(courseKey, badgeId, userId) }, { $set: { renewal: latest } });
}

export async function setShowName(courseKey: string, userId: string, id: string, show: boolean): Promise<boolean> {
  const res = await AwardModel.updateOne({ courseKey, userId, id }, { $set: { showName: show } });
  return res.matchedCount === 1;
}
