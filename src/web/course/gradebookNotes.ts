/**
 * What the pages say about the "Badge:" grade-book columns, in the page's language: on the
 * dashboard, the scores and columns Laurel could not write, why, whether Laurel tries again,
 * and what the instructor can do; in the badge editor, beside the checkbox and before it is
 * ticked, whether the column will count in the course total and how to leave it out.
 */
import type { Translator } from '../../i18n/translate.js';
import type { MessageKey } from '../../i18n/en.js';
import type { BadgeDefinition } from '../../rules/badge.js';
import type { CourseRecord } from '../../store/course.js';
import type { SourceState } from '../../rules/snapshot.js';
import { columnsOf } from '../../store/badgeColumn.js';
import { unwrittenScores } from '../../store/gradebookScore.js';
import type { WriteFailure } from '../../store/gradebookWrite.js';

const lmsName = (course: Pick<CourseRecord, 'productFamily'>, t: Translator['t']) =>
  course.productFamily === 'canvas' ? 'Canvas' : course.productFamily === 'moodle' ? 'Moodle' : t('columns.yourLms');

/** Why, whether Laurel tries again, and what to do, as one paragraph. */
function explain(failure: WriteFailure, next: Date | undefined, lms: string, tr: Translator): string {
  const why = failure.kind === 'refused' && !failure.detail
    ? tr.t('gradebook.why.refusedSilently', { lms })
    : tr.t(`gradebook.why.${failure.kind}` as MessageKey, { lms, detail: failure.detail });
  const retry = failure.kind === 'refused' ? tr.t('gradebook.retry.never') : tr.t('gradebook.retry.later', { when: next ? tr.dateTime(next) : tr.t('gradebook.retry.soon') });
  return `${why} ${retry} ${tr.t(`gradebook.do.${failure.kind}` as MessageKey, { lms })}`;
}

/** The dashboard's lines: one per badge and kind of failure, then columns still counted in the total. */
export async function gradebookProblems(course: CourseRecord, badges: readonly BadgeDefinition[], tr: Translator): Promise<string[]> {
  const [scores, columns] = await Promise.all([unwrittenScores(course.courseKey), columnsOf(course.courseKey)]);
  if (!scores.length && !columns.length) return [];
  const lms = lmsName(course, tr.t);
  const names = new Map(badges.map((b) => [b.id, b.name]));
  const nameOf = (badgeId: string, label?: string) => names.get(badgeId) ?? label?.replace(/^Badge: /, '') ?? badgeId;
  const lines: string[] = [];
  for (const c of columns) {
    if (c.state === 'failing' && c.failure) lines.push(`${tr.t(c.wanted === 'removed' ? 'gradebook.columnNotRemoved' : 'gradebook.columnNotWritten', { badge: nameOf(c.badgeId, c.label) })} ${explain(c.failure, c.nextAttemptAt, lms, tr)}`);
  }
  const groups = new Map<string, { badgeId: string; failure: WriteFailure; count: number; next?: Date }>();
  for (const s of scores) {
    if (!s.failure) continue;
    const key = `${s.badgeId} ${s.failure.kind} ${s.failure.detail}`;
    const g = groups.get(key) ?? { badgeId: s.badgeId, failure: s.failure, count: 0, next: s.nextAttemptAt };
    g.count++;
    if (s.nextAttemptAt && (!g.next || s.nextAttemptAt < g.next)) g.next = s.nextAttemptAt;
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    lines.push(`${tr.tn('gradebook.scoresNotWritten', g.count, { badge: nameOf(g.badgeId) })} ${explain(g.failure, g.next, lms, tr)}`);
  }
  for (const c of columns) {
    if (c.wanted !== 'present' || !c.omitProblem) continue;
    lines.push(`${tr.t('gradebook.stillCounted', { badge: nameOf(c.badgeId, c.label) })} ${tr.t(`gradebook.omit.${c.omitProblem}` as MessageKey, { detail: c.omitDetail ?? '', count: c.omitDetail ?? '' })}`);
  }
  return lines;
}

/**
 * The editor's note beside the checkbox: whether the column counts in the total in this LMS, and
 * how to leave it out. `lacksEditScope`: the Canvas grant was given without the scope to edit
 * assignments (awards/courseTotal.ts), so connecting again from the course page is the way.
 */
export function gradebookColumnNote(course: Pick<CourseRecord, 'productFamily'>, sources: readonly SourceState[], lacksEditScope: boolean, t: Translator['t']): string {
  if (course.productFamily === 'moodle') return t('editor.gradebookNote.moodle');
  if (course.productFamily === 'canvas') {
    const connected = sources.some((s) => s.source === 'canvas-rest' && s.state === 'read');
    if (connected && lacksEditScope) return t('editor.gradebookNote.canvasReadOnly');
    return t(connected ? 'editor.gradebookNote.canvasConnected' : 'editor.gradebookNote.canvas');
  }
  return t('editor.gradebookNote.elsewhere');
}
