/**
 * `npm run platform -- <command>`: register an LMS by hand (for Moodle's manual settings or
 * Canvas's developer-key JSON), list platforms, approve them, add deployment ids, connect or
 * disconnect their LMS's own API (issue 8).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../../config/index.js';
import { createLogger } from '../log.js';
import { openDatabase } from '../store/database.js';
import { ensureIndexes } from '../store/indexes.js';
import { setupProvider } from '../lti/provider.js';
import { addPlatformDeployment, listPlatforms, PlatformInputError, registerPlatform, setPlatformActive } from '../lti/platforms.js';
import { connectCanvasApi, connectMoodleWs, disconnectLmsApi, LmsConnectionError, recheckMoodleWs, type ChangedBy } from '../lms/sources/connectLms.js';
import type { Registration } from '../store/issuerProfile.js';
import { CANVAS_CALLBACK_PATH } from '../lms/canvasRest/canvasRedirect.js';
import { CANVAS_CONVERSATIONS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_ITEMS_SCOPE, CANVAS_READ_SCOPES } from '../lms/canvasRest/canvasOAuth.js';
import { MOODLE_WS_FUNCTIONS } from '../lms/moodleWs/moodleWsApi.js';
import { MOODLE_ROLE_CAPABILITIES } from '../lms/moodleWs/moodleCapabilities.js';
import type { InputProblem } from '../inputProblem.js';
import { configureSealing } from '../secrets/sealed.js';
import { grantAdministrator, parseLmsUserId, revokeAdministrator } from '../store/platformAdministrators.js';
import { recordAudit, registrationKey } from '../store/auditLog.js';
import { addConfiguredFrameOrigin, FrameOriginError, removeConfiguredFrameOrigin } from '../store/frameOrigins.js';
import { allRemovals, type PlatformRemoval } from '../store/platformRemoval.js';
import { gatherRemovalFacts, type RemovalTarget } from '../privacy/removal/removePlatform.js';
import { removeUnderLease } from '../privacy/removal/removalInBackground.js';
import { confirmsRemoval, summaryInEnglish } from '../privacy/removal/removalSummary.js';

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
  connect-canvas PLATFORM_ID --base-url URL --api-client-id ID --api-client-secret SECRET [--enforces-scopes]
      Let rules read the whole Canvas grade book: an API developer key (Admin → Developer Keys → + API Key)
      whose Redirect URI is PUBLIC_URL${CANVAS_CALLBACK_PATH}; instructors then click "Connect Canvas" in
      Laurel. With --enforces-scopes the key must allow ${CANVAS_READ_SCOPES.join(', ')}, and
      ${CANVAS_EDIT_SCOPE} for Laurel to leave its "Badge:" columns out of the final grade
      (asked for only from courses with such a column); and its "Allow Include Parameters" on, or else
      ${CANVAS_ITEMS_SCOPE} for Laurel to read module items (Canvas ignores include[]=items otherwise);
      and ${CANVAS_CONVERSATIONS_SCOPE} for Laurel's messages to go as Canvas conversations
      (else they go by e-mail where SMTP_URL is set). A key lacking any of these last three still connects.
      Another key or base URL drops the instructors' grants of the previous one.
  connect-moodle PLATFORM_ID --base-url URL --token TOKEN [--course COURSE_ID]
      Let rules read the whole Moodle grade book: a web-service token of a service allowing
      ${MOODLE_WS_FUNCTIONS.join(', ')},
      for an account whose role allows ${MOODLE_ROLE_CAPABILITIES.join(', ')}
      and mod/<type>:view for each activity type rules name.
      The token is checked first by calling each function on a course (--course, else the course
      Laurel was last opened in on the platform): refused outright, or missing a function, it is
      not saved; missing capabilities, it is saved and each is named (exit code 3).
  check-moodle PLATFORM_ID [--course COURSE_ID]
      Check the stored Moodle token again, after a Moodle administrator changed its role or service.
  grant-admin PLATFORM_ID USER_ID      Make an LMS user (Canvas: their user id, /users/123) a Laurel administrator of the
      platform: the admin page, issuer profile, keys, LMS API. Canvas's own root account admins are already.
  revoke-admin PLATFORM_ID USER_ID     Undo grant-admin.
  add-frame-origin PLATFORM_ID ORIGIN  Let a site frame Laurel's pages for the platform (the school's own domain
      where Canvas shows courses, e.g. https://lms.school.edu: https, no path). Laurel learns such sites from the
      launches it validates; add one by hand when its first launch must already be framed there. The admin page
      lists them and adds or removes them too (Sites allowed to show Laurel).
  remove-frame-origin PLATFORM_ID ORIGIN  Undo add-frame-origin.
  disconnect PLATFORM_ID               Forget the platform's LMS API connection and instructors' Canvas grants.
  remove PLATFORM_ID [--confirm ISSUER_URL]
      Remove the platform from Laurel: its courses, badges, awards, its people's data, its settings and LMS
      connection, and Laurel's registration in it (the LMS can no longer launch Laurel until registered anew).
      The credentials it issued stay verifiable, without names, e-mails or LMS ids. Without --confirm, prints
      what would be lost and kept and deletes nothing; with --confirm and the platform's issuer URL, removes it.
      A removal that was cut (stopped, crashed) is finished by running the same command again, or in the
      background by the next start of Laurel; one started from the admin page finishes in the background.
`;

/** What the command line's changes are audited as. */
const CLI: ChangedBy = { actor: 'cli', actorName: 'npm run platform' };

