/**
 * "Evaluate now": the instructor's request becomes a job whose progress the page polls.
 * If another instance is already evaluating the course, the job waits for its lease.
 */
import type { Logger } from 'pino';
import { createJob, type EvaluationJob } from '../store/evaluationJob.js';
import type { CourseRecord } from '../store/course.js';
import { runCourseUnderLease, LEASE_MS } from './courseRun.js';
import { issueCourseCredentials } from './issueCredentials.js';
import { recordAudit } from '../store/auditLog.js';
import { retryUnwrittenScores } from '../store/gradebookScore.js';
import { syncGradebook } from '../awards/gradebookColumn.js';
import { jobLeaseMs, runJob, type JobWork } from './jobRunner.js';

const WAIT_STEP_MS = 1000;

export async function startEvaluation(course: CourseRecord, requestedBy: string, logger: Logger): Promise<EvaluationJob> {
  const job = await createJob(course.courseKey, requestedBy, { leaseMs: jobLeaseMs() });
  void runJob(job, logger, evaluationWork(job, course, logger));
  return job;
}

/** Evaluating again is harmless: awards depend only on verdicts, and credentials are stored once. */
export function evaluationWork(job: EvaluationJob, course: CourseRecord, logger: Logger): JobWork {
  return async (report) => {
    // The instructor asked: grade-book scores that failed before are tried again in this run,
    // refused ones too (written with the new ones once the credentials are issued).
    await retryUnwrittenScores(course.courseKey);
    const deadline = Date.now() + 2 * LEASE_MS;
    for (;;) {
      const evaluation = await runCourseUnderLease(course, {
        onProgress: (p) => report({ phase: p.phase, done: p.done, total: p.total }),
        log: logger,
      });
      if (evaluation) {
        report({ phase: 'signing credentials', done: 0, total: evaluation.awarded + evaluation.renewed });
        const issued = await issueCourseCredentials(course.courseKey, (done) => report({ done }), logger);
        await syncGradebook(course, logger);
        logger.info({ courseKey: course.courseKey, job: job.id, awarded: evaluation.awarded, pending: evaluation.pending, renewed: evaluation.renewed, issued }, 'course evaluated');
        await recordAudit({ courseKey: course.courseKey, actor: job.requestedBy, action: 'evaluation.run', detail: `${evaluation.awarded} awarded, ${evaluation.pending} waiting for approval` });
        return {
          learners: new Set(evaluation.verdicts.map((v) => v.userId)).size, badges: evaluation.badges.length,
          awarded: evaluation.awarded, pending: evaluation.pending, renewed: evaluation.renewed, warnings: evaluation.warnings, lmsRequests: evaluation.lmsRequests,
        };
      }
      if (Date.now() > deadline) throw new Error('another Laurel instance has been evaluating this course for too long; try again in a minute');
      report({ phase: 'waiting for another evaluation of this course to finish' });
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
  };
}
