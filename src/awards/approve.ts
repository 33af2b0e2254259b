/**
 * An instructor's approval of an award waiting in the queue (approval-mode badges): it becomes
 * awarded and its credential is signed at once, one learner being no reason to wait.
 */
import type { Logger } from 'pino';
import { approvePendingAward, awardById, type Award } from '../store/award.js';
import type { CourseRecord } from '../store/course.js';
import { issueContext, issueCredential } from './issueCredential.js';
import { publicBase } from '../publicBase.js';
import { announceApproval } from './announce.js';

/** The award as it stands afterwards (null when the course has no such award), and whether this call approved it. */
export async function approveAward(course: CourseRecord, id: string, by: string, log?: Logger): Promise<{ award: Award | null; approved: boolean }> {
  const approved = await approvePendingAward(course.courseKey, id, by);
  const award = await awardById(id);
  if (!award || award.courseKey !== course.courseKey) return { award: null, approved: false };
  if (approved) {
    log?.info({ courseKey: course.courseKey, awardId: id, by }, 'award approved');
    await announceApproval(course.courseKey, award); // its learner is told it is theirs
  }
  // Signed already, or now: issuing twice stores one credential.
  if (award.status === 'awarded') await issueCredential(award, await issueContext(publicBase(), course, log));
  return { award, approved };
}
