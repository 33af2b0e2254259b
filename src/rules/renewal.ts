/**
 * Renewal windows: the last days of a credential of a badge that is renewed, when a learner who
 * meets the renewal rules is given a new one. Dates in, answers out; "now" is always given.
 */
import type { BadgeDefinition, Renewal, Rule } from './badge.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** What renews the badge: its own renewal rules, or its rules met again; undefined when it is not renewed. */
export function renewalRules(badge: BadgeDefinition): Rule | undefined {
  if (!badge.renewal || !badge.validFor) return undefined;
  return badge.renewal.rules ?? badge.rules;
}

/** When the renewal window of a credential valid until `validUntil` opens. */
export function renewalOpens(validUntil: Date | string, windowDays: number): Date {
  return new Date(new Date(validUntil).getTime() - windowDays * DAY_MS);
}

/**
 * Where a credential valid until `validUntil` stands at `now`: `valid` (its renewal window not
 * open, or the badge not renewed), `renewable` (inside the window), or `lapsed` (expired: at
 * validUntil itself, as verifiers count it).
 */
export type ExpiryState = 'valid' | 'renewable' | 'lapsed';

export function expiryState(validUntil: Date | string, renewal: Renewal | undefined, now: Date | string): ExpiryState {
  const at = new Date(now).getTime();
  const until = new Date(validUntil).getTime();
  if (until <= at) return 'lapsed';
  return renewal && renewalOpens(validUntil, renewal.windowDays).getTime() <= at ? 'renewable' : 'valid';
}

/** Whole days from `from` to `to` (rounded down): how long a validity period is, or how long ago a grade was given. */
export function daysBetween(from: Date | string, to: Date | string): number {
  return Math.floor((new Date(to).getTime() - new Date(from).getTime()) / DAY_MS);
}
