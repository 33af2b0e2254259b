/**
 * Which courses of a platform are due for retention: pure, so the rule can be read and tested
 * apart from the database. A course is due when nobody launched it for the platform's retention
 * days, unless its personal data was already removed since its last launch (a course launched
 * again after it was trimmed gathers new data, which is trimmed in its turn once it grows old).
 */

const DAY_MS = 24 * 3600_000;

/** The platform's days: its administrator's own, else the server's RETENTION_DAYS; 0 keeps forever. */
export function retentionDaysOf(own: number | undefined, serverDefault: number): number {
  return own ?? serverDefault;
}

/** Courses last launched before this are due; none when data is kept forever (0). */
export function retentionCutoff(days: number, now: Date): Date | undefined {
  return days > 0 ? new Date(now.getTime() - days * DAY_MS) : undefined;
}

export interface RetainedCourse {
  lastLaunchAt: Date;
  personalDataRemovedAt?: Date;
}

export function isDueForRetention(course: RetainedCourse, days: number, now: Date): boolean {
  const cutoff = retentionCutoff(days, now);
  if (!cutoff || course.lastLaunchAt.getTime() >= cutoff.getTime()) return false;
  return !course.personalDataRemovedAt || course.personalDataRemovedAt.getTime() < course.lastLaunchAt.getTime();
}

/** The day a pass belongs to (UTC): a platform's retention runs once a day at most. */
export const retentionDay = (now: Date): string => now.toISOString().slice(0, 10);
