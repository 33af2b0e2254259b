/**
 * What Laurel still has to write to an LMS grade book, and why a write failed: shared by a
 * badge's "Badge:" column (badgeColumn.ts) and each learner's score in it (gradebookScore.ts).
 * Each record says what the LMS should show (`version` counts changes of that), whether the LMS
 * shows it yet, and when to try again: a write is marked done only for the version it wrote, so
 * a change made meanwhile (a revocation during a posting) is written next.
 */

/** pending: to write; written: the LMS shows it; failing: tried, tried again later; refused: the LMS will not take it, not tried again by itself. */
export type WriteState = 'pending' | 'written' | 'failing' | 'refused';

/**
 * Why a write failed, as the instructor is told: refused (the LMS will not take it for this
 * person), unauthorized (Laurel's access refused), scopes (the launch gave no AGS write rights),
 * unavailable (down, throttling, failing), unexpected.
 */
export type WriteFailureKind = 'refused' | 'unauthorized' | 'scopes' | 'unavailable' | 'unexpected';

export interface WriteFailure { kind: WriteFailureKind; detail: string; at: Date }

const writeFailureSchema = { kind: String, detail: String, at: Date };

/** Where a record stands in being written to the LMS (both kinds of record carry it). */
export interface WriteTracking {
  version: number;
  state: WriteState;
  attempts: number;
  nextAttemptAt?: Date;
  failure?: WriteFailure;
  updatedAt: Date;
}

export const writeTrackingSchema = {
  version: { type: Number, required: true },
  state: { type: String, required: true },
  attempts: { type: Number, default: 0 },
  nextAttemptAt: Date,
  failure: writeFailureSchema,
  updatedAt: { type: Date, required: true },
};

/** After the first failed attempt (already retried a few times within seconds by lms/http.ts): 1 min, 2, 4 … at most 6 h. */
export function nextAttemptAfter(attempts: number, now: Date): Date {
  const minutes = Math.min(6 * 60, 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + minutes * 60_000);
}
