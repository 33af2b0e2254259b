import { randomBytes } from 'node:crypto';

/** A database of its own on the test run's FerretDB (see globalSetup.ts). */
export function testDatabaseUri(): string {
  const base = process.env.LAUREL_TEST_MONGODB_URI;
  if (!base) throw new Error('LAUREL_TEST_MONGODB_URI is not set: run the tests with vitest (test/support/globalSetup.ts)');
  return base.replace(/\/[^/]*$/, `/t${randomBytes(6).toString('hex')}`);
}
