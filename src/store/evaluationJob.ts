/**
 * An instructor's "evaluate now", or a bulk award or revocation: a job in the database with its
 * progress, so any instance can report it and a page reload finds it again.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export type JobKind = 'evaluation' | 'award' | 'revoke';

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
  result?: { learners: number; badges: number; awarded: number; pending: number; warnings: string[]; lmsRequests: number; revoked?: number };
  error?: string;
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
});
schema.index({ id: 1 }, { unique: true });
schema.index({ courseKey: 1, createdAt: -1 });

export const EvaluationJobModel = mongoose.model<EvaluationJob>('evaluationJob', schema);

export async function createJob(courseKey: string, requestedBy: string, kind: JobKind = 'evaluation', total = 0): Promise<EvaluationJob> {
  const job: EvaluationJob = { id: randomBytes(12).toString('base64url'), kind, courseKey, status: 'queued', phase: 'queued', done: 0, total, requestedBy, createdAt: new Date() };
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
