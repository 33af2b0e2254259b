/**
 * One FerretDB for the whole test run, on a free port in a temporary folder that is removed
 * afterwards. Each test file works in a database of its own (see laurel.ts).
 * Also the local CA and certificate for the cross-site HTTPS tests (crossSite.ts): made before
 * the test processes start, so NODE_EXTRA_CA_CERTS reaches them (Node reads it only at start).
 * And the folder where every test process records the shapes of the queries Laurel sends
 * (queryShapes/recorder.ts): when the run ends, a shape no declared index serves fails it.
 * And one Mailpit (mailpit.ts), the SMTP server Laurel's e-mails go to in the tests, read back
 * through its API: its addresses reach the test processes in the environment.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalFerret } from '../../src/store/localFerret.js';
import { checkRun } from './queryShapes/check.js';
import { startMailpit } from './mailpit.js';

export default async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'laurel-test-db-'));
  const db = await startLocalFerret(dir);
  process.env.LAUREL_TEST_MONGODB_URI = db.uri;
  const mailpit = await startMailpit(dir);
  process.env.LAUREL_TEST_MAILPIT_SMTP = mailpit.smtpUrl;
  process.env.LAUREL_TEST_MAILPIT_API = mailpit.apiUrl;
  const tls = join(dir, 'tls');
  execFileSync(resolve(__dirname, '../../scripts/tls/local-ca.sh'), [tls, 'laurel.test', 'lms.test', 'canvas.test', 'sso.canvas.test', 'school.canvas.test', 'badges.school.test', 'unknown.test']);
  process.env.LAUREL_TEST_TLS_DIR = tls;
  process.env.NODE_EXTRA_CA_CERTS = join(tls, 'ca.pem');
  const shapes = join(dir, 'query-shapes');
  mkdirSync(shapes);
  process.env.LAUREL_QUERY_SHAPES_DIR = shapes;
  return async () => {
    delete process.env.NODE_EXTRA_CA_CERTS; // nothing started after this may look for it
    await Promise.all([db.stop(), mailpit.stop()]);
    // The run fails, as a failed test does, rather than throwing: vitest would call a throw a start-up error.
    // LAUREL_QUERY_SHAPES_REPORT=file keeps every shape recorded, to read after the run.
    if (!checkRun(shapes, { keep: process.env.LAUREL_QUERY_SHAPES_REPORT })) process.exitCode = 1;
    rmSync(dir, { recursive: true, force: true });
  };
}
