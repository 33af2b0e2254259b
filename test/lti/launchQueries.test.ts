/**
 * A launch finds what it needs by key (issue 17, "hot paths are key lookups"): from the login
 * initiation to the first page the session token opens, every document Laurel and ltijs read or
 * write is named by its `_id`, never searched for by other fields, so that the launch costs the
 * same however many other platforms, courses, learners and launches the database holds (on
 * MongoDB; FerretDB 1.24 scans even for an `_id`, in SQL, about ten times cheaper than for any
 * other filter, which it applies document by document). MongoDB would need an index for each.
 *
 * The database here holds many other platforms' and courses' records, and the queries are read
 * off the wire (the driver's command monitoring), tied to the request that sent them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLaurel, testDatabaseUri, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { describeCommand, findsById, recordQueries, type QueryLog, type SentCommand } from '../support/queryLog.js';
import { ltijsModels } from '../../src/store/ltijsRecords.js';
import { ltijsEncrypt } from '../../src/secrets/ltijsData.js';
import { CourseModel, courseKeyOf } from '../../src/store/course.js';
import { DeploymentModel } from '../../src/store/deployment.js';
import { PlatformFrameOriginsModel } from '../../src/store/frameOrigins.js';
import { UsedNonceModel } from '../../src/store/usedNonce.js';
import { LaunchStateModel } from '../../src/store/launchState.js';
import type { Flavour } from '../emulator/index.js';

/**
 * What a course page reads of its own course besides the course itself: the course's badges,
 * awards, approvals… Lists, not lookups, each selected by the course's key (and indexed by it
 * for MongoDB: the suite-wide query-shape check). Everything else is found by `_id`.
 */
const LISTS_OF_THE_COURSE = new Set(['badges', 'awards', 'approvals', 'engagements', 'evaluationjobs', 'gradebookscores', 'badgecolumns']);

/** The LMS fetching Laurel's public keys (to check a service token request): the LMS's request, not the person's. */
const NOT_THE_LAUNCH = new Set(['GET /lti/keys']);

const OTHERS = { platforms: 300, people: 3000, courses: 300 };

let laurel: RunningLaurel;
const lms: Partial<Record<Flavour, Connected>> = {};
let log: QueryLog;

/** Other institutions' and courses' records, as Laurel and ltijs store them, around the ones the launches use. */
async function seedOthers(): Promise<void> {
  const secret = laurel.config.secret;
  const platforms = Array.from({ length: OTHERS.platforms }, (_, i) => ({ url: `https://lms-${i}.example.edu`, clientId: `client-${i}`, kid: randomBytes(16).toString('hex') }));
  const m = ltijsModels;
  await m.platform.insertMany(platforms.map((p) => ({
    platformUrl: p.url, clientId: p.clientId, platformName: `LMS ${p.url}`, authEndpoint: `${p.url}/auth`, accesstokenEndpoint: `${p.url}/token`,
    authorizationServer: `${p.url}/token`, kid: p.kid, authConfig: { method: 'JWK_SET', key: `${p.url}/jwks` },
  })));
  await m.platformStatus.insertMany(platforms.map((p) => ({ id: p.kid, active: true })));
  for (const name of ['publickey', 'privatekey'] as const) {
    await m[name].insertMany(platforms.map((p) => ({ kid: p.kid, platformUrl: p.url, clientId: p.clientId, ...ltijsEncrypt(JSON.stringify({ key: 'not a key', kid: p.kid }), secret) })));
  }
  const launches = Array.from({ length: OTHERS.people }, (_, i) => ({ p: platforms[i % platforms.length]!, user: `person-${i}`, context: `course-${i % OTHERS.courses}` }));
  await m.idtoken.insertMany(launches.map(({ p, user }) => ({
    iss: p.url, clientId: p.clientId, deploymentId: '1', user, platformId: p.kid, userInfo: { name: user }, platformInfo: { product_family_code: 'canvas' },
  })));
  await m.contexttoken.insertMany(launches.map(({ p, user, context }) => ({
    contextId: encodeURIComponent(`${p.url}${p.clientId}1${context}_link_${randomBytes(8).toString('hex')}`), user,
    roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], context: { id: context }, resource: { id: 'link' }, messageType: 'LtiResourceLinkRequest', version: '1.3.0',
  })));
  await m.nonce.insertMany(launches.map(() => ({ nonce: randomBytes(16).toString('hex') })));
  await UsedNonceModel.insertMany(launches.map(({ p }) => ({ issuer: p.url, nonce: randomBytes(16).toString('hex'), expiresAt: new Date(Date.now() + 600_000) })));
  await LaunchStateModel.insertMany(launches.slice(0, 500).map(({ p }) => ({ state: randomBytes(16).toString('hex'), nonce: 'n', issuer: p.url, clientId: p.clientId, expiresAt: new Date(Date.now() + 600_000) })));
  await DeploymentModel.insertMany(platforms.map((p) => ({ platformId: p.kid, issuer: p.url, clientId: p.clientId, deploymentId: '1' })));
  await PlatformFrameOriginsModel.insertMany(platforms.map((p) => ({ issuer: p.url, clientId: p.clientId, learned: [{ origin: p.url, seenAt: new Date() }], configured: [] })));
  await CourseModel.insertMany(Array.from({ length: OTHERS.courses }, (_, i) => {
    const p = platforms[i % platforms.length]!;
    return { courseKey: courseKeyOf(p.url, p.clientId, '1', `course-${i}`), issuer: p.url, clientId: p.clientId, deploymentId: '1', contextId: `course-${i}`, lastLaunchAt: new Date() };
  }));
}

