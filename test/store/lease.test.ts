/**
 * Course leases: one holder at a time, renewable by its holder, taken over once it runs out
 * (a crashed instance never renews).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { connectDatabase } from '../../src/store/connect.js';
import { ensureIndexes } from '../../src/store/indexes.js';
import { LeaseModel, releaseLease, takeLease } from '../../src/store/lease.js';
import { testDatabaseUri } from '../support/database.js';

beforeAll(async () => {
  await connectDatabase(testDatabaseUri());
  await ensureIndexes({ ttl: false });
});
afterAll(async () => {
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
});

describe('a lease', () => {
  it('has one holder at a time; the holder renews it', async () => {
    expect(await takeLease('course-a', 60_000, 'instance-1')).toBe(true);
    expect(await takeLease('course-a', 60_000, 'instance-2')).toBe(false);
    expect(await takeLease('course-a', 60_000, 'instance-1')).toBe(true);
    expect(await LeaseModel.countDocuments({ name: 'course-a' })).toBe(1);
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
