/**
 * Old "Badge: …" columns in a copied course: Laurel's own columns (its tag, and a resourceId
 * naming the badge) that no badge of this course owns, because they came with the course copy
 * and still hold the earlier learners' scores. Each can be deleted (AGS DELETE), or adopted by
 * the copy of its badge when that badge was brought forward and shows in the grade book: the
 * column is renamed and re-keyed for the copy, and its scores rewritten from this course's
 * awards (a full score for each holder, cleared for everyone else).
 */
import type { Logger } from 'pino';
import type { LineItem } from '../rules/snapshot.js';
import type { BadgeDefinition } from '../rules/badge.js';
import type { CourseRecord } from '../store/course.js';
import { listBadges } from '../store/badge.js';
import { copyOfBadge } from '../store/badgeCopy.js';
import { awardsOf } from '../store/award.js';
import { credentialsOfAwards } from '../store/issuedCredential.js';
import { lmsClientFor } from '../lms/forCourse.js';
import { BADGE_COLUMN_TAG, postToGradebook } from '../awards/gradebookColumn.js';
import { sameLineItem } from '../rules/lineItemKey.js';

const RESOURCE_PREFIX = 'laurel-badge:';

export interface OrphanColumn {
  lineItem: LineItem;
  /** The badge of the earlier course the column was made for, when its resourceId says. */
  sourceBadgeId?: string;
  /** The badge of this course that may take the column over. */
  adoptBy?: { badgeId: string; name: string };
}

/** The orphans among the course's badge columns (as courseLineItems lists them). */
export async function orphanColumns(course: CourseRecord, badgeColumns: readonly LineItem[], badges?: BadgeDefinition[]): Promise<OrphanColumn[]> {
  const mine = badges ?? (await listBadges(course.courseKey));
  const byId = new Map(mine.map((b) => [b.id, b]));
  const badgeIdOf = (c: LineItem) => (c.resourceId?.startsWith(RESOURCE_PREFIX) ? c.resourceId.slice(RESOURCE_PREFIX.length) : undefined);
  const owned = new Set(badgeColumns.map(badgeIdOf).filter((id) => id !== undefined && byId.has(id)));
  const orphans: OrphanColumn[] = [];
  for (const lineItem of badgeColumns) {
    const sourceBadgeId = badgeIdOf(lineItem);
    if (sourceBadgeId && byId.has(sourceBadgeId)) continue;
    const copy = sourceBadgeId ? byId.get((await copyOfBadge(course.courseKey, sourceBadgeId)) ?? '') : undefined;
    // One column per badge: not when the copy has its own column already, or an earlier orphan takes it.
    const free = copy?.gradebookColumn && !owned.has(copy.id);
    if (free) owned.add(copy.id);
    orphans.push({ lineItem, ...(sourceBadgeId ? { sourceBadgeId } : {}), ...(free ? { adoptBy: { badgeId: copy.id, name: copy.name } } : {}) });
  }
  return orphans;
}

/** The course's orphan columns as the LMS lists them now: what a request names is checked against this, never trusted. */
async function currentOrphan(course: CourseRecord, lineItemId: string): Promise<OrphanColumn | undefined> {
  if (!course.lineItemsUrl) return undefined;
  const client = await lmsClientFor(course);
  const columns = await client.lineItems(course.lineItemsUrl, { tag: BADGE_COLUMN_TAG });
  return (await orphanColumns(course, columns.filter((c) => c.tag === BADGE_COLUMN_TAG))).find((o) => sameLineItem(o.lineItem.id, lineItemId));
}

/** Deletes the column; undefined when it is not an orphan column of this course (any more). */
export async function deleteOrphanColumn(course: CourseRecord, lineItemId: string): Promise<OrphanColumn | undefined> {
  const orphan = await currentOrphan(course, lineItemId);
  if (!orphan) return undefined;
  await (await lmsClientFor(course)).deleteLineItem(orphan.lineItem.id);
  return orphan;
}

/**
 * Gives the column to the copy of its badge and rewrites its scores; undefined when it is not an
 * orphan this course's badges can adopt. Answers how many scores were set and cleared.
 */
export async function adoptOrphanColumn(course: CourseRecord, lineItemId: string, log?: Logger): Promise<{ orphan: OrphanColumn; posted: number; cleared: number } | undefined> {
  const orphan = await currentOrphan(course, lineItemId);
  if (!orphan?.adoptBy) return undefined;
  const badges = await listBadges(course.courseKey);
  const badge = badges.find((b) => b.id === orphan.adoptBy!.badgeId)!;
  const client = await lmsClientFor(course);
  const column = orphan.lineItem.id;
  await client.updateLineItem(orphan.lineItem, { label: `Badge: ${badge.name}`, scoreMaximum: 1, resourceId: `${RESOURCE_PREFIX}${badge.id}`, tag: BADGE_COLUMN_TAG });

  const held = (await awardsOf(course.courseKey, { badgeId: badge.id })).filter((a) => a.status === 'awarded');
  const holders = new Set(held.map((a) => a.userId));
  // The earlier course's scores: cleared for everyone who does not hold the badge here.
  const stale = (await client.results(column)).filter((r) => r.resultScore !== undefined && !holders.has(r.userId));
  let cleared = 0;
  for (const r of stale) {
    try {
      await client.postScore(column, { userId: r.userId, timestamp: new Date().toISOString(), activityProgress: 'Initialized', gradingProgress: 'NotReady' });
      cleared++;
    } catch (err) {
      log?.warn({ err, courseKey: course.courseKey, badgeId: badge.id, userId: r.userId }, 'could not clear an earlier course\'s score in an adopted badge column');
    }
  }
  const issued = await credentialsOfAwards(held.map((a) => a.id));
  // The column now carries this badge's resourceId: the grade book's sync finds it there, and
  // writes each holder's score into it rather than making a column of its own.
  await postToGradebook(course, new Map([[badge.id, badge]]), issued, log);
  return { orphan, posted: issued.length, cleared };
}