beforeAll(async () => {
  laurel = await startLaurel({ MONGODB_URI: `${testDatabaseUri()}?monitorCommands=true` });
  lms.canvas = await connectEmulator(laurel, 'canvas');
  lms.moodle = await connectEmulator(laurel, 'moodle');
  await seedOthers();
  log = recordQueries(laurel.running.server);
}, 300_000);
afterAll(async () => {
  log?.stop();
  await lms.canvas?.emulator.close();
  await lms.moodle?.emulator.close();
  await laurel?.close();
});

function person(flavour: Flavour, role: 'Instructor' | 'Learner') {
  return lms[flavour]!.emulator.course.users.find((u) => u.role === role && u.status === 'Active')!;
}

/** A whole launch (login, the platform's authentication, the launch, the page it lands on), with what it sent to the database. */
async function launch(flavour: Flavour, role: 'Instructor' | 'Learner', o: { cookies?: boolean } = {}): Promise<{ sent: SentCommand[]; landing: string }> {
  log.clear();
  const steps = await startLaunch(lms[flavour]!, { userId: person(flavour, role).id, cookies: o.cookies });
  const res = await finishLaunch(steps);
  expect(res.status).toBe(303);
  const page = await steps.browser.go('get', laurel.url + res.headers.location);
  expect(page.status).toBe(200);
  return { sent: log.sent.filter((c) => !NOT_THE_LAUNCH.has(c.request)), landing: new URL(res.headers.location, laurel.url).pathname };
}

/** The commands that neither find by `_id` nor list the launch's own course (on its first page). */
function notByKey(sent: SentCommand[], flavour: Flavour, landing: string): string[] {
  const c = lms[flavour]!;
  const courseKey = courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
  return sent.filter((s) => {
    if (s.filters.every(findsById)) return false;
    const listOfTheCourse = s.request === `GET ${landing}` && LISTS_OF_THE_COURSE.has(s.collection) && s.filters.every((f) => f.courseKey === courseKey);
    return !listOfTheCourse;
  }).map(describeCommand);
}

describe.each(['canvas', 'moodle'] as const)('a launch from %s', (flavour) => {
  it.each(['Learner', 'Instructor'] as const)('as %s finds every record by key, from the login to the first page', async (role) => {
    // The first launch records the course and the person; the second is every launch after it.
    for (const round of ['first', 'again']) {
      const { sent, landing } = await launch(flavour, role);
      expect(notByKey(sent, flavour, landing), `${round} launch`).toEqual([]);
      const requests = new Set(sent.map((s) => s.request));
      // The whole path was recorded: the login, the launch (ltijs's records among Laurel's) and the page.
      expect([...requests]).toEqual(expect.arrayContaining([expect.stringMatching(/ \/lti\/login$/), 'POST /lti/launch', `GET ${landing}`]));
      const collections = new Set(sent.map((s) => s.collection));
      for (const c of ['platforms', 'platformstatuses', 'nonces', 'idtokens', 'contexttokens', 'launchstates', 'deployments', 'courses']) expect(collections).toContain(c);
    }
  });
});

it('finds every record by key when the launch goes through LTI Platform Storage (no cookie in the frame)', async () => {
  const { sent, landing } = await launch('canvas', 'Learner', { cookies: false });
  expect(sent.filter((s) => s.request === 'POST /lti/launch').length).toBeGreaterThan(0);
  expect(notByKey(sent, 'canvas', landing)).toEqual([]);
});
