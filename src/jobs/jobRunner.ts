/**
 * Runs a job under its lease: marks it running, renews the lease while the work goes on, and
 * records the result or the failure. The work must be idempotent: if this instance dies, another
 * takes the job over (resumeJobs.ts) and runs the same work again from the start.
 */
import type { Logger } from 'pino';
import { updateJob, type EvaluationJob } from '../store/evaluationJob.js';
import { jobProgress } from './jobProgress.js';

export type Report = (change: Partial<EvaluationJob>) => void;
export type JobWork = (report: Report) => Promise<EvaluationJob['result']>;

/** A job's lease: how long an instance may go silent before another takes its job over. */
let leaseMs = 60_000;
export const jobLeaseMs = () => leaseMs;
export function configureJobLease(ms: number): void { leaseMs = ms; }

/** A job that ran this many times without finishing is given up: something in it fails every time. */
export const MAX_ATTEMPTS = 3;

export async function runJob(job: EvaluationJob, logger: Logger, work: JobWork): Promise<void> {
  const { report, settled } = jobProgress(job.id);
  // Renewals go through the same queue as progress: one write at a time on the job's document.
  const renew = setInterval(() => report({ leaseUntil: new Date(Date.now() + leaseMs) }), leaseMs / 3);
  try {
    report({ status: 'running', phase: 'starting' });
    const result = await work(report);
    clearInterval(renew);
    await settled();
    await updateJob(job.id, { status: 'done', phase: 'done', ...(job.kind === 'evaluation' ? {} : { done: job.total }), finishedAt: new Date(), result });
  } catch (err) {
    clearInterval(renew);
    if (lostDatabase(err)) {
      // Not the job's fault: leave it running; once the database is back and the lease has run
      // out, an instance takes it over and runs it again.
      logger.warn({ err, courseKey: job.courseKey, job: job.id, kind: job.kind }, 'job interrupted: the database is unreachable; it will be taken over');
      return;
    }
    logger.warn({ err, courseKey: job.courseKey, job: job.id, kind: job.kind }, 'job failed');
    await settled();
    await updateJob(job.id, { status: 'failed', phase: 'failed', finishedAt: new Date(), error: (err as Error).message }).catch(() => {});
  }
}

/** The driver's errors for a database it cannot reach (down, restarting, network gone). */
export function lostDatabase(err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? '';
  return ['MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongooseServerSelectionError', 'MongoNotConnectedError', 'MongoTopologyClosedError'].includes(name)
    // Mongoose holds operations while it reconnects, then gives up on them with this.
    || (name === 'MongooseError' && /buffering timed out/.test((err as Error).message))
    || (err as { errorLabels?: string[] })?.errorLabels?.includes?.('RetryableWriteError') === true;
}