function fail(message: string): never {
  console.error(`platform: ${message}`);
  process.exit(2);
}

async function run(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') { console.log(USAGE); return; }
  let config;
  try { config = loadConfig(); } catch (err) { if (err instanceof ConfigError) fail(`configuration error: ${err.message}`); throw err; }
  // The LMS API's secrets are sealed as the server seals them.
  configureSealing(config.secret, config.previousSecrets);
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
        const removals = await allRemovals();
        if (removals.length) console.log('\nremoved platforms:');
        for (const r of removals) console.log(removalLine(r));
        break;
      }
      case 'remove': {
        let parsed;
        try { parsed = parseArgs({ args: rest, options: { confirm: { type: 'string' } }, allowPositionals: true }); } catch (err) { fail(`remove: ${(err as Error).message}\n\n${USAGE}`); }
        const [platformId, ...extra] = parsed.positionals;
        if (!platformId || extra.length) fail('remove needs one PLATFORM_ID (see "list")');
        const target = await removalTarget(platformId);
        if (!target) fail(`no platform ${platformId} (see "list")`);
        const facts = await gatherRemovalFacts(target);
        const summary = summaryInEnglish(facts);
        const confirm = parsed.values.confirm;
        if (confirm === undefined) {
          console.log(`Removing platform ${platformId}, ${target.platformName} (${target.issuer}, client ${target.clientId}), would delete for good:`);
          for (const line of summary.lost) console.log(`  - ${line}`);
          console.log('What happens to the credentials it issued:');
          for (const line of summary.kept) console.log(`  ${line}`);
          console.log(`Nothing was deleted. To remove it: npm run platform -- remove ${platformId} --confirm ${target.issuer}`);
          break;
        }
        if (!confirmsRemoval(confirm, { issuer: target.issuer, platformName: '' })) fail(`remove: --confirm "${confirm}" is not platform ${platformId}'s issuer (${target.issuer}); nothing was removed`);
        // Under the lease an instance's background removal holds: never both rewriting the same awards.
        const removal = await removeUnderLease(target, 'cli', undefined, { facts });
        if (!removal) fail(`a Laurel instance is removing platform ${platformId} now: "list" says when it is done; nothing was changed here`);
        console.log(`platform ${platformId} (${target.issuer}, client ${target.clientId}) removed from Laurel: ${removal.deleted.courses ?? 0} course(s) and everything of them deleted, ${removal.kept.credentials ?? 0} issued credential(s) kept verifiable`);
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
      case 'connect-canvas': {
        const { platformId, platform, values } = await lmsArgs(command, rest, { 'base-url': { type: 'string' }, 'api-client-id': { type: 'string' }, 'api-client-secret': { type: 'string' }, 'enforces-scopes': { type: 'boolean' } });
        const change = await connectCanvasApi(platform, { baseUrl: values['base-url'], apiClientId: values['api-client-id'], apiClientSecret: values['api-client-secret'], enforcesScopes: values['enforces-scopes'] === true }, CLI);
        console.log(`platform ${platformId}: ${change.changed ? 'Canvas API connected' : 'Canvas API already connected with this key, nothing changed'}${dropped(change.grantsDropped)}`);
        break;
      }
      case 'connect-moodle': {
        const { platformId, platform, values } = await lmsArgs(command, rest, { 'base-url': { type: 'string' }, token: { type: 'string' }, course: { type: 'string' } }, ['course']);
        const change = await connectMoodleWs(platform, { baseUrl: values['base-url'], token: values.token, courseId: values.course }, CLI);
        const state = change.changed ? 'Moodle web services connected' : 'already connected with it, nothing changed';
        if (change.check) {
          console.log(`platform ${platformId}: ${state}, but the check on course ${change.check.courseId} found what Moodle does not let Laurel read yet; a Moodle administrator fixes it, then run check-moodle:`);
          lacking(change.check.problems);
        } else console.log(`platform ${platformId}: the token allows every function Laurel calls, checked on course ${change.checkedOn}; ${state}${dropped(change.grantsDropped)}`);
        break;
      }
      case 'check-moodle': {
        const { platformId, platform, values } = await lmsArgs(command, rest, { course: { type: 'string' } }, ['course']);
        const check = await recheckMoodleWs(platform, { courseId: values.course });
        if (check.problems.length === 0) console.log(`platform ${platformId}: checked on course ${check.courseId}, every function and capability Laurel needs works`);
        else {
          console.log(`platform ${platformId}: checked on course ${check.courseId}; to fix in Moodle:`);
          lacking(check.problems);
        }
        break;
      }
      case 'add-frame-origin':
      case 'remove-frame-origin': {
        const { platformId, platform, positionals } = await lmsArgs(command, rest, {}, [], 1);
        if (command === 'add-frame-origin') {
          let added: { origin: string; added: boolean };
          try { added = await addConfiguredFrameOrigin(platform.issuer, platform.clientId, positionals[0]); } catch (err) {
            if (err instanceof FrameOriginError) fail(`${command}: ${err.message}`);
            throw err;
          }
          const { origin } = added;
          if (added.added) await recordAudit({ actor: CLI.actor, actorName: CLI.actorName, platform: registrationKey(platform), action: 'platform.frameOriginAdded', detail: origin });
          console.log(`platform ${platformId}: ${origin} may frame Laurel${added.added ? ' (running Laurel instances pick it up within a minute)' : ' (it was already added, nothing changed)'}`);
        } else {
          const removed = await removeConfiguredFrameOrigin(platform.issuer, platform.clientId, positionals[0]);
          if (removed) await recordAudit({ actor: CLI.actor, actorName: CLI.actorName, platform: registrationKey(platform), action: 'platform.frameOriginRemoved', detail: positionals[0] });
          console.log(`platform ${platformId}: ${removed ? `${positionals[0]} removed` : `${positionals[0]} was not configured, nothing changed`}`);
        }
        break;
      }
      case 'grant-admin':
      case 'revoke-admin': {
        const { platformId, platform, positionals } = await lmsArgs(command, rest, {}, [], 1);
        const userId = parseLmsUserId(positionals[0]);
        if (!userId) fail(`${command}: "${positionals[0]}" is not an LMS user id (letters, digits, . _ : @ -)`);
        const grant = command === 'grant-admin';
        const changed = await (grant ? grantAdministrator : revokeAdministrator)(platform, userId, CLI.actor);
        if (changed) await recordAudit({ actor: CLI.actor, actorName: CLI.actorName, platform: registrationKey(platform), action: grant ? 'platform.adminGranted' : 'platform.adminRevoked', detail: `LMS user ${userId}` });
        console.log(`platform ${platformId}: LMS user ${userId} ${changed ? (grant ? 'is now a Laurel administrator' : 'is no longer a Laurel administrator') : (grant ? 'was already a Laurel administrator, nothing changed' : 'was not a granted administrator, nothing changed')}`);
        break;
      }
      case 'disconnect': {
        const { platformId, platform } = await lmsArgs(command, rest, {});
        const change = await disconnectLmsApi(platform, CLI);
        console.log(change.changed ? `platform ${platformId}: LMS API disconnected${dropped(change.grantsDropped)}` : `platform ${platformId} had no LMS API connection, nothing changed`);
        break;
      }
      default:
        fail(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof PlatformInputError) fail(err.message);
    if (err instanceof LmsConnectionError) fail(err.problems.map((p) => p.message).join('\n'));
    throw err;
  } finally {
    await database.close();
  }
}

