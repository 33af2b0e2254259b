/**
 * One FerretDB for the whole test run, on a free port in a temporary folder that is removed
 * afterwards. Each test file works in a database of its own (see laurel.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalFerret } from '../../src/store/localFerret.js';

export default async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'laurel-test-db-'));
  const db = await startLocalFerret(dir);
  process.env.LAUREL_TEST_MONGODB_URI = db.uri;
  return async () => {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
