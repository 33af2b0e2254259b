/**
 * The course's grade columns as the LMS reports them now, for the rule pickers and for
 * validating rules, with what the instructor can do when columns are hidden.
 */
import type { LineItem } from '../rules/snapshot.js';
import { lmsClientFor } from '../lms/forCourse.js';
import { lineItemVisibilityHint } from '../lms/visibility.js';
import { BADGE_COLUMN_TAG } from './gradebookColumn.js';
import type { CourseRecord } from '../store/course.js';

export interface CourseLineItems {
  lineItems: LineItem[];
  hint: string;
  /** Set when the LMS could not be read: the message says why. */
  error?: string;
}

export async function courseLineItems(course: CourseRecord): Promise<CourseLineItems> {
  if (!course.lineItemsUrl) return { lineItems: [], hint: lineItemVisibilityHint(course.productFamily, 0, false) };
  try {
    const client = await lmsClientFor(course);
    // Laurel's own "Badge: …" columns are not grades to set rules on.
    const lineItems = (await client.lineItems(course.lineItemsUrl)).filter((i) => i.tag !== BADGE_COLUMN_TAG);
    return { lineItems, hint: lineItemVisibilityHint(course.productFamily, lineItems.length, true) };
  } catch (err) {
    return { lineItems: [], hint: lineItemVisibilityHint(course.productFamily, 0, true), error: (err as Error).message };
  }
}
