/**
 * What a course's rules can name, as the LMS reports it now: the grade columns AGS shows Laurel
 * and, where the platform connected its LMS's API, every assignment and what there is to complete,
 * each marked with its source; for the rule pickers, validation and the criteria in words. With
 * what the instructor can do about columns hidden from Laurel (in English, or in a page's
 * language when it passes its `t`).
 */
import type { Activity, LineItem, SourceState } from '../rules/snapshot.js';
import type { NamedItem } from '../rules/criteria.js';
import { lmsClientFor } from '../lms/forCourse.js';
import { lineItemVisibilityHint } from '../lms/visibility.js';
import { mergeLmsApi, readLmsApi } from '../lms/sources/readLmsApi.js';
import { BADGE_COLUMN_TAG } from './gradebookColumn.js';
import type { CourseRecord } from '../store/course.js';
import type { Translator } from '../i18n/translate.js';
import type { Logger } from 'pino';

export interface CourseLineItems {
  /** AGS line items first, then the LMS API's. */
  lineItems: LineItem[];
  /** Completable things the LMS API lists (none without one). */
  activities: Activity[];
  /** The LMS API's state, when the platform connected one. */
  sources: SourceState[];
  hint: string;
  /** Set when the LMS could not be read: the message says why. */
  error?: string;
  /** Laurel's own "Badge: …" columns, left out of `lineItems` (orphans from a course copy among them). */
  badgeColumns?: LineItem[];
}

/** `viewer`: the instructor on the page, whose own Canvas grant may read the course; `log`: where an API failure is logged. */
export async function courseLineItems(course: CourseRecord, t?: Translator['t'], viewer?: string, log?: Logger): Promise<CourseLineItems> {
  try {
    const client = await lmsClientFor(course);
    const [listed, outcome] = await Promise.all([
      course.lineItemsUrl ? client.lineItems(course.lineItemsUrl) : [],
      readLmsApi(course, { badges: [], itemsOnly: true, transport: client.transport, grantHolders: viewer ? [viewer] : [], roster: async () => [], log }),
    ]);
    // Laurel's own "Badge: …" columns are not grades to set rules on.
    const ags = listed.filter((i) => i.tag !== BADGE_COLUMN_TAG);
    const hint = lineItemVisibilityHint(course.productFamily, ags.length, Boolean(course.lineItemsUrl), t);
    const { snapshot } = mergeLmsApi({ takenAt: new Date().toISOString(), members: [], lineItems: ags, results: [] }, outcome);
    return { lineItems: snapshot.lineItems, activities: snapshot.activities ?? [], sources: snapshot.sources ?? [], hint, badgeColumns: listed.filter((i) => i.tag === BADGE_COLUMN_TAG) };
  } catch (err) {
    return { lineItems: [], activities: [], sources: [], hint: lineItemVisibilityHint(course.productFamily, 0, Boolean(course.lineItemsUrl), t), error: (err as Error).message };
  }
}

/** Everything a rule can name, for labels in criteria. */
export const namedItems = (c: Pick<CourseLineItems, 'lineItems' | 'activities'>): NamedItem[] => [...c.lineItems, ...c.activities];
