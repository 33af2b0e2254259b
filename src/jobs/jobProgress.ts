/**
 * A job's progress, written one update after the other and never two at once on the job's
 * document: FerretDB (seen on SQLite, under load) can stall for good on concurrent updates of
 * one document. `settled` waits for what was reported so far.
 */
import { updateJob, type EvaluationJob } from '../store/evaluationJob.js';

export function jobProgress(jobId: string) {
  let written: Promise<unknown> = Promise.resolve();
  return {
    report(change: Partial<EvaluationJob>): void { written = written.then(() => updateJob(jobId, change)).catch(() => {}); },
    settled: () => written,
  };
}
