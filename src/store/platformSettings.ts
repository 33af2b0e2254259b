/**
 * What a platform's administrator sets for their own platform (issuer + Laurel's client id
 * there) on the admin page: how often the background scheduler re-evaluates the platform's
 * courses, overriding the server's SYNC_INTERVAL_MINUTES, and how long a course's personal data is
 * kept after it was last launched, overriding RETENTION_DAYS (privacy/retention/). Beside them,
 * what the platform's last retention pass did, for the admin page to say.
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
  /** Days a course's personal data is kept after its last launch; 0 keeps it; absent is the server's default. */
  retentionDays?: number;
  /** The platform's last retention pass: when, and what it removed (counts only). */
  lastRetention?: RetentionPassRecord;
  updatedAt?: Date;
  updatedBy?: string;
}

/** What a retention pass removed on a platform, in counts (never the data). */
export interface RetentionCounts {
  courses: number;
  /** Awards whose reasons (with grades) went. */
  reasons: number;
  /** Renewals whose reasons went. */
  renewals: number;
  /** Learners whose e-mail or name went from their awards. */
  learners: number;
  /** Awards whose evidence texts and names went. */
  evidence: number;
  /** Issued credentials whose facts no longer name the learner. */
  credentials: number;
  standings: number;
  jobs: number;
}

export interface RetentionPassRecord extends RetentionCounts {
  at: Date;
  /** The days the pass kept data for (0: it removed nothing). */
  days: number;
}

const schema = new Schema<PlatformSettings>({
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  syncIntervalMinutes: Number,
  retentionDays: Number,
  lastRetention: {
    type: new Schema<RetentionPassRecord>({
      at: Date, days: Number, courses: Number, reasons: Number, renewals: Number, learners: Number, evidence: Number, credentials: Number, standings: Number, jobs: Number,
    }, { _id: false }),
    default: undefined,
  },
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

/**
 * A course's personal data is kept at least this long after its last launch: longer than the
 * background sync looks back (jobs/scheduler.ts, ACTIVE_WITHIN_MS: courses launched in the last
 * 60 days), so no course the scheduler still evaluates is ever trimmed. RETENTION_DAYS has the same bounds.
 */
export const MIN_RETENTION_DAYS = 90;
/** Ten years: longer is "forever", which 0 says. */
export const MAX_RETENTION_DAYS = 3650;

/** The days typed on the form: a whole number from 90 to 3650, 0 to keep forever, or empty for the server's default. */
export function parseRetentionDays(raw: string | undefined): { days?: number; problem?: InputProblem } {
  const text = (raw ?? '').trim();
  if (text === '') return {};
  const days = Number(text);
  if (!/^\d+$/.test(text) || (days !== 0 && (days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS))) {
    const message = `retention: "${text}" is not a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} (0 keeps personal data forever; leave it empty for the server's default)`;
    return { problem: inputProblem('retention.days', message, { value: text, min: MIN_RETENTION_DAYS, max: MAX_RETENTION_DAYS }) };
  }
  return { days };
}

export async function platformSettingsOf(issuer: string, clientId: string): Promise<PlatformSettings> {
  return (await PlatformSettingsModel.findOne({ issuer, clientId }, { _id: 0, __v: 0 }).lean()) ?? { issuer, clientId };
}

/** Stores the platform's interval; `undefined` goes back to the server's default. */
export async function saveSyncInterval(issuer: string, clientId: string, raw: string | undefined, by: string): Promise<PlatformSettings> {
  const { minutes, problem } = parseSyncInterval(raw);
  if (problem) throw new PlatformSettingsError([problem]);
  return saveSetting(issuer, clientId, 'syncIntervalMinutes', minutes, by);
}

/** One setting of the platform set, or unset (back to the server's default) when `undefined`. */
async function saveSetting(issuer: string, clientId: string, field: 'syncIntervalMinutes' | 'retentionDays', value: number | undefined, by: string): Promise<PlatformSettings> {
  const set = { updatedAt: new Date(), updatedBy: by, ...(value === undefined ? {} : { [field]: value }) };
  await PlatformSettingsModel.updateOne(
    { issuer, clientId },
    value === undefined ? { $set: set, $unset: { [field]: 1 } } : { $set: set },
    { upsert: true },
  );
  return platformSettingsOf(issuer, clientId);
}

/** Every platform whose administrator chose an interval: what the scheduler reads each tick. */
export async function ownSyncIntervals(): Promise<Required<Pick<PlatformSettings, 'issuer' | 'clientId' | 'syncIntervalMinutes'>>[]> {
  const found = await PlatformSettingsModel.find({ syncIntervalMinutes: { $exists: true } }, { _id: 0, issuer: 1, clientId: 1, syncIntervalMinutes: 1 }).lean();
  return found.map((p) => ({ issuer: p.issuer, clientId: p.clientId, syncIntervalMinutes: p.syncIntervalMinutes! }));
}

/** Stores the platform's retention; empty goes back to the server's default. */
export async function saveRetentionDays(issuer: string, clientId: string, raw: string | undefined, by: string): Promise<PlatformSettings> {
  const { days, problem } = parseRetentionDays(raw);
  if (problem) throw new PlatformSettingsError([problem]);
  return saveSetting(issuer, clientId, 'retentionDays', days, by);
}

/** What the platform's retention pass did, for the admin page (the pass runs once a day at most). */
export async function noteRetentionPass(issuer: string, clientId: string, record: RetentionPassRecord): Promise<void> {
  await PlatformSettingsModel.updateOne({ issuer, clientId }, { $set: { lastRetention: record } }, { upsert: true });
}
