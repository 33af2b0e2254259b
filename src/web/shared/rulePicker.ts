/**
 * The editor's list of what a condition can name, grouped by where Laurel reads it: the grade
 * columns of Laurel's own LTI links (AGS), the LMS API's grade book, the LMS API's modules or
 * activities to complete. A condition naming something no source lists now keeps it, marked as
 * not readable, so saving the form never drops it silently.
 *
 * A Moodle activity's grade and its completion are one id (`moodle:cm:N`): completion options
 * carry a value of their own, so the form comes back with the option that was chosen, and the
 * condition's kind (a stored `completed` or `minGrade`) says which of the two a badge names.
 */
import type { CourseLineItems } from '../../awards/courseLineItems.js';
import type { Rule } from '../../rules/badge.js';
import { itemDescription } from '../../rules/sources.js';
import type { Source } from '../../rules/snapshot.js';
import type { Translator } from '../../i18n/translate.js';
import { lineItemKey } from '../../rules/lineItemKey.js';

export interface PickerGroup { label: string; options: { value: string; label: string }[] }

const COMPLETION = 'completion|';

/** The form's value of an item as something to complete. */
export const completionValue = (itemId: string) => `${COMPLETION}${itemId}`;

/** The item an option's value names, whichever list it was chosen from. */
export const itemOfValue = (value: string) => (value.startsWith(COMPLETION) ? value.slice(COMPLETION.length) : value);

/** Which option each condition chose: its completion option for a 'completed' condition where there is one, else its item's. */
export function pickerChoices(groups: readonly PickerGroup[], conditions: readonly Rule[]): (string | undefined)[] {
  const values = new Set(groups.flatMap((g) => g.options.map((o) => o.value)));
  // A line item given under another host this launch is the same option (lineItemKey.ts).
  const optionOf = new Map(groups.flatMap((g) => g.options.map((o) => [lineItemKey(o.value), o.value] as const)));
  return conditions.map((c) => {
    if (!('lineItemId' in c)) return undefined;
    return c.kind === 'completed' && values.has(completionValue(c.lineItemId)) ? completionValue(c.lineItemId) : optionOf.get(lineItemKey(c.lineItemId)) ?? c.lineItemId;
  });
}

export function pickerGroups(columns: CourseLineItems, conditions: readonly Rule[], tr: Translator): PickerGroup[] {
  const { t } = tr;
  const grades = (source: Source) => columns.lineItems.filter((li) => li.source === source)
    .map((li) => ({ value: li.id, label: t('columns.option', { label: li.label, max: tr.number(li.scoreMaximum) }) }));
  const groups: PickerGroup[] = [
    { label: t('picker.ags'), options: grades('ags') },
    { label: t('picker.grades.canvas-rest'), options: grades('canvas-rest') },
    { label: t('picker.grades.moodle-ws'), options: grades('moodle-ws') },
    ...(['canvas-rest', 'moodle-ws'] as const).map((source) => ({
      label: t(`picker.completion.${source}`),
      options: columns.activities.filter((a) => a.source === source).map((a) => ({ value: completionValue(a.id), label: a.label })),
    })),
  ];
  const listed = new Set(groups.flatMap((g) => g.options.map((o) => lineItemKey(itemOfValue(o.value)))));
  const unlisted = [...new Set(conditions.flatMap((c) => ('lineItemId' in c && c.lineItemId && !listed.has(lineItemKey(c.lineItemId)) ? [c.lineItemId] : [])))];
  groups.push({ label: t('picker.unreadable'), options: unlisted.map((id) => ({ value: id, label: itemDescription(id) })) });
  return groups.filter((g) => g.options.length > 0);
}
