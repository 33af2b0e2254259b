/**
 * The course's grade columns as the LMS reports them now, for the rule pickers and for
 * validating rules, with what the instructor can do when columns are hidden (in English, or
 * in a page's language when it passes its `t`).
 */
import type { LineItem } from '../rules/snapshot.js';
import { lmsClientFor } from '../lms/forCourse.js';
import { lineItemVisibilityHint } from '../lms/visibility.js';
import { BADGE_COLUMN_TAG } from './gradebookColumn.js';
import type { CourseRecord } from '../store/course.js';
import type { Translator } from '../i18n/translate.js';

export interface CourseLineItems {
  lineItems: LineItem[];
  hint: string;
  /** Set when the LMS could not be read: the message says why. */
  error?: string;
}

export async function courseLineItems(course: CourseRecord, t?: Translator['t']): Promise<CourseLineItems> {
  if (!course.lineItemsUrl) return { lineItems: [], hint: lineItemVisibilityHint(course.productFamily, 0, false, t) };
  try {
    const client = await lmsClientFor(course);
    // Laurel's own "Badge: …" columns are not grades to set rules on.
    const lineItems = (await client.lineItems(course.lineItemsUrl)).filter((i) => i.tag !== BADGE_COLUMN_TAG);
    return { lineItems, hint: lineItemVisibilityHint(course.productFamily, lineItems.length, true, t) };
  } catch (err) {
    return { lineItems: [], hint: lineItemVisibilityHint(course.productFamily, 0, true, t), error: (err as Error).message };
  }
}
