/**
 * The badge editor as a page: one badge (or a new one) with the course's columns to choose from,
 * shown afresh, after a failed save or preview (what was typed, with its problems), or with the
 * preview of who would qualify. Rendered by the badge pages and by the image upload.
 */
import type { Request, Response } from 'express';
import type { BadgeDefinition } from '../../rules/badge.js';
import { getBadge, listBadges } from '../../store/badge.js';
import { badgeImageBySha } from '../../store/badgeImage.js';
import { courseLineItems } from '../../awards/courseLineItems.js';
import type { Evaluation } from '../../awards/evaluateCourse.js';
import { lacksEditScope } from '../../awards/courseTotal.js';
import { pickerChoices, pickerGroups } from '../shared/rulePicker.js';
import { ALIGNMENT_ROWS, FORM_ROWS, RENEWAL_ROWS } from '../shared/badgeInput.js';
import { courseOf } from '../shared/courseContext.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { pageView } from '../shared/pageView.js';
import { gradebookColumnNote } from './gradebookNotes.js';

export interface EditorState {
  /** The badge as typed (after a failed save or a preview) rather than as stored. */
  draft?: BadgeDefinition;
  problems?: string[];
  preview?: { evaluation?: Evaluation; error?: string; names: Map<string, string> };
  note?: string;
}

/** The editor of a badge (`id`) or of a new one; `id` may come from the form when previewing. */
export async function editor(req: Request, res: Response, id: string | undefined, state: EditorState = {}) {
  const { course, token } = courseOf(res);
  const existing = id ? await getBadge(course.courseKey, id) : null;
  if (req.params.id && !existing) return badgeNotFound(req, res);
  const [badges, columns, image] = await Promise.all([listBadges(course.courseKey), courseLineItems(course, pageTranslator(res).t, token.user, req.log), existing?.image ? badgeImageBySha(existing.image) : null]);
  const badge = state.draft ?? existing;
  const problems = state.problems ?? [];
  const conditions = badge && (badge.rules.kind === 'all' || badge.rules.kind === 'any') ? badge.rules.rules : [];
  // The renewal's own conditions, where it has them (else it renews on the conditions above).
  const renewalRules = badge?.renewal?.rules;
  const renewalConditions = renewalRules && (renewalRules.kind === 'all' || renewalRules.kind === 'any') ? renewalRules.rules : [];
  const picker = pickerGroups(columns, [...conditions, ...renewalConditions], pageTranslator(res));
  res.status(problems.length ? 400 : 200).render('course/badge-editor', {
    ...pageView(res), badge, existing, conditions, combinator: badge?.rules.kind === 'any' ? 'any' : 'all', rows: FORM_ROWS, alignmentRows: ALIGNMENT_ROWS,
    otherBadges: badges.filter((b) => b.id !== badge?.id), columns, picker, choices: pickerChoices(picker, conditions), problems, preview: state.preview, note: state.note,
    renewal: { how: !badge?.renewal ? '' : renewalRules ? 'own' : 'same', windowDays: badge?.renewal?.windowDays, combinator: renewalRules?.kind === 'any' ? 'any' : 'all', conditions: renewalConditions, choices: pickerChoices(picker, renewalConditions), rows: RENEWAL_ROWS },
    image: image ? { mediaType: image.mediaType, width: image.width, height: image.height } : null,
    gradebookNote: gradebookColumnNote(course, columns.sources, await lacksEditScope(course), pageTranslator(res).t),
    action: existing ? `/course/badges/${encodeURIComponent(existing.id)}` : '/course/badges',
  });
}

export function badgeNotFound(req: Request, res: Response) {
  res.status(404).render('error', { problem: { status: 404, reason: 'badge_not_found', title: 'No such badge in this course', detail: 'It may have been deleted.' } });
}