/** Lists what a Moodle check found, and exits 3 once the database is closed: saved, yet not all is well. */
function lacking(problems: InputProblem[]): void {
  for (const p of problems) console.log(`  - ${p.message}`);
  process.exitCode = 3;
}

/** PLATFORM_ID (as "list" shows it), the platform it names, and the options: every string one is required but the `optional` ones. */
async function lmsArgs(command: string, args: string[], options: NonNullable<ParseArgsConfig['options']>, optional: string[] = [], positionalCount = 0) {
  let parsed;
  try { parsed = parseArgs({ args, options, allowPositionals: true }); } catch (err) { fail(`${command}: ${(err as Error).message}\n\n${USAGE}`); }
  const [platformId, ...extra] = parsed.positionals;
  if (!platformId || extra.length !== positionalCount) fail(positionalCount ? `${command} needs PLATFORM_ID (see "list") and ${command.includes('frame-origin') ? 'ORIGIN' : 'USER_ID'}` : `${command} needs one PLATFORM_ID (see "list")`);
  const values = parsed.values as Record<string, string | undefined> & { 'enforces-scopes'?: boolean };
  const missing = Object.entries(options).filter(([name, o]) => o.type === 'string' && !values[name] && !optional.includes(name)).map(([name]) => `--${name}`);
  if (missing.length) fail(`${command} needs ${missing.join(', ')}\n\n${USAGE}`);
  const found = (await listPlatforms()).find((p) => p.platformId === platformId);
  if (!found) fail(`no platform ${platformId} (see "list")`);
  const platform: Registration = { issuer: found.issuer, clientId: found.clientId };
  return { platformId, platform, values, positionals: extra };
}

