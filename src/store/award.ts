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
 * Many awards in a few round trips (an evaluation of a large course).
 * Returns the awards this call created; those that existed are left untouched.
 */
export async function createAwards(list: NewAward[], now = new Date(), batchSize = 500): Promise<NewAward[]> {
  const created: NewAward[] = [];
  for (let start = 0; start < list.length; start += batchSize) {
    const batch = list.slice(start, start + batchSize);
    const ops = batch.map((a) => ({
      updateOne: {
        filter: { courseKey: a.courseKey, badgeId: a.badgeId, userId: a.userId },
        update: { $setOnInsert: { ...a, id: randomBytes(16).toString('base64url'), createdAt: now, ...(a.status === 'awarded' ? { awardedAt: now } : {}) } },
        upsert: true,
      },
    }));
    let upserted: Record<number, unknown>;
    try {
      upserted = (await AwardModel.bulkWrite(ops, { ordered: false })).upsertedIds;
    } catch (err) {
      // Another instance inserted some of them first (duplicate key): the others still went in.
      const e = err as { code?: number; writeErrors?: { code?: number }[]; result?: { upsertedIds?: Record<number, unknown>; result?: { upserted?: { index: number }[] } } };
      const duplicatesOnly = e.code === 11000 || (e.writeErrors ?? []).every((w) => w.code === 11000);
      if (!duplicatesOnly) throw err;
      upserted = e.result?.upsertedIds ?? Object.fromEntries((e.result?.result?.upserted ?? []).map((u) => [u.index, true]));
    }
    for (const index of Object.keys(upserted)) created.push(batch[Number(index)]);
  }
  return created;
}

export async function awardsOf(courseKey: string, filter: { userId?: string; badgeId?: string } = {}): Promise<Award[]> {
  return AwardModel.find({ courseKey, ...filter }).lean();
}
