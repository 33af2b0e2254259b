/**
 * Reading LMS JSON defensively: LMSs omit fields, send "" for unset ones (Moodle's resourceId
 * and tag) and sometimes numbers where strings are expected.
 */
import { LmsError } from './errors.js';

export function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** A non-empty string (numbers turned into strings), else undefined. */
export function text(v: unknown): string | undefined {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * An LTI variable the LMS could not substitute: Canvas leaves it as its literal text
 * (`$Person.sourcedId` for a user with no SIS id; canvas-lms lib/lti/variable_expander.rb
 * expands only where a variable's guard passes). It names nobody.
 */
export const UNSUBSTITUTED = /^\$[A-Za-z][\w]*(\.[\w]+)+$/;

/** An SIS id (lis_person_sourcedid, sis_user_id, a custom substitution): absent when empty or left unsubstituted. */
export function sisIdText(v: unknown): string | undefined {
  const t = text(v)?.trim();
  return t && !UNSUBSTITUTED.test(t) ? t : undefined;
}

export function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

export function listOf(v: unknown, what: string, url: string): unknown[] {
  if (!Array.isArray(v)) throw new LmsError('bad_response', `The LMS answered ${url} without a list of ${what}.`, { url });
  return v;
}

/** Drops undefined properties, so optional facts are absent rather than undefined. */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
