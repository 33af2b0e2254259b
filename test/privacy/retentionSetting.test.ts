/**
 * The retention setting, read as the admin page and RETENTION_DAYS read it: a whole number of
 * days a course's personal data is kept after its last launch, from 90 (longer than the
 * background sync looks back, so no course it still evaluates is trimmed) to 3650, 0 to keep
 * forever, empty for the server's default (a year); anything else is refused with what to type.
 * And which courses are due under it.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, parseRetentionDays } from '../../src/store/platformSettings.js';
import { ACTIVE_WITHIN_MS } from '../../src/jobs/scheduler.js';
import { isDueForRetention, retentionCutoff, retentionDay, retentionDaysOf } from '../../src/privacy/retention/dueForRetention.js';
import { retentionSummary } from '../../src/privacy/retention/retentionSummary.js';
import { nothingTrimmed } from '../../src/privacy/retention/trimCourse.js';

const DAY = 24 * 3600_000;
const env = (RETENTION_DAYS?: string) => ({ NODE_ENV: 'test', LAUREL_SECRET: 'x'.repeat(32), ...(RETENTION_DAYS === undefined ? {} : { RETENTION_DAYS }) });

describe('the retention days typed on the admin page', () => {
  it('takes a whole number from 90 to 3650, 0 for forever, and empty for the server\'s default', () => {
    expect(parseRetentionDays('')).toEqual({});
    expect(parseRetentionDays(undefined)).toEqual({});
    expect(parseRetentionDays(' 365 ')).toEqual({ days: 365 });
    expect(parseRetentionDays('90')).toEqual({ days: 90 });
    expect(parseRetentionDays('3650')).toEqual({ days: 3650 });
    expect(parseRetentionDays('0')).toEqual({ days: 0 });
  });

  it('refuses anything else, saying what to type', () => {
    for (const typed of ['89', '1', '3651', '-5', '365.5', 'a year', '1e3']) {
      const { days, problem } = parseRetentionDays(typed);
      expect(days).toBeUndefined();
      expect(problem).toEqual({
        code: 'retention.days', params: { value: typed, min: 90, max: 3650 },
        message: `retention: "${typed}" is not a whole number of days from 90 to 3650 (0 keeps personal data forever; leave it empty for the server's default)`,
      });
    }
  });

  it('keeps data longer than the background sync looks back (scheduler.ts, ACTIVE_WITHIN_MS: 60 days)', () => {
    expect(MIN_RETENTION_DAYS * DAY).toBeGreaterThan(ACTIVE_WITHIN_MS);
    expect([MIN_RETENTION_DAYS, MAX_RETENTION_DAYS]).toEqual([90, 3650]);
  });
});

describe('RETENTION_DAYS', () => {
  it('is a year unless set, and takes the admin page\'s bounds and 0', () => {
    expect(loadConfig(env()).retentionDays).toBe(365);
    expect(loadConfig(env('')).retentionDays).toBe(365);
    expect(loadConfig(env('90')).retentionDays).toBe(90);
    expect(loadConfig(env('3650')).retentionDays).toBe(3650);
    expect(loadConfig(env('0')).retentionDays).toBe(0);
  });

  it('stops the start with a line naming the variable and what to give', () => {
    for (const bad of ['89', '3651', 'forever', '-1']) {
      expect(() => loadConfig(env(bad))).toThrow(`RETENTION_DAYS must be a whole number of days from 90 to 3650 (how long a course's personal data is kept after it was last launched), or 0 to keep it forever (got "${bad}")`);
    }
  });
});

describe('which courses are due', () => {
  const now = new Date('2026-12-06T10:00:00Z');
  const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);

  it('takes the platform\'s own days, else the server\'s', () => {
    expect(retentionDaysOf(undefined, 365)).toBe(365);
    expect(retentionDaysOf(120, 365)).toBe(120);
    expect(retentionDaysOf(0, 365)).toBe(0);
  });

  it('is a course not launched for the days, not trimmed since its last launch', () => {
    expect(retentionCutoff(365, now)).toEqual(daysAgo(365));
    expect(isDueForRetention({ lastLaunchAt: daysAgo(366) }, 365, now)).toBe(true);
    expect(isDueForRetention({ lastLaunchAt: daysAgo(364) }, 365, now)).toBe(false);
    // Trimmed since its last launch: nothing new to remove.
    expect(isDueForRetention({ lastLaunchAt: daysAgo(400), personalDataRemovedAt: daysAgo(30) }, 365, now)).toBe(false);
    // Launched again after it was trimmed, then old again: trimmed again.
    expect(isDueForRetention({ lastLaunchAt: daysAgo(100), personalDataRemovedAt: daysAgo(500) }, 90, now)).toBe(true);
  });

  it('is never a course where data is kept forever (0)', () => {
    expect(retentionCutoff(0, now)).toBeUndefined();
    expect(isDueForRetention({ lastLaunchAt: daysAgo(10_000) }, 0, now)).toBe(false);
  });

  it('runs once a day: the day is UTC\'s', () => {
    expect(retentionDay(new Date('2026-12-06T23:59:59Z'))).toBe('2026-12-06');
  });
});

describe('what the audit log says', () => {
  it('says what was removed in counts, from which course, not launched since when', () => {
    const trim = { ...nothingTrimmed(), reasons: 42, learners: 40, standings: 1, jobs: 3, credentials: 1 };
    expect(retentionSummary(trim, 'Chem 101', new Date('2025-11-02T12:00:00Z'))).toBe(
      'Retention: removed the reasons and grades of 42 awards, the names and e-mails of 40 learners, the learner\'s identity in the facts of 1 issued credential, 1 standing snapshot, the input and error of 3 finished jobs from course “Chem 101”, not launched since 2025-11-02',
    );
  });
});
