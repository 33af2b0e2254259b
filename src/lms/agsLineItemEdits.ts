/**
 * Changing and removing a grade column Laurel created (AGS 2.0 §3.2: PUT and DELETE on the line
 * item's URL, the `lineitem` scope). Both are idempotent, so a retry does no harm. Only columns
 * the tool created can go: Canvas answers 401 and Moodle 403 for a link's own column.
 */
import { MEDIA_TYPES, type Http } from './http.js';
import type { NewLineItem } from './ags.js';
import { SCOPES } from './scopes.js';

/** The whole line item as it should be: PUT replaces label, maximum, resourceId and tag. */
export async function updateLineItem(http: Http, lineItemUrl: string, item: NewLineItem): Promise<void> {
  const res = await http.call([SCOPES.lineItem], { method: 'PUT', url: lineItemUrl, contentType: MEDIA_TYPES.lineItem, accept: MEDIA_TYPES.lineItem, body: JSON.stringify(item) });
  await res.body?.cancel();
}

export async function deleteLineItem(http: Http, lineItemUrl: string): Promise<void> {
  const res = await http.call([SCOPES.lineItem], { method: 'DELETE', url: lineItemUrl });
  await res.body?.cancel();
}
