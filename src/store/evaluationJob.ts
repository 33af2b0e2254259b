/**
 * An instructor's "evaluate now", or a bulk award or revocation: a job in the database with its
 * progress, so any instance can report it and a page reload finds it again. The job carries what
 * it needs to run and a lease that the running instance renews: if that instance dies, another
 * takes the job over once the lease has run out and runs it again (the work is idempotent).
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { claimOnce } from './writeClaim.js';
import type { Member } from '../rules/snapshot.js';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export type JobKind = 'evaluation' | 'award' | 'revoke';

/** A bulk award: the roster entries as they were chosen (names and emails go on the awards). */
export interface BulkAwardInput { badgeId: string; badgeName: string; members: Member[]; actorName: string }
export interface BulkRevokeInput { awardIds: string[]; reason: string; actorName: string }

export interface EvaluationJob {
  id: string;
  /** Absent on jobs stored before bulk work existed: those are evaluations. */
  kind?: JobKind;
  courseKey: string;
  status: JobStatus;
  /** What the job is doing now, e.g. "reading grades", and how far it is. */
  phase: string;
  done: number;
  total: number;
  requestedBy: string;
  createdAt: Date;
  finishedAt?: Date;
  /** `renewed`: renewals an evaluation recorded (absent on jobs before renewals existed). */
  result?: { learners: number; badges: number; awarded: number; pending: number; warnings: string[]; lmsRequests: number; revoked?: number; renewed?: number };
  error?: string;
  input?: BulkAwardInput | BulkRevokeInput;
  /** Held by the instance running the job until then; renewed while it runs. */
  leaseUntil?: Date;
  /** How many times an instance started the job. */
  attempts?: number;
}

const schema = new Schema<EvaluationJob>({
  id: { type: String, required: true },
  kind: String,
  courseKey: { type: String, required: true },
  status: { type: String, required: true },
  phase: { type: String, default: 'queued' },
  done: { type: Number, default: 0 },
  total: { type: Number, default: 0 },
  requestedBy: { type: String, required: true },
  createdAt: { type: Date, required: true },
  finishedAt: Date,
  result: Schema.Types.Mixed,
  error: String,
  input: Schema.Types.Mixed,
  leaseUntil: Date,
  attempts: Number,
});
schema.index({ id: 1 }, { unique: true });
schema.index({ courseKey: 1, createdAt: -1 });
// The jobs whose instance stopped renewing their lease (takeOverStalledJob): few among years of finished jobs.
schema.index({ status: 1, leaseUntil: 1 });

export const EvaluationJobModel = mongoose.model<EvaluationJob>('evaluationJob', schema);

export async function createJob(courseKey: string, requestedBy: string, o: { kind?: JobKind; total?: number; input?: EvaluationJob['input']; leaseMs: number }): Promise<EvaluationJob> {
  const now = new Date();
  const job: EvaluationJob = {
    id: randomBytes(12).toString('base64url'), kind: o.kind ?? 'evaluation', courseKey, status: 'queued', phase: 'queued', done: 0, total: o.total ?? 0,
    requestedBy, createdAt: now, ...(o.input ? { input: o.input } : {}), leaseUntil: new Date(now.getTime() + o.leaseMs), attempts: 1,
  };
  await EvaluationJobModel.create(job);
  return job;
}

export async function updateJob(id: string, change: Partial<EvaluationJob>): Promise<void> {
  await EvaluationJobModel.updateOne({ id }, { $set: change });
}

/** Scoped by course: a job id from another course finds nothing. */
export async function findJob(courseKey: string, id: string): Promise<EvaluationJob | null> {
  return EvaluationJobModel.findOne({ courseKey, id }).lean();
}

export async function latestJob(courseKey: string): Promise<EvaluationJob | null> {
  return EvaluationJobModel.findOne({ courseKey }).sort({ createdAt: -1 }).lean();
}

/**
 * Takes over one job whose instance stopped renewing its lease (it died, or lost the database),
 * so that two instances never take the same job: the taker claims the job's lease that ran out
 * (store/writeClaim.ts; a conditional findOneAndUpdate let up to all 10 of 10 instances take one
 * job on FerretDB). Jobs another instance is taking are passed over.
 */
export async function takeOverStalledJob(leaseMs: number, now = new Date()): Promise<EvaluationJob | null> {
  const stalled = await EvaluationJobModel.find({ status: { $in: ['queued', 'running'] }, leaseUntil: { $lt: now } }).limit(10).lean();
  for (const job of stalled) {
    // Kept a lease past the new one: long past any instance that read this one.
    if (!(await claimOnce(`job ${job.id} ${job.leaseUntil!.getTime()}`, new Date(now.getTime() + 2 * leaseMs)))) continue;
    const taken = { leaseUntil: new Date(now.getTime() + leaseMs), attempts: (job.attempts ?? 1) + 1 };
    // On the lease read: had the job's instance renewed it meanwhile, the job is still its.
    const written = await EvaluationJobModel.updateOne({ id: job.id, leaseUntil: job.leaseUntil }, { $set: taken });
    if (written.matchedCount === 1) return { ...job, ...taken };
  }
  return null;
}
