/**
 * The course's copy history from a launch: `custom.context_id_history` (customParameters.ts),
 * the LTI context ids of the courses it was copied from, most recent first. Canvas sends
 * "789,456,123", "" for a course never copied, and ends a list longer than 1,000 with
 * "truncated"; an LMS that cannot substitute the variable sends it back as "$Context.id.history".
 */
import type { LtijsToken } from 'ltijs';
import { CONTEXT_HISTORY_PARAMETER } from './customParameters.js';

export function parseContextHistory(value: unknown): string[] {
  if (typeof value !== 'string' || value.startsWith('$')) return [];
  return value.split(',').map((id) => id.trim()).filter((id) => id !== '' && id !== 'truncated');
}

export function contextHistoryOf(token: LtijsToken): string[] {
  return parseContextHistory(token.platformContext.custom?.[CONTEXT_HISTORY_PARAMETER]);
}
