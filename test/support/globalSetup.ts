/**
 * One FerretDB for the whole test run, on a free port in a temporary folder that is removed
 * afterwards. Each test file works in a database of its own (see laurel.ts).
 * Also the local CA and certificate for the cross-site HTTPS tests (crossSite.ts): made before
 * the test processes start, so NODE_EXTRA_CA_CERTS reaches them (Node reads it only at start).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalFerret } from '../../src/store/localFerret.js';

export default async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'laurel-test-db-'));
  const db = await startLocalFerret(dir);
  process.env.LAUREL_TEST_MONGODB_URI = db.uri;
  const tls = join(dir, 'tls');
  execFileSync(resolve(__dirname, '../../scripts/tls/local-ca.sh'), [tls, 'laurel.test', 'lms.test', 'canvas.test', 'sso.canvas.test', 'school.canvas.test', 'badges.school.test', 'unknown.test']);
  process.env.LAUREL_TEST_TLS_DIR = tls;
  process.env.NODE_EXTRA_CA_CERTS = join(tls, 'ca.pem');
  return async () => {
    delete process.env.NODE_EXTRA_CA_CERTS; // nothing started after this may look for it
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
