/**
 * What a platform's administrator sets for their own platform (issuer + Laurel's client id
 * there) on the admin page. Today one setting: how often the background scheduler
 * re-evaluates the platform's courses, overriding the server's SYNC_INTERVAL_MINUTES.
 *
 * Kept apart from ltijs's platform record, which ltijs owns and rewrites on registration.
 */
import mongoose, { Schema } from 'mongoose';
import { inputProblem, type InputProblem } from '../inputProblem.js';

export interface PlatformSettings {
  issuer: string;
  clientId: string;
  /** Minutes between background evaluations; 0 is off; absent is the server's default. */
  syncIntervalMinutes?: number;
  updatedAt?: Date;
  updatedBy?: string;
}

const schema = new Schema<PlatformSettings>({
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  syncIntervalMinutes: Number,
  updatedAt: Date,
  updatedBy: String,
});
schema.index({ issuer: 1, clientId: 1 }, { unique: true });

export const PlatformSettingsModel = mongoose.model<PlatformSettings>('platformSettings', schema);

/** The same bounds as SYNC_INTERVAL_MINUTES (config/index.ts): at most a week. */
export const MAX_SYNC_INTERVAL_MINUTES = 7 * 24 * 60;

export class PlatformSettingsError extends Error {
  constructor(readonly problems: InputProblem[]) { super(problems.map((p) => p.message).join('; ')); }
}

/** The interval typed on the form: a whole number of minutes, or empty for the server's default. */
export function parseSyncInterval(raw: string | undefined): { minutes?: number; problem?: InputProblem } {
  const text = (raw ?? '').trim();
  if (text === '') return {};
  if (!/^\d+$/.test(text) || Number(text) > MAX_SYNC_INTERVAL_MINUTES) {
    const message = `sync interval: "${text}" is not a whole number of minutes from 0 to ${MAX_SYNC_INTERVAL_MINUTES} (0 turns background sync off; leave it empty for the server's default)`;
    return { problem: inputProblem('sync.interval', message, { value: text, max: MAX_SYNC_INTERVAL_MINUTES }) };
  }
  return { minutes: Number(text) };
}

export async function platformSettingsOf(issuer: string, clientId: string): Promise<PlatformSettings> {
  return (await PlatformSettingsModel.findOne({ issuer, clientId }, { _id: 0, __v: 0 }).lean()) ?? { issuer, clientId };
}

/** Stores the platform's interval; `undefined` goes back to the server's default. */
export async function saveSyncInterval(issuer: string, clientId: string, raw: string | undefined, by: string): Promise<PlatformSettings> {
  const { minutes, problem } = parseSyncInterval(raw);
  if (problem) throw new PlatformSettingsError([problem]);
  const set = { updatedAt: new Date(), updatedBy: by, ...(minutes === undefined ? {} : { syncIntervalMinutes: minutes }) };
  await PlatformSettingsModel.updateOne(
    { issuer, clientId },
    minutes === undefined ? { $set: set, $unset: { syncIntervalMinutes: 1 } } : { $set: set },
    { upsert: true },
  );
  return platformSettingsOf(issuer, clientId);
}

/** Every platform whose administrator chose an interval: what the scheduler reads each tick. */
export async function ownSyncIntervals(): Promise<Required<Pick<PlatformSettings, 'issuer' | 'clientId' | 'syncIntervalMinutes'>>[]> {
  const found = await PlatformSettingsModel.find({ syncIntervalMinutes: { $exists: true } }, { _id: 0, issuer: 1, clientId: 1, syncIntervalMinutes: 1 }).lean();
  return found.map((p) => ({ issuer: p.issuer, clientId: p.clientId, syncIntervalMinutes: p.syncIntervalMinutes! }));
}
