/**
 * `npm run platform -- <command>`: register an LMS by hand (for Moodle's manual settings or
 * Canvas's developer-key JSON), list platforms, approve them, add deployment ids.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../config/index.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../store/database.js';
import { ensureIndexes } from '../store/indexes.js';
import { setupProvider } from '../lti/provider.js';
import { addPlatformDeployment, listPlatforms, PlatformInputError, registerPlatform, setPlatformActive } from '../lti/platforms.js';

const USAGE = `Usage: npm run platform -- <command>

  add --issuer URL --client-id ID --auth URL --token URL --jwks URL --deployment ID [--deployment ID…] [--name TEXT] [--inactive]
      Register a platform by hand. Canvas: issuer https://canvas.instructure.com, auth
      https://sso.canvaslms.com/api/lti/authorize_redirect, token https://SCHOOL.instructure.com/login/oauth2/token,
      jwks https://sso.canvaslms.com/api/lti/security/jwks. Moodle: issuer = site URL, auth /mod/lti/auth.php,
      token /mod/lti/token.php, jwks /mod/lti/certs.php.
  list                                 Registered platforms, their deployments and status.
  approve PLATFORM_ID                  Let a platform registered in approval mode launch Laurel.
  deactivate PLATFORM_ID               Stop a platform's launches (its data stays).
  add-deployment PLATFORM_ID DEPLOYMENT_ID
`;

function fail(message: string): never {
  console.error(`platform: ${message}`);
  process.exit(2);
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') { console.log(USAGE); return; }
  let config;
  try { config = loadConfig(); } catch (err) { if (err instanceof ConfigError) fail(`configuration error: ${err.message}`); throw err; }
  const logger = createLogger('warn');
  const database = await openDatabase(config.mongodbUri, config.dataDir, logger);
  try {
    await setupProvider({ secret: config.secret, previousSecrets: config.previousSecrets, mongodbUri: database.uri, publicUrl: config.publicUrl, beforeValidation: () => {} });
    await ensureIndexes({ ttl: !database.ferretdb });
    switch (command) {
      case 'add': {
        const { values } = parseArgs({ args: rest, options: {
          issuer: { type: 'string' }, 'client-id': { type: 'string' }, auth: { type: 'string' }, token: { type: 'string' },
          jwks: { type: 'string' }, deployment: { type: 'string', multiple: true }, name: { type: 'string' }, inactive: { type: 'boolean' },
        } });
        const missing = ['issuer', 'client-id', 'auth', 'token', 'jwks', 'deployment'].filter((k) => !(values as Record<string, unknown>)[k]);
        if (missing.length) fail(`add needs ${missing.map((m) => '--' + m).join(', ')}\n\n${USAGE}`);
        const p = await registerPlatform({
          issuer: values.issuer!, clientId: values['client-id']!, authEndpoint: values.auth!, tokenEndpoint: values.token!, jwksUri: values.jwks!,
          deploymentIds: values.deployment!, name: values.name ?? values.issuer!, active: !values.inactive,
        });
        console.log(`registered ${p.issuer} (client id ${p.clientId}) as platform ${p.platformId}, ${p.active ? 'active' : 'waiting for approval'}, deployments: ${p.deploymentIds.join(', ')}`);
        break;
      }
      case 'list': {
        const platforms = await listPlatforms();
        if (platforms.length === 0) console.log('no platforms registered');
        for (const p of platforms) console.log(`${p.platformId}  ${p.active ? 'active ' : 'pending'}  ${p.issuer}  client ${p.clientId}  deployments ${p.deploymentIds.join(',') || '(none)'}${p.learnsDeployments ? ' (+ learnt from launches)' : ''}  ${p.name}`);
        break;
      }
      case 'approve':
      case 'deactivate': {
        if (!rest[0]) fail(`${command} needs a PLATFORM_ID (see "list")`);
        if (!(await setPlatformActive(rest[0], command === 'approve'))) fail(`no platform ${rest[0]} (see "list")`);
        console.log(`platform ${rest[0]} ${command === 'approve' ? 'approved' : 'deactivated'}`);
        break;
      }
      case 'add-deployment': {
        if (!rest[0] || !rest[1]) fail('add-deployment needs PLATFORM_ID DEPLOYMENT_ID');
        if (!(await addPlatformDeployment(rest[0], rest[1]))) fail(`no platform ${rest[0]} (see "list")`);
        console.log(`deployment ${rest[1]} added to platform ${rest[0]}`);
        break;
      }
      default:
        fail(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof PlatformInputError) fail(err.message);
    throw err;
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
