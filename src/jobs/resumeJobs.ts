/**
 * Jobs whose instance died (or lost the database) are taken over by whichever instance notices
 * first, once their lease has run out, and run again: their work is idempotent, so what the dead
 * instance did is kept and nothing is done twice.
 */
import type { Logger } from 'pino';
import { takeOverStalledJob, updateJob, type EvaluationJob } from '../store/evaluationJob.js';
import { findCourse } from '../store/course.js';
import { evaluationWork } from './evaluateNow.js';
import { bulkAwardWork, bulkRevokeWork } from './bulkWork.js';
import { jobLeaseMs, MAX_ATTEMPTS, runJob } from './jobRunner.js';

async function resume(job: EvaluationJob, logger: Logger): Promise<void> {
  logger.warn({ courseKey: job.courseKey, job: job.id, kind: job.kind ?? 'evaluation', attempt: job.attempts }, 'taking over a job whose instance stopped');
  if ((job.attempts ?? 1) > MAX_ATTEMPTS) {
    await updateJob(job.id, { status: 'failed', phase: 'failed', finishedAt: new Date(), error: `gave up after ${MAX_ATTEMPTS} attempts; start it again` });
    return;
  }
  switch (job.kind ?? 'evaluation') {
    case 'award': return runJob(job, logger, bulkAwardWork(job, logger));
    case 'revoke': return runJob(job, logger, bulkRevokeWork(job, logger));
    default: {
      const course = await findCourse(job.courseKey);
      if (!course) return updateJob(job.id, { status: 'failed', phase: 'failed', finishedAt: new Date(), error: 'the course is no longer known to Laurel' });
      return runJob(job, logger, evaluationWork(job, course, logger));
    }
  }
}

/** Takes over and runs stalled jobs one after the other; answers how many. */
export async function resumeStalledJobs(logger: Logger): Promise<number> {
  let resumed = 0;
  for (let job = await takeOverStalledJob(jobLeaseMs()); job; job = await takeOverStalledJob(jobLeaseMs())) {
    await resume(job, logger);
    resumed++;
  }
  return resumed;
}

/** Looks for stalled jobs twice per lease. */
export function startJobResumer(logger: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    resumeStalledJobs(logger).catch((err) => logger.warn({ err }, 'could not resume stalled jobs')).finally(() => { running = false; });
  }, jobLeaseMs() / 2);
  timer.unref();
  return () => clearInterval(timer);
}
