/**
 * Bulk work an instructor starts from the pages: one badge awarded to many learners, or many
 * awards revoked with one reason. Each is a job whose progress survives a page reload, and which
 * another instance finishes if this one dies. Both are idempotent: a learner who holds the badge
 * is not awarded again, a revoked award stays as it was, a credential is stored once.
 */
import type { Logger } from 'pino';
import { createAwards } from '../store/award.js';
import { createJob, type BulkAwardInput, type BulkRevokeInput, type EvaluationJob } from '../store/evaluationJob.js';
import { recordAudit, revocationEntry } from '../store/auditLog.js';
import type { CourseRecord } from '../store/course.js';
import type { Member } from '../rules/snapshot.js';
import { recipientOf } from '../awards/recipient.js';
import { revoke } from '../awards/revoke.js';
import { announceAwards } from '../awards/announce.js';
import { syncGradebook } from '../awards/gradebookColumn.js';
import { findCourse } from '../store/course.js';
import { issueCourseCredentials } from './issueCredentials.js';
import { jobLeaseMs, runJob, type JobWork } from './jobRunner.js';

export interface Actor { id: string; name: string }

export async function startBulkAward(course: CourseRecord, badge: { id: string; name: string }, members: Member[], actor: Actor, logger: Logger): Promise<EvaluationJob> {
  const input: BulkAwardInput = { badgeId: badge.id, badgeName: badge.name, members, actorName: actor.name };
  const job = await createJob(course.courseKey, actor.id, { kind: 'award', total: members.length, input, leaseMs: jobLeaseMs() });
  void runJob(job, logger, bulkAwardWork(job, logger));
  return job;
}

export function bulkAwardWork(job: EvaluationJob, logger: Logger): JobWork {
  const { badgeId, members, actorName } = job.input as BulkAwardInput;
  const { courseKey, requestedBy: actor } = job;
  return async (report) => {
    report({ phase: 'recording awards' });
    const created = await createAwards(members.map((m) => ({
      courseKey, badgeId, userId: m.userId, status: 'awarded' as const, origin: 'instructor' as const, awardedBy: actor, recipient: recipientOf(m),
    })));
    // Only the awards this run created are logged and told: a run taken over after a crash does the rest.
    await announceAwards(courseKey, created);
    await recordAudit(created.map((a) => ({ courseKey, actor, actorName, action: 'award.manual' as const, badgeId, userId: a.userId, detail: a.recipient?.name ?? a.userId })));
    logger.info({ courseKey, badgeId, by: actor, created: created.length, attempt: job.attempts }, 'bulk award');
    report({ phase: 'signing credentials', done: 0 });
    await issueCourseCredentials(courseKey, (done) => report({ done: Math.min(done, members.length) }), logger);
    const held = members.length - created.length;
    return { learners: members.length, badges: 1, awarded: created.length, pending: 0, lmsRequests: 0, warnings: held ? [`${held} of them held the badge already and were left as they were.`] : [] };
  };
}

export async function startBulkRevoke(course: CourseRecord, awardIds: string[], reason: string, actor: Actor, logger: Logger): Promise<EvaluationJob> {
  const input: BulkRevokeInput = { awardIds, reason, actorName: actor.name };
  const job = await createJob(course.courseKey, actor.id, { kind: 'revoke', total: awardIds.length, input, leaseMs: jobLeaseMs() });
  void runJob(job, logger, bulkRevokeWork(job, logger));
  return job;
}

export function bulkRevokeWork(job: EvaluationJob, logger: Logger): JobWork {
  const { awardIds, reason, actorName } = job.input as BulkRevokeInput;
  const { courseKey, requestedBy: actor } = job;
  return async (report) => {
    report({ phase: 'revoking' });
    let revoked = 0;
    // One after the other: each revocation sets a bit in the same status list document.
    for (const [i, id] of awardIds.entries()) {
      const outcome = await revoke(courseKey, id, reason, actor);
      if (outcome.revoked) {
        revoked++;
        await recordAudit({ courseKey, actor, actorName, ...revocationEntry(outcome.award) });
      }
      report({ done: i + 1 });
    }
    logger.info({ courseKey, by: actor, revoked }, 'bulk revocation');
    const course = await findCourse(courseKey);
    if (course) await syncGradebook(course, logger); // the revoked scores cleared from the grade book
    return { learners: awardIds.length, badges: 0, awarded: 0, pending: 0, lmsRequests: 0, revoked, warnings: revoked < awardIds.length ? [`${awardIds.length - revoked} were revoked already and kept their first reason.`] : [] };
  };
}
