/**
 * LTI Dynamic Registration end to end against the emulated LMS (open mode): the admin opens
 * Laurel's registration URL from the LMS, Laurel registers, and the platform then launches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { Browser, finishLaunch, registrationFrameUrl, startLaunch } from '../support/lms.js';
import { startEmulator, type Emulator, type Flavour } from '../emulator/index.js';
import { listPlatforms } from '../../src/lti/platforms.js';

let laurel: RunningLaurel;
const emulators: Emulator[] = [];

beforeAll(async () => { laurel = await startLaurel({ REGISTRATION_MODE: 'open' }); });
afterAll(async () => {
  for (const e of emulators) await e.close();
  await laurel?.close();
});

function frameAncestors(res: { headers: Record<string, unknown> }): string | undefined {
  return String(res.headers['content-security-policy']).match(/frame-ancestors ([^;]*)/)?.[1];
}

describe.each(['canvas', 'moodle'] as const)('dynamic registration from %s', (flavour: Flavour) => {
  it('registers Laurel with its messages and scopes, then launches', async () => {
    const emulator = await startEmulator({ flavour });
    emulators.push(emulator);
    const frame = await registrationFrameUrl(emulator, laurel.url + '/lti/register');
    expect(frame.searchParams.get('openid_configuration')).toBeTruthy();
    expect(frame.searchParams.get('registration_token')).toBeTruthy();

    const res = await new Browser().go('get', frame.toString());
    expect(res.status).toBe(200);
    expect(res.text).toContain('Laurel is registered');
    // The LMS frames this page before it is a registered platform (Moodle's dialog, Canvas's
    // nested iframes on the school's host): a frame-ancestors of registered platforms only would
    // have the browser refuse to show it, and the dialog would never close.
    expect(frameAncestors(res)).toBe('*');
    // org.imsglobal.lti.close is posted by Done, not on load: the LMS closes the page on it.
    expect(res.text).toContain('/assets/registration-close.js');
    expect(res.text).toMatch(/<button type="button" id="registration-done">Done<\/button>/);

    // The LMS holds Laurel's registration…
    const tool = emulator.tools.at(-1)!;
    expect(tool.initiateLoginUri).toBe(laurel.url + '/lti/login');
    expect(tool.redirectUris).toEqual([laurel.url + '/lti/launch']);
    expect(tool.jwksUri).toBe(laurel.url + '/lti/keys');
    expect(tool.scopes).toEqual(expect.arrayContaining([
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
      'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/score',
      'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
    ]));
    // Both LMSs are asked for the course's copy history (next term), Canvas also for its own ids.
    expect(tool.customParameters).toEqual({
      context_id_history: '$Context.id.history',
      ...(flavour === 'canvas' ? { canvas_course_id: '$Canvas.course.id', canvas_user_id: '$Canvas.user.id', canvas_user_is_root_admin: '$Canvas.user.isRootAccountAdmin' } : {}),
    });
    // …and Laurel holds the platform, active, with its deployment.
    // Moodle names the deployment in its answer; Canvas does not (it creates one at install), so
    // Laurel learns it from the first launch Canvas signs.
    const registered = async () => (await listPlatforms()).find((p) => p.issuer === emulator.issuer && p.clientId === tool.clientId)!;
    expect(await registered()).toMatchObject({
      active: true, authEndpoint: emulator.endpoints.auth, jwksUri: emulator.endpoints.jwks,
      ...(flavour === 'moodle' ? { deploymentIds: [tool.deploymentId], learnsDeployments: false } : { deploymentIds: [], learnsDeployments: true }),
    });

    const learner = emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const steps = await startLaunch({ emulator, clientId: tool.clientId, deploymentId: tool.deploymentId }, { userId: learner.id });
    const launch = await finishLaunch(steps);
    expect(launch.status).toBe(303);
    expect(launch.headers.location).toMatch(/^\/me\?ltik=/);
    expect((await registered()).deploymentIds).toEqual([tool.deploymentId]);
  });
});

describe('dynamic registration from a newer Canvas, which makes a root-account deployment at once', () => {
  // canvas-lms app/controllers/lti/ims/dynamic_registration_controller.rb: with
  // lti_registrations_next, `create` makes `registration.new_external_tool(root_account, …)` and
  // render_registration answers `deployment_id: deployment&.deployment_id` at the top level, not in
  // the tool-configuration claim; "+ App › By Client ID" later makes another deployment.
  it('records the root deployment from the top-level deployment_id, and still learns the ones installed by client id', async () => {
    const emulator = await startEmulator({ flavour: 'canvas', rootDeploymentAtRegistration: true });
    emulators.push(emulator);
    const res = await new Browser().go('get', (await registrationFrameUrl(emulator, laurel.url + '/lti/register')).toString());
    expect(res.status).toBe(200);
    const tool = emulator.tools.at(-1)!;
    const root = tool.deploymentId;
    const registered = async () => (await listPlatforms()).find((p) => p.issuer === emulator.issuer && p.clientId === tool.clientId)!;
    expect(await registered()).toMatchObject({ deploymentIds: [root], learnsDeployments: true });

    const learner = emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const launch = async () => finishLaunch(await startLaunch({ emulator, clientId: tool.clientId, deploymentId: tool.deploymentId }, { userId: learner.id }));
    expect((await launch()).status).toBe(303);
    const second = emulator.installByClientId(tool.clientId);
    expect(second).not.toBe(root);
    expect((await launch()).status).toBe(303);
    expect((await registered()).deploymentIds.sort()).toEqual([root, second].sort());
  });
});

describe('framing', () => {
  it('lets any site frame the registration page, its errors included, and the login initiation, and no other page', async () => {
    const failed = await request(laurel.url).get('/lti/register').set('Accept', 'text/html');
    expect(failed.status).toBe(400);
    expect(frameAncestors(failed)).toBe('*');
    // The login comes before any validated launch could name the school's host that frames it.
    expect(frameAncestors(await request(laurel.url).get('/lti/login'))).toBe('*');
    for (const path of ['/healthz', '/course', '/me']) {
      expect(frameAncestors(await request(laurel.url).get(path)), path).toMatch(/^'self'/);
    }
  });
});

describe('a registration Laurel cannot complete', () => {
  it('without openid_configuration says how to start one', async () => {
    const res = await request(laurel.url).get('/lti/register').set('Accept', 'text/html');
    expect(res.status).toBe(400);
    expect(res.headers['x-laurel-reason']).toBe('openid_configuration_missing');
  });

  it('with a registration token the LMS did not issue reports the LMS\'s refusal', async () => {
    const emulator = await startEmulator({ flavour: 'moodle' });
    emulators.push(emulator);
    const frame = await registrationFrameUrl(emulator, laurel.url + '/lti/register');
    frame.searchParams.set('registration_token', 'forged');
    const res = await new Browser().go('get', frame.toString());
    expect(res.status).toBe(400);
    expect(res.headers['x-laurel-reason']).toBe('registration_refused');
  });

  it('whose configuration names an issuer other than its own URL is refused', async () => {
    const fake = await import('express').then(({ default: express }) => {
      const app = express();
      app.get('/.well-known/openid-configuration', (_req, res) => { res.json({ issuer: 'https://canvas.instructure.com', authorization_endpoint: 'https://x/a', token_endpoint: 'https://x/t', jwks_uri: 'https://x/j', registration_endpoint: 'https://x/r' }); });
      return new Promise<import('node:http').Server>((ok) => { const s = app.listen(0, '127.0.0.1', () => ok(s)); });
    });
    try {
      const port = (fake.address() as { port: number }).port;
      const res = await request(laurel.url).get('/lti/register').query({ openid_configuration: `http://127.0.0.1:${port}/.well-known/openid-configuration` }).set('Accept', 'text/html');
      expect(res.status).toBe(400);
      expect(res.headers['x-laurel-reason']).toBe('issuer_mismatch');
    } finally {
      fake.close();
    }
  });
});
