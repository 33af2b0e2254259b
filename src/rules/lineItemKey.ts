/**
 * Which line item an id names. An AGS line item's id is its URL, and Canvas gives the same line
 * item under whichever host the course was opened from (school.instructure.com one launch, the
 * school's own domain the next): `https://school.instructure.com/api/lti/courses/1/line_items/5`
 * and `https://school.example.edu/api/lti/courses/1/line_items/5` are one column. Compare ids by
 * this key (the path and query, without the host); store and show them as the LMS gave them.
 * Ids that are not URLs (`canvas:assignment:5`, `moodle:cm:7`) are their own key.
 */
export function lineItemKey(id: string): string {
  if (!/^https?:\/\//i.test(id)) return id;
  try {
    const u = new URL(id);
    return `${u.pathname.replace(/\/+$/, '')}${u.search}`;
  } catch {
    return id;
  }
}

/** Line items (or anything with an id) by their key. */
export function byLineItemKey<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  return new Map(items.map((i) => [lineItemKey(i.id), i]));
}

export const sameLineItem = (a: string, b: string): boolean => a === b || lineItemKey(a) === lineItemKey(b);
