/**
 * What staff do to a course, the same from the pages and from the API: the change itself, a
 * line in the server log, an entry in the course's audit log when something changed, and the
 * "Badge:" grade-book columns brought in step.
 */
import type { Request, Response } from 'express';
import type { BadgeDefinition } from '../../rules/badge.js';
import { deleteBadge, getBadge, saveBadge } from '../../store/badge.js';
import { approveAward } from '../../awards/approve.js';
import { revoke } from '../../awards/revoke.js';
import { evidenceFrom, type EvidenceProblem } from '../../awards/evidence.js';
import { addEvidence, awardById, type Award } from '../../store/award.js';
import { issuedAmong } from '../../store/issuedCredential.js';
import { courseOf } from './courseContext.js';
import { revocationEntry } from '../../store/auditLog.js';
import { auditInCourse } from './audit.js';
import { badgeColumnChanged, syncGradebook } from '../../awards/gradebookColumn.js';

export async function saveBadgeInCourse(req: Request, res: Response, badge: BadgeDefinition): Promise<void> {
  const { course, token } = courseOf(res);
  const existed = await getBadge(course.courseKey, badge.id);
  await saveBadge(course.courseKey, badge, token.user);
  const action = existed ? 'badge.changed' : 'badge.created';
  req.log.info({ courseKey: course.courseKey, badgeId: badge.id, by: token.user }, action);
  await auditInCourse(res, { action, badgeId: badge.id, detail: badge.name });
  if (await badgeColumnChanged(course.courseKey, existed, badge)) writeGradebookSoon(req, res);
}

/** The grade book is written after the answer: the LMS's pace is not the page's (failures show on the dashboard). */
function writeGradebookSoon(req: Request, res: Response): void {
  const { course } = courseOf(res);
  void syncGradebook(course, req.log).catch((err: unknown) => req.log.warn({ err, courseKey: course.courseKey }, 'could not write the course\'s grade book'));
}

/** False when the course has no such badge. */
export async function deleteBadgeInCourse(req: Request, res: Response, id: string): Promise<boolean> {
  const { course, token } = courseOf(res);
  const badge = await getBadge(course.courseKey, id);
  if (!badge || !(await deleteBadge(course.courseKey, id))) return false;
  req.log.info({ courseKey: course.courseKey, badgeId: id, by: token.user }, 'badge.deleted');
  await auditInCourse(res, { action: 'badge.deleted', badgeId: id, detail: badge.name });
  if (await badgeColumnChanged(course.courseKey, badge, null)) writeGradebookSoon(req, res);
  return true;
}

export async function approveInCourse(req: Request, res: Response, id: string) {
  const { course, token } = courseOf(res);
  const outcome = await approveAward(course, id, token.user, req.log);
  if (outcome.approved && outcome.award) {
    await auditInCourse(res, { action: 'award.approved', badgeId: outcome.award.badgeId, awardId: id, userId: outcome.award.userId, detail: outcome.award.recipient?.name ?? '' });
  }
  return outcome;
}

/** Throws RevocationError when the reason is missing or the award is not in the course. */
export async function revokeInCourse(req: Request, res: Response, id: string, reason: string) {
  const { course, token } = courseOf(res);
  const outcome = await revoke(course.courseKey, id, reason, token.user);
  const { award } = outcome;
  if (outcome.revoked) {
    req.log.info({ courseKey: course.courseKey, awardId: id, by: token.user }, 'award revoked');
    await auditInCourse(res, revocationEntry(award));
  }
  writeGradebookSoon(req, res);
  return award;
}

/** `code` and `values` say which invalid evidence it was, for pages in other languages. */
type EvidenceOutcome = { award: Award } | { status: 400 | 404 | 409; problem: string; detail: string; code?: EvidenceProblem; values?: Record<string, string> };

/** Evidence for an award of the course (`own`: the learner's own award only), before its credential is signed. */
export async function addEvidenceInCourse(req: Request, res: Response, id: string, own: boolean): Promise<EvidenceOutcome> {
  const { course, token } = courseOf(res);
  const award = await awardById(id);
  if (!award || award.courseKey !== course.courseKey || (own && award.userId !== token.user)) return { status: 404, problem: 'award_not_found', detail: own ? 'You have no award with this id in this course.' : 'No award with this id in this course.' };
  if ((await issuedAmong([award.id])).length) return { status: 409, problem: 'already_issued', detail: 'This badge\'s credential is already signed, and a signed credential is never changed: evidence must come before it is issued.' };
  const { evidence, error, code, values } = evidenceFrom((req.body ?? {}) as Record<string, unknown>, token.user);
  if (!evidence) return { status: 400, problem: 'invalid_evidence', detail: error!, code, values };
  await addEvidence(course.courseKey, award.id, evidence);
  await auditInCourse(res, { action: 'award.evidence', badgeId: award.badgeId, awardId: award.id, userId: award.userId, detail: evidence.url ?? evidence.text!.slice(0, 200) });
  return { award: (await awardById(award.id))! };
}
