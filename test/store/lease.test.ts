/**
 * Course leases: one holder at a time, renewable by its holder, taken over once it runs out
 * (a crashed instance never renews).
 */
import { describe, expect, it } from 'vitest';
import { LeaseModel, releaseLease, takeLease } from '../../src/store/lease.js';
import { WriteClaimModel } from '../../src/store/writeClaim.js';
import { sweepExpired } from '../../src/store/sweeper.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();

describe('a lease', () => {
  it('has one holder at a time; the holder renews it', async () => {
    expect(await takeLease('course-a', 60_000, 'instance-1')).toBe(true);
    expect(await takeLease('course-a', 60_000, 'instance-2')).toBe(false);
    expect(await takeLease('course-a', 60_000, 'instance-1')).toBe(true);
    expect(await LeaseModel.countDocuments({ _id: 'course-a' })).toBe(1);
  });

  it('goes to whoever asks once the holder releases it', async () => {
    await releaseLease('course-a', 'instance-1');
    expect(await takeLease('course-a', 60_000, 'instance-2')).toBe(true);
  });

  it('runs out when its holder crashed, and another instance takes it over', async () => {
    const start = new Date('2026-11-23T10:00:00Z');
    expect(await takeLease('course-b', 60_000, 'crashed', start)).toBe(true);
    expect(await takeLease('course-b', 60_000, 'survivor', new Date(start.getTime() + 30_000))).toBe(false);
    expect(await takeLease('course-b', 60_000, 'survivor', new Date(start.getTime() + 61_000))).toBe(true);
  });

  it('is taken by exactly one of many instances asking at the same moment', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => takeLease('course-c', 60_000, `instance-${i}`)));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });
});

describe('a lease that ran out', () => {
  // FerretDB runs a conditional findOneAndUpdate as a read then a write: the takers all read the
  // expired lease, and many wrote themselves in (4 to 12 of 20 won, before leases were claimed).
  it('is taken over by exactly one of twenty instances asking at the same moment', async () => {
    const start = new Date('2026-11-23T10:00:00Z');
    expect(await takeLease('course-d', 60_000, 'crashed', start)).toBe(true);
    const later = new Date(start.getTime() + 61_000);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => takeLease('course-d', 60_000, `taker-${i}`, later)));
    expect(answers.filter(Boolean)).toHaveLength(1);
    const winner = `taker-${answers.indexOf(true)}`;
    // The winner holds it: it renews, and nobody else takes it.
    expect(await takeLease('course-d', 60_000, winner, later)).toBe(true);
    expect(await takeLease('course-d', 60_000, 'crashed', later)).toBe(false);
  });

  it('is either renewed by its holder or taken over, never both', async () => {
    for (let round = 0; round < 5; round++) {
      const start = new Date(Date.UTC(2026, 10, 24, 10, round));
      const name = `course-e${round}`;
      expect(await takeLease(name, 60_000, 'slow', start)).toBe(true);
      const edge = new Date(start.getTime() + 60_001);
      const answers = await Promise.all([
        takeLease(name, 60_000, 'slow', edge),
        ...Array.from({ length: 10 }, (_, i) => takeLease(name, 60_000, `taker-${i}`, edge)),
      ]);
      expect(answers.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
  });
});

describe('the claims that pick one winner', () => {
  it('are swept once they expire, and the lease stays with its holder', async () => {
    const start = new Date('2026-11-25T10:00:00Z');
    expect(await takeLease('course-f', 60_000, 'crashed', start)).toBe(true);
    const later = new Date(start.getTime() + 61_000);
    expect(await takeLease('course-f', 60_000, 'survivor', later)).toBe(true);
    expect(await WriteClaimModel.countDocuments({})).toBeGreaterThan(0);
    await sweepExpired(database.expiries(), new Date('2027-01-01T00:00:00Z'));
    expect(await WriteClaimModel.countDocuments({})).toBe(0);
    expect(await takeLease('course-f', 60_000, 'crashed', later)).toBe(false);
    expect(await takeLease('course-f', 60_000, 'survivor', later)).toBe(true);
    await releaseLease('course-f', 'survivor');
    expect(await LeaseModel.exists({ _id: 'course-f' })).toBeNull();
  });
});
