/**
 * Next term in one step: every badge of an earlier course copied into this one (rules, image,
 * validity, evidence and approval settings, the "Badge:" column option), prerequisites pointing
 * at the copies, the items rules name found again by name in this course. Awards never come:
 * they belong to the earlier course's learners. Only someone who launched as staff in both
 * courses may do it. Idempotent: each copy has a derived id (store/badgeCopy.ts), so a second
 * click, or a second instance at once, finds it there and creates nothing.
 */
import type { Logger } from 'pino';
import type { BadgeDefinition } from '../rules/badge.js';
import { remapRules, type Unmatched } from '../rules/remap.js';
import { BadgeModel, listBadges, type StoredBadge } from '../store/badge.js';
import { copiedBadgeId, recordBadgeCopies } from '../store/badgeCopy.js';
import { findCourse, type CourseRecord } from '../store/course.js';
import { insertNew } from '../store/insertNew.js';
import { taughtCoursesOf, type TaughtCourse } from '../store/taughtCourse.js';
import { courseLineItems, namedItems } from '../awards/courseLineItems.js';
import type { NamedItem } from '../rules/criteria.js';

export type BringRefusal = 'not_taught' | 'same_course';

/** `code` says why for pages in other languages; the message is the English. */
export class BringRefused extends Error {
  constructor(readonly code: BringRefusal, message: string) {
    super(message);
  }
}

export interface BroughtBadge {
  badgeId: string;
  sourceBadgeId: string;
  name: string;
  /** False: it was brought already (an earlier click, or another instance at the same moment). */
  created: boolean;
  /** Rule items not found again in this course, for the instructor to pick in the editor (copies made now only). */
  unmatched: Unmatched[];
}

export interface BringReport {
  from: TaughtCourse;
  badges: BroughtBadge[];
  /** Set when either course's columns could not be read: its items could not be matched by name. */
  itemsError?: string;
}

const namesItems = (r: BadgeDefinition['rules']): boolean =>
  r.kind === 'all' || r.kind === 'any' ? r.rules.some(namesItems) : r.kind === 'minGrade' || r.kind === 'completed' || r.kind === 'average';

/** What rules can name in a course, read as `person` (whose Canvas grant may read it); an unreadable course names nothing. */
async function itemsOf(course: CourseRecord | null, person: string): Promise<{ items: NamedItem[]; error?: string }> {
  if (!course) return { items: [], error: 'the earlier course is no longer known to Laurel' };
  const read = await courseLineItems(course, undefined, person);
  return { items: namedItems(read), error: read.error };
}

export async function bringBadges(course: CourseRecord, sourceCourseKey: string, person: string, log?: Logger): Promise<BringReport> {
  if (sourceCourseKey === course.courseKey) throw new BringRefused('same_course', 'Badges are brought from another course, not from this one.');
  const from = (await taughtCoursesOf(course.issuer, course.clientId, person)).find((c) => c.courseKey === sourceCourseKey);
  if (!from) {
    throw new BringRefused('not_taught', 'Only an instructor of both courses may bring badges from one to the other, and Laurel has no launch of yours as an instructor in that course. Open Laurel from that course once as its instructor, then try again.');
  }
  const sourceBadges = await listBadges(sourceCourseKey);
  const ids = new Map(sourceBadges.map((b) => [b.id, copiedBadgeId(course.courseKey, sourceCourseKey, b.id)]));

  let sourceItems: NamedItem[] = [];
  let targetItems: NamedItem[] = [];
  let itemsError: string | undefined;
  if (sourceBadges.some((b) => namesItems(b.rules))) {
    const [s, t] = await Promise.all([findCourse(sourceCourseKey).then((c) => itemsOf(c, person)), itemsOf(course, person)]);
    ({ items: sourceItems } = s);
    ({ items: targetItems } = t);
    itemsError = s.error ?? t.error;
  }

  const now = new Date();
  const copies = sourceBadges.map((b) => {
    const { rules, unmatched } = remapRules(b.rules, { badgeIds: ids, sourceItems, targetItems });
    const badge: StoredBadge = { ...b, id: ids.get(b.id)!, rules, courseKey: course.courseKey, createdAt: now, updatedAt: now, updatedBy: person };
    return { badge, unmatched, sourceBadgeId: b.id };
  });
  await recordBadgeCopies(course.courseKey, sourceCourseKey, ids);
  const existing = await insertNew(BadgeModel, copies.map((c) => c.badge));
  const badges = copies.map((c, i): BroughtBadge => ({
    badgeId: c.badge.id, sourceBadgeId: c.sourceBadgeId, name: c.badge.name, created: !existing.has(i), unmatched: existing.has(i) ? [] : c.unmatched,
  }));
  log?.info({ courseKey: course.courseKey, from: sourceCourseKey, by: person, created: badges.filter((b) => b.created).length, already: existing.size }, 'badges brought from an earlier course');
  return { from, badges, ...(itemsError ? { itemsError } : {}) };
}
