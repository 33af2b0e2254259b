/**
 * Awards: one per badge and learner in a course, ever (a unique index), created from a
 * verdict or by an instructor. Creating one is an upsert that only inserts, so evaluating
 * twice, or on two instances at once, awards nothing twice.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import type { Reason } from '../rules/verdict.js';

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
  /** The reasons of the verdict that earned it, kept as evidence of the criteria met. */
  reason?: Reason;
  createdAt: Date;
  awardedAt?: Date;
  awardedBy?: string;
}

const schema = new Schema<Award>({
  id: { type: String, required: true },
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  userId: { type: String, required: true },
  status: { type: String, enum: ['awarded', 'pending', 'revoked'], required: true },
  origin: { type: String, enum: ['rules', 'instructor'], required: true },
  reason: Schema.Types.Mixed,
  createdAt: { type: Date, required: true },
  awardedAt: Date,
  awardedBy: String,
});
schema.index({ courseKey: 1, badgeId: 1, userId: 1 }, { unique: true });
schema.index({ id: 1 }, { unique: true });
schema.index({ courseKey: 1, userId: 1 });

export const AwardModel = mongoose.model<Award>('award', schema);

export interface NewAward {
  courseKey: string;
  badgeId: string;
  userId: string;
  status: 'awarded' | 'pending';
  origin: Award['origin'];
  reason?: Reason;
  awardedBy?: string;
}

/** Inserts the award unless one exists for this badge and learner; true when this call created it. */
export async function createAward(a: NewAward, now = new Date()): Promise<boolean> {
  return (await createAwards([a], now)).length === 1;
}

/**
 * Many awards in a few round trips (an evaluation of a large course). Returns the awards this
 * call created; those that existed are left untouched. What was created is read back by the
 * ids this call generated, which stays exact when another instance races on the same awards
 * (servers differ in what they report of a bulk upsert that hit duplicate keys).
 */
export async function createAwards(list: NewAward[], now = new Date(), batchSize = 500): Promise<NewAward[]> {
  const created: NewAward[] = [];
  for (let start = 0; start < list.length; start += batchSize) {
    const batch = list.slice(start, start + batchSize).map((a) => ({ award: a, id: randomBytes(16).toString('base64url') }));
    const ops = batch.map(({ award, id }) => ({
      updateOne: {
        filter: { courseKey: award.courseKey, badgeId: award.badgeId, userId: award.userId },
        update: { $setOnInsert: { ...award, id, createdAt: now, ...(award.status === 'awarded' ? { awardedAt: now } : {}) } },
        upsert: true,
      },
    }));
    try {
      await AwardModel.bulkWrite(ops, { ordered: false });
    } catch (err) {
      // Another instance inserted some of them first: the unique index refused ours, the rest went in.
      const e = err as { code?: number; writeErrors?: { code?: number }[] };
      if (e.code !== 11000 && !(e.writeErrors?.length && e.writeErrors.every((w) => w.code === 11000))) throw err;
    }
    const ours = new Set((await AwardModel.find({ id: { $in: batch.map((b) => b.id) } }, { id: 1 }).lean()).map((a) => a.id));
    for (const b of batch) if (ours.has(b.id)) created.push(b.award);
  }
  return created;
}

export async function awardsOf(courseKey: string, filter: { userId?: string; badgeId?: string } = {}): Promise<Award[]> {
  return AwardModel.find({ courseKey, ...filter }).lean();
}
