/**
 * Platforms removed from Laurel (issue 20): the one record of a removal that outlives the
 * platform's own audit log, which leaves with it. It names the registration (issuer URL and
 * Laurel's client id there, the LMS's, not a person's), when, by which role, and how much was
 * deleted and kept: never a person or a course title. Written first, marked done last, so a
 * removal cut in the middle is seen as unfinished and run again to the end; keyed by the
 * issuer key (the registration's, store/issuerProfile.ts), so the verification page of a kept
 * credential finds the date its platform was removed by key.
 */
import mongoose, { Schema } from 'mongoose';
import { issuerKeyOf, type Registration } from './issuerProfile.js';

export type RemovalState = 'removing' | 'done';

export interface PlatformRemoval {
  /** The registration's issuer key: what the kept credentials name. */
  issuerKey: string;
  issuer: string;
  clientId: string;
  /** ltijs's id of the platform as `npm run platform -- list` showed it, to resume by it. */
  platformId: string;
  /** The LMS's name as registered. */
  platformName: string;
  state: RemovalState;
  startedAt: Date;
  doneAt?: Date;
  /** Who asked for it, as a role: "platform administrator (admin page)" or "operator (npm run platform)". */
  by: 'admin' | 'cli';
  /** What the summary counted before anything was deleted: courses, badges, awards, learners… */
  deleted: Record<string, number>;
  /** What stays so that issued credentials still verify. */
  kept: Record<string, number>;
}

type Stored = Omit<PlatformRemoval, 'issuerKey'> & { _id: string };

const schema = new Schema<Stored>({
  _id: { type: String, required: true },
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  platformId: { type: String, required: true },
  platformName: { type: String, required: true },
  state: { type: String, enum: ['removing', 'done'], required: true },
  startedAt: { type: Date, required: true },
  doneAt: Date,
  by: { type: String, enum: ['admin', 'cli'], required: true },
  deleted: { type: Schema.Types.Mixed, default: {} },
  kept: { type: Schema.Types.Mixed, default: {} },
}, { versionKey: false, minimize: false });

export const PlatformRemovalModel = mongoose.model<Stored>('platformRemoval', schema);

const fromStored = ({ _id, ...r }: Stored): PlatformRemoval => ({ issuerKey: _id, ...r });

/**
 * Marks the registration as being removed, before anything is deleted. A removal already
 * under way is left as it was (its counts are those taken before its first deletion); one done
 * earlier (the platform was registered anew since) starts over.
 */
export async function beginRemoval(r: Omit<PlatformRemoval, 'issuerKey' | 'state' | 'doneAt'>): Promise<PlatformRemoval> {
  const _id = issuerKeyOf(r);
  const existing = await PlatformRemovalModel.findById(_id).lean();
  if (existing?.state !== 'removing') {
    await PlatformRemovalModel.replaceOne({ _id }, { _id, ...r, state: 'removing' }, { upsert: true });
  }
  return fromStored((await PlatformRemovalModel.findById(_id).lean())!);
}

export async function finishRemoval(r: Registration, now = new Date()): Promise<void> {
  await PlatformRemovalModel.updateOne({ _id: issuerKeyOf(r) }, { $set: { state: 'done', doneAt: now } });
}

/** The removal of the registration whose issuer key this is, if any: one read by key. */
export async function removalOfIssuer(issuerKey: string): Promise<PlatformRemoval | null> {
  const found = await PlatformRemovalModel.findById(issuerKey).lean();
  return found ? fromStored(found) : null;
}

/** Every removal, oldest first, for the operator's list: a handful. */
export async function allRemovals(): Promise<PlatformRemoval[]> {
  return (await PlatformRemovalModel.find({}).lean()).map(fromStored).sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
}
