/**
 * Renewals of awards. An award is made once, ever; a badge that expires may be renewed, and each
 * renewal is a new credential of that award, with a public id and status entry of its own, valid
 * for the badge's period from the day it was renewed, linked to the award and to the credential
 * it renews. The credentials before it are left as they are: valid until they expire.
 *
 * One renewal per award and period, whoever records it: the _id is the award's public id and the
 * period's number, and recording is an insert, so two evaluations at once (or two instances)
 * record one (a conditional update would not do: FerretDB runs it as a read, then a write).
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import type { Reason } from '../rules/verdict.js';
import { insertNew } from './insertNew.js';

export interface AwardRenewal {
  /** The new credential's public id: it lives at `${base}/credentials/${id}`. */
  id: string;
  /** The award's public id (its first credential's). */
  awardId: string;
  courseKey: string;
  badgeId: string;
  userId: string;
  /** 1 for the award's first renewal, 2 for the next… */
  period: number;
  /** The public id of the credential it renews: the award's own for the first, else the renewal before. */
  renews: string;
  /** The new credential's validFrom, and its validUntil (the badge's period from then). */
  renewedAt: Date;
  validUntil: Date;
  /** The renewal rules met, kept as evidence as an award's reason is. */
  reason?: Reason;
}

type Stored = Omit<AwardRenewal, 'reason'> & { _id: string; reasonJson?: string };

const schema = new Schema<Stored>({
  _id: { type: String, required: true },
  id: { type: String, required: true },
  awardId: { type: String, required: true },
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  userId: { type: String, required: true },
  period: { type: Number, required: true },
  renews: { type: String, required: true },
  renewedAt: { type: Date, required: true },
  validUntil: { type: Date, required: true },
  reasonJson: String,
});
// A badge's renewals (its awards page), a course's (the issuing pass reads them by the prefix).
schema.index({ courseKey: 1, badgeId: 1 });

export const RenewalModel = mongoose.model<Stored>('renewal', schema);

/** One renewal per award and period: the _id. Public ids are base64url, so the colon is unambiguous. */
export const renewalKey = (awardId: string, period: number) => `${awardId}:${period}`;

function fromStored({ _id: _key, reasonJson, ...r }: Stored): AwardRenewal {
  return { ...r, ...(reasonJson ? { reason: JSON.parse(reasonJson) as Reason } : {}) };
}

export type NewRenewal = Omit<AwardRenewal, 'id'>;

/**
 * Records these renewals unless their period is recorded already, and answers each one as stored:
 * the one this call inserted, or the one another run inserted first (`created` says which).
 */
export async function recordRenewals(list: NewRenewal[]): Promise<{ renewal: AwardRenewal; created: boolean }[]> {
  const docs: Stored[] = list.map(({ reason, ...r }) => ({
    _id: renewalKey(r.awardId, r.period), ...r, id: randomBytes(16).toString('base64url'),
    ...(reason ? { reasonJson: JSON.stringify(reason) } : {}),
  }));
  const refused = await insertNew(RenewalModel, docs);
  return Promise.all(docs.map(async (doc, i) => {
    if (!refused.has(i)) return { renewal: fromStored(doc), created: true };
    const stored = await RenewalModel.findById(doc._id).lean();
    return { renewal: fromStored(stored!), created: false };
  }));
}

/** One renewal of an award, by its key. */
export async function renewalOf(awardId: string, period: number): Promise<AwardRenewal | null> {
  const stored = await RenewalModel.findById(renewalKey(awardId, period)).lean();
  return stored ? fromStored(stored) : null;
}

/** An award's renewals, oldest first, each read by its key: `periods` is how many the award says it has. */
export async function renewalsOfAward(awardId: string, periods: number): Promise<AwardRenewal[]> {
  const found = await Promise.all(Array.from({ length: periods }, (_, i) => RenewalModel.findById(renewalKey(awardId, i + 1)).lean()));
  return found.filter((s): s is Stored => s !== null).map(fromStored);
}

/** A course's renewals, or one badge's: what the issuing pass signs, and the awards page lists. */
export async function renewalsOf(courseKey: string, badgeId?: string): Promise<AwardRenewal[]> {
  return (await RenewalModel.find({ courseKey, ...(badgeId ? { badgeId } : {}) }).lean()).map(fromStored);
}
