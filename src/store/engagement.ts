/**
 * What learners do with their badges, for the instructor's figures: a badge viewed by its
 * learner, downloaded, and opened from a shared link. Each is recorded once per award (the
 * _id is award and kind), so counting is "how many of the awarded" and a repeat writes nothing.
 */
import mongoose, { Schema } from 'mongoose';
import { insertNew } from './insertNew.js';

export type EngagementKind = 'viewed' | 'downloaded' | 'shared';
export const ENGAGEMENT_KINDS: EngagementKind[] = ['viewed', 'downloaded', 'shared'];

interface EngagementEvent { _id: string; courseKey: string; badgeId: string; awardId: string; kind: EngagementKind; at: Date }

const schema = new Schema<EngagementEvent>({
  _id: { type: String, required: true },
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  awardId: { type: String, required: true },
  kind: { type: String, enum: ENGAGEMENT_KINDS, required: true },
  at: { type: Date, required: true },
}, { versionKey: false });
schema.index({ courseKey: 1 });

export const EngagementModel = mongoose.model<EngagementEvent>('engagement', schema);

/** Recorded already, as far as this instance knows: a shared link opened again and again writes nothing. */
const noted = new Set<string>();
const NOTED_MAX = 50_000;

export async function noteEngagement(kind: EngagementKind, awards: { id: string; courseKey: string; badgeId: string }[], at = new Date()): Promise<void> {
  const fresh = awards.filter((a) => !noted.has(`${a.id}:${kind}`));
  if (!fresh.length) return;
  await insertNew(EngagementModel, fresh.map((a) => ({ _id: `${a.id}:${kind}`, courseKey: a.courseKey, badgeId: a.badgeId, awardId: a.id, kind, at })));
  if (noted.size + fresh.length > NOTED_MAX) noted.clear();
  for (const a of fresh) noted.add(`${a.id}:${kind}`);
}

/** Per badge: how many of its awards were viewed, downloaded and shared. */
export async function engagementOfCourse(courseKey: string): Promise<Map<string, Record<EngagementKind, number>>> {
  const events = await EngagementModel.find({ courseKey }, { _id: 0, badgeId: 1, kind: 1 }).lean();
  const figures = new Map<string, Record<EngagementKind, number>>();
  for (const e of events) {
    const f = figures.get(e.badgeId) ?? { viewed: 0, downloaded: 0, shared: 0 };
    f[e.kind]++;
    figures.set(e.badgeId, f);
  }
  return figures;
}
