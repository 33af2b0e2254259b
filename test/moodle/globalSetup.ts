/**
 * The shared test setup (one FerretDB), keeping the CA that e2e.sh gave Node for Moodle's and
 * Laurel's certificates: the shared setup points NODE_EXTRA_CA_CERTS at the CA of its own
 * cross-site tests, which did not sign moodle.test.
 */
import setup from '../support/globalSetup.js';

export default async function moodleSetup() {
  const ours = process.env.NODE_EXTRA_CA_CERTS;
  const teardown = await setup();
  if (ours) process.env.NODE_EXTRA_CA_CERTS = ours;
  return teardown;
}