/** The platform as "list" shows it, or one whose removal was cut and is to be finished. */
async function removalTarget(platformId: string): Promise<RemovalTarget | undefined> {
  const found = (await listPlatforms()).find((p) => p.platformId === platformId);
  if (found) return { issuer: found.issuer, clientId: found.clientId, platformId, platformName: found.name };
  const cut = (await allRemovals()).find((r) => r.platformId === platformId && r.state === 'removing');
  return cut && { issuer: cut.issuer, clientId: cut.clientId, platformId, platformName: cut.platformName };
}

function removalLine(r: PlatformRemoval): string {
  const by = r.by === 'admin' ? 'a platform administrator (admin page)' : 'the operator (npm run platform)';
  const counts = (c: Record<string, number>) => Object.entries(c).map(([k, n]) => `${k} ${n}`).join(', ');
  return r.state === 'done'
    ? `${r.platformId}  removed  ${r.issuer}  client ${r.clientId}  on ${r.doneAt?.toISOString()} by ${by}; deleted: ${counts(r.deleted)}; kept: ${counts(r.kept)}`
    : `${r.platformId}  REMOVAL UNFINISHED  ${r.issuer}  client ${r.clientId}  started ${r.startedAt.toISOString()} by ${by}: run "npm run platform -- remove ${r.platformId} --confirm ${r.issuer}" to finish it`;
}

const dropped = (n: number) => (n ? `; ${n} instructor grant(s) of the previous Canvas key dropped` : '');

run(process.argv.slice(2)).then(() => process.exit(process.exitCode ?? 0), (err) => { console.error(err); process.exit(1); });
