import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll } from 'vitest';
import { connectDatabase } from '../../src/store/connect.js';
import { ensureIndexes, type Expiry } from '../../src/store/indexes.js';

/** A database of its own on the test run's FerretDB (see globalSetup.ts). */
export function testDatabaseUri(): string {
  const base = process.env.LAUREL_TEST_MONGODB_URI;
  if (!base) throw new Error('LAUREL_TEST_MONGODB_URI is not set: run the tests with vitest (test/support/globalSetup.ts)');
  return base.replace(/\/[^/]*$/, `/t${randomBytes(6).toString('hex')}`);
}

/**
 * For a test file that uses Laurel's models without starting Laurel: connects mongoose to a
 * database of its own with every index (TTL ones as plain indexes, as on FerretDB), and drops
 * it after the file. Returns the expiries the sweeper would enforce.
 */
export function useTestDatabase(): { expiries: () => Expiry[] } {
  let expiries: Expiry[] = [];
  beforeAll(async () => {
    await connectDatabase(testDatabaseUri());
    expiries = await ensureIndexes({ ttl: false });
  });
  afterAll(async () => {
    await mongoose.connection.db?.dropDatabase();
    await mongoose.disconnect();
  });
  return { expiries: () => expiries };
}
