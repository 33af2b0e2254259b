/**
 * Bulk work an instructor starts from the pages: one badge awarded to many learners, or many
 * awards revoked with one reason. Each is a job whose progress survives a page reload. Both are
 * idempotent: a learner who holds the badge is not awarded again, a revoked award stays as it was.
 */
import type { Logger } from 'pino';
import { createAwards } from '../store/award.js';
import { createJob, updateJob, type EvaluationJob } from '../store/evaluationJob.js';
import { recordAudit } from '../store/auditLog.js';
import type { CourseRecord } from '../store/course.js';
import type { Member } from '../rules/snapshot.js';
import { recipientOf } from '../awards/recipient.js';
import { revoke } from '../awards/revoke.js';
import { issueCourseCredentials } from './issueCredentials.js';
import { jobProgress } from './jobProgress.js';

export interface Actor { id: string; name: string }

async function run(job: EvaluationJob, logger: Logger, work: (report: (c: Partial<EvaluationJob>) => void) => Promise<EvaluationJob['result']>): Promise<void> {
  const { report, settled } = jobProgress(job.id);
  try {
    report({ status: 'running' });
    const result = await work(report);
    await settled();
    await updateJob(job.id, { status: 'done', phase: 'done', done: job.total, finishedAt: new Date(), result });
  } catch (err) {
    logger.warn({ err, courseKey: job.courseKey, job: job.id }, `bulk ${job.kind} failed`);
    await settled();
    await updateJob(job.id, { status: 'failed', phase: 'failed', finishedAt: new Date(), error: (err as Error).message }).catch(() => {});
  }
}

export async function startBulkAward(course: CourseRecord, badge: { id: string; name: string }, members: Member[], actor: Actor, logger: Logger): Promise<EvaluationJob> {
  const job = await createJob(course.courseKey, actor.id, 'award', members.length);
  void run(job, logger, async (report) => {
    report({ phase: 'recording awards' });
    const created = await createAwards(members.map((m) => ({
      courseKey: course.courseKey, badgeId: badge.id, userId: m.userId, status: 'awarded' as const, origin: 'instructor' as const, awardedBy: actor.id, recipient: recipientOf(m),
    })));
    await recordAudit(created.map((a) => ({ courseKey: course.courseKey, actor: actor.id, actorName: actor.name, action: 'award.manual' as const, badgeId: badge.id, userId: a.userId, detail: a.recipient?.name ?? a.userId })));
    logger.info({ courseKey: course.courseKey, badgeId: badge.id, by: actor.id, created: created.length }, 'bulk award');
    report({ phase: 'signing credentials', done: 0 });
    await issueCourseCredentials(course.courseKey, (done) => report({ done: Math.min(done, members.length) }), logger);
    const held = members.length - created.length;
    return { learners: members.length, badges: 1, awarded: created.length, pending: 0, lmsRequests: 0, warnings: held ? [`${held} of them held the badge already and were left as they were.`] : [] };
  });
  return job;
}

export async function startBulkRevoke(course: CourseRecord, awardIds: string[], reason: string, actor: Actor, logger: Logger): Promise<EvaluationJob> {
  const job = await createJob(course.courseKey, actor.id, 'revoke', awardIds.length);
  void run(job, logger, async (report) => {
    report({ phase: 'revoking' });
    let revoked = 0;
    // One after the other: each revocation sets a bit in the same status list document.
    for (const [i, id] of awardIds.entries()) {
      const outcome = await revoke(course.courseKey, id, reason, actor.id);
      if (outcome.revoked) {
        revoked++;
        const { award } = outcome;
        await recordAudit({ courseKey: course.courseKey, actor: actor.id, actorName: actor.name, action: 'award.revoked', badgeId: award.badgeId, awardId: id, userId: award.userId, detail: `${award.recipient?.name ?? award.userId}: ${award.revocationReason}` });
      }
      report({ done: i + 1 });
    }
    logger.info({ courseKey: course.courseKey, by: actor.id, revoked }, 'bulk revocation');
    return { learners: awardIds.length, badges: 0, awarded: 0, pending: 0, lmsRequests: 0, revoked, warnings: revoked < awardIds.length ? [`${awardIds.length - revoked} were revoked already and kept their first reason.`] : [] };
  });
  return job;
}
