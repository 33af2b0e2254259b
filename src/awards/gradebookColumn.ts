/**
 * Earned badges beside the grades, in the LMS itself: for a badge that asks for it, an AGS
 * line item "Badge: <name>" (made once, found again by its resourceId), and for each learner
 * who earns it a full score with the verification link as the comment.
 *
 * The LMS is a courtesy here, not the record: a failure is logged and the credential stands.
 * Posting a score twice is harmless (the same score, a later timestamp).
 */
import type { Logger } from 'pino';
import type { BadgeDefinition } from '../rules/badge.js';
import type { CourseRecord } from '../store/course.js';
import type { IssuedCredential } from '../store/issuedCredential.js';
import { lmsClientFor } from '../lms/forCourse.js';
import { SCOPES } from '../lms/scopes.js';
import { credentialUrls } from '../credentials/urls.js';

/** Laurel's own columns carry this tag, so the rule editor can leave them out. */
export const BADGE_COLUMN_TAG = 'laurel-badge';

const resourceIdOf = (badgeId: string) => `laurel-badge:${badgeId}`;

export async function postToGradebook(base: string, course: CourseRecord, badges: ReadonlyMap<string, BadgeDefinition>, issued: IssuedCredential[], log?: Logger): Promise<number> {
  const wanted = issued.filter((c) => badges.get(c.badgeId)?.gradebookColumn);
  if (!wanted.length || !course.lineItemsUrl) return 0;
  if (![SCOPES.lineItem, SCOPES.score].every((s) => course.agsScopes.includes(s))) {
    log?.warn({ courseKey: course.courseKey }, 'badges cannot appear in the grade book: the LMS did not grant the line item and score scopes');
    return 0;
  }
  let client;
  try {
    client = await lmsClientFor(course);
  } catch (err) {
    log?.warn({ err, courseKey: course.courseKey }, 'could not reach the LMS to show badges in its grade book');
    return 0;
  }
  let posted = 0;
  for (const badgeId of new Set(wanted.map((c) => c.badgeId))) {
    const badge = badges.get(badgeId)!;
    try {
      const resourceId = resourceIdOf(badgeId);
      const [existing] = await client.lineItems(course.lineItemsUrl, { resourceId });
      const column = existing ?? (await client.createLineItem(course.lineItemsUrl, { label: `Badge: ${badge.name}`, scoreMaximum: 1, resourceId, tag: BADGE_COLUMN_TAG }));
      for (const c of wanted.filter((w) => w.badgeId === badgeId)) {
        await client.postScore(column.id, {
          userId: c.userId, scoreGiven: 1, scoreMaximum: 1, comment: `Badge earned: ${credentialUrls(base, c.publicId).page}`,
          timestamp: new Date().toISOString(), activityProgress: 'Completed', gradingProgress: 'FullyGraded',
        });
        posted++;
      }
    } catch (err) {
      log?.warn({ err, courseKey: course.courseKey, badgeId }, 'could not show the badge in the LMS grade book');
    }
  }
  return posted;
}
