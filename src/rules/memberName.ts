/**
 * A roster member's name as the LMS gives it, whole or in parts: read the same way by the roster
 * merge (lms/), the awards and the pages.
 */
import type { Member } from './snapshot.js';

/** The member's name, whole or in parts; undefined when the LMS hides it. */
export function memberName(m: Member): string | undefined {
  return m.name || [m.givenName, m.familyName].filter(Boolean).join(' ') || undefined;
}
