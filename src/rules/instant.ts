/**
 * Reading the ISO 8601 dates of a date window. Only ISO forms are accepted: Date.parse alone
 * would read "Quiz 2" as a year, and a date-time without an offset as the server's local time,
 * which would make evaluation depend on where Laurel runs. Such date-times are read as UTC.
 */
const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Milliseconds since the epoch, or undefined when the value is not an ISO 8601 date. A bare date
 * covers its whole day (UTC): as the `end` of a window, "2026-12-20" includes the 20th.
 */
export function instantOf(value: string, edge: 'start' | 'end'): number | undefined {
  const match = ISO.exec(value);
  if (!match) return undefined;
  const [, time, , , zone] = match;
  const ms = Date.parse(time && !zone ? `${value}Z` : value);
  // Date.parse rolls 2026-02-30 over to March 2: a date that does not exist is unreadable.
  const day = value.slice(0, 10);
  if (Number.isNaN(ms) || new Date(Date.parse(day)).toISOString().slice(0, 10) !== day) return undefined;
  return edge === 'end' && !time ? ms + DAY_MS - 1 : ms;
}
