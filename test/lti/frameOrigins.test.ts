/**
 * Who may frame Laurel: cloud Canvas shows Laurel from the school's host or the school's own
 * domain, never from its issuer or login host, and names that host in what it signs
 * (canvas-lms lib/lti/messages/jwt_message.rb: launch_presentation.return_url;
 * deep_linking_request.rb: deep_link_return_url, both built from the browsed host). Laurel
 * learns those origins from validated launches only, keeps them per platform, bounded, and an
 * administrator may add more; an unknown site never frames Laurel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { decodeJwt } from 'jose';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { dataAttributes } from '../support/html.js';
import { startEmulator } from '../emulator/index.js';
import { installInEmulator } from '../demo/installInEmulator.js';
import {
  addConfiguredFrameOrigin, FrameOriginError, learnFrameOrigins, MAX_LEARNED_FRAME_ORIGINS, PlatformFrameOriginsModel,
} from '../../src/store/frameOrigins.js';
import { launchOrigins } from '../../src/lti/launchOrigins.js';

let laurel: RunningLaurel;
let canvas: Connected;

beforeAll(async () => {
  laurel = await startLaurel();
  canvas = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => {
  await canvas?.emulator.close();
  await laurel?.close();
});

function directive(name: string, res: { headers: Record<string, unknown> }): string[] {
  return (String(res.headers['content-security-policy']).match(new RegExp(`${name} ([^;]*)`))?.[1] ?? '').trim().split(/\s+/);
}
const frameAncestors = (res: { headers: Record<string, unknown> }) => directive('frame-ancestors', res);

const learner = () => canvas.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
const SCHOOL = 'https://school.canvas.test';
const VANITY = 'https://badges.school.test';
const UNKNOWN = 'https://unknown.example';

describe('frame-ancestors learned from validated launches', () => {
  it('lets the school\'s host frame the first launch\'s own answer and the pages after it', async () => {
    canvas.emulator.showCourseFrom(SCHOOL);
    const steps = await startLaunch(canvas, { userId: learner().id });
    expect(launchOrigins(decodeJwt(steps.idToken))).toContain(SCHOOL);
    // Before the launch, the school's host is no platform origin: Canvas's course page could not show Laurel.
    expect(frameAncestors(await request(laurel.url).get('/course'))).not.toContain(SCHOOL);

    const launch = await finishLaunch(steps);
    expect(launch.status).toBe(303);
    expect(frameAncestors(launch)).toContain(SCHOOL); // the launch's own answer, before any reload
    const page = await steps.browser.redirects(launch);
    expect(page.status).toBe(200);
    expect(frameAncestors(page)).toContain(SCHOOL);
    expect(frameAncestors(page)).toContain(canvas.emulator.url); // the issuer still frames too
    expect(frameAncestors(page)).not.toContain(UNKNOWN);
  });

  it('keeps what it learned per platform, so another Laurel instance (a reload) agrees', async () => {
    const doc = await PlatformFrameOriginsModel.findOne({ issuer: canvas.emulator.issuer, clientId: canvas.clientId }).lean();
    expect(doc?.learned.map((l) => l.origin)).toContain(SCHOOL);
    await laurel.running.laurel.platformOrigins.refresh();
    expect(laurel.running.laurel.platformOrigins.frameAncestors()).toContain(SCHOOL);
  });

  it('lets a deep-linking page post its answer back to the school\'s host (deep_link_return_url)', async () => {
    canvas.emulator.showCourseFrom(SCHOOL);
    const staff = canvas.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const steps = await startLaunch(canvas, { userId: staff.id, message: 'LtiDeepLinkingRequest' });
    const launch = await finishLaunch(steps);
    expect(directive('form-action', launch)).toContain(SCHOOL);
    const page = await steps.browser.redirects(launch);
    expect(directive('form-action', page)).toContain(SCHOOL);
    expect(directive('form-action', page)).not.toContain(UNKNOWN);
  });

  it('learns the school\'s own domain when Canvas shows the course from it', async () => {
    canvas.emulator.showCourseFrom(VANITY);
    const steps = await startLaunch(canvas, { userId: learner().id });
    const launch = await finishLaunch(steps);
    expect(launch.status).toBe(303);
    expect(frameAncestors(launch)).toEqual(expect.arrayContaining([SCHOOL, VANITY]));
    canvas.emulator.showCourseFrom(undefined);
  });

  it('learns nothing from a launch it refused', async () => {
    const steps = await startLaunch(canvas, { userId: learner().id });
    const claims = decodeJwt(steps.idToken);
    const forged = await canvas.emulator.signIdToken(
      { ...claims, 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation': { return_url: `${UNKNOWN}/courses/1` } },
      { alg: 'none' },
    );
    const res = await finishLaunch(steps, { id_token: forged, state: steps.state });
    expect(res.status).toBe(401);
    // The refusal itself shows in whatever page framed it (it holds no data)…
    expect(frameAncestors(res)).toEqual(['*']);
    // …but the claims of a token Laurel refused teach it nothing.
    await laurel.running.laurel.platformOrigins.refresh();
    expect(laurel.running.laurel.platformOrigins.frameAncestors()).not.toContain(UNKNOWN);
    expect(frameAncestors(await request(laurel.url).get('/course'))).not.toContain(UNKNOWN);
  });

  it('keeps the most recently seen origins of a platform, no more than its bound', async () => {
    const issuer = 'https://bounded.canvas.test';
    for (let i = 0; i < MAX_LEARNED_FRAME_ORIGINS + 5; i++) {
      await learnFrameOrigins(issuer, 'c1', [`https://school${i}.canvas.test`], new Date(Date.UTC(2026, 0, 1, 0, i)));
    }
    const doc = await PlatformFrameOriginsModel.findOne({ issuer, clientId: 'c1' }).lean();
    expect(doc?.learned).toHaveLength(MAX_LEARNED_FRAME_ORIGINS);
    expect(doc?.learned.map((l) => l.origin)).toContain(`https://school${MAX_LEARNED_FRAME_ORIGINS + 4}.canvas.test`);
    expect(doc?.learned.map((l) => l.origin)).not.toContain('https://school0.canvas.test');
  });

  it('remembers when a site was first named as well as last, for the admin page', async () => {
    const issuer = 'https://dated.canvas.test';
    await learnFrameOrigins(issuer, 'c1', [SCHOOL], new Date('2026-01-05T10:00:00Z'));
    await learnFrameOrigins(issuer, 'c1', [SCHOOL, VANITY], new Date('2026-02-01T10:00:00Z'));
    const doc = await PlatformFrameOriginsModel.findOne({ issuer, clientId: 'c1' }).lean();
    expect(doc?.learned.map((l) => [l.origin, l.firstSeenAt?.toISOString(), l.seenAt.toISOString()])).toEqual([
      [SCHOOL, '2026-01-05T10:00:00.000Z', '2026-02-01T10:00:00.000Z'],
      [VANITY, '2026-02-01T10:00:00.000Z', '2026-02-01T10:00:00.000Z'],
    ]);
  });

  it('reads only http(s) origins from a launch\'s URLs', () => {
    expect(launchOrigins({
      'https://purl.imsglobal.org/spec/lti/claim/launch_presentation': { return_url: 'javascript:alert(1)' },
      'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice': { context_memberships_url: 'https://school.canvas.test/api/lti/courses/1/names_and_roles' },
      'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint': { lineitems: 42 },
    })).toEqual(['https://school.canvas.test']);
  });
});

describe('frame origins an administrator configures', () => {
  it('frames Laurel from a configured origin after a reload, and refuses anything but a bare https origin', async () => {
    await expect(addConfiguredFrameOrigin(canvas.emulator.issuer, canvas.clientId, 'https://portal.school.test/lms')).rejects.toThrow(FrameOriginError);
    await expect(addConfiguredFrameOrigin(canvas.emulator.issuer, canvas.clientId, 'ftp://portal.school.test')).rejects.toThrow(FrameOriginError);
    await expect(addConfiguredFrameOrigin(canvas.emulator.issuer, canvas.clientId, 'http://portal.school.test')).rejects.toThrow(FrameOriginError);
    expect(await addConfiguredFrameOrigin(canvas.emulator.issuer, canvas.clientId, 'https://portal.school.test/')).toEqual({ origin: 'https://portal.school.test', added: true });
    expect(await addConfiguredFrameOrigin(canvas.emulator.issuer, canvas.clientId, 'https://Portal.School.test')).toEqual({ origin: 'https://portal.school.test', added: false });
    await laurel.running.laurel.platformOrigins.refresh();
    expect(frameAncestors(await request(laurel.url).get('/course'))).toContain('https://portal.school.test');
  });

  it('still lets any site frame the registration page', async () => {
    expect(frameAncestors(await request(laurel.url).get('/lti/register').set('Accept', 'text/html'))).toEqual(['*']);
  });
});

describe('Platform Storage in the page around Laurel (lti_storage_target=_parent)', () => {
  it('tells the storage page the sites this platform shows Laurel from, and only its own, at login and at launch', async () => {
    // A Canvas with its storage frame off, registered beside the one above.
    const emulator = await startEmulator({ flavour: 'canvas', storageTarget: '_parent' });
    try {
      const c: Connected = { emulator, ...(await installInEmulator(emulator, laurel.url)) };
      await laurel.running.laurel.platformOrigins.refresh();
      const PARENT_SCHOOL = 'https://parent.school.test';
      emulator.showCourseFrom(PARENT_SCHOOL);
      const user = emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
      expect((await finishLaunch(await startLaunch(c, { userId: user.id }))).status).toBe(303); // learns PARENT_SCHOOL
      await addConfiguredFrameOrigin(emulator.issuer, c.clientId, 'https://portal.parent.test');
      await laurel.running.laurel.platformOrigins.refresh();

      const own = [new URL(emulator.url).origin, PARENT_SCHOOL, 'https://portal.parent.test'].sort();
      const steps = await startLaunch(c, { userId: user.id, cookies: false });
      const login = dataAttributes(steps.login.text, 'platform-storage');
      expect(login.target).toBe('_parent');
      expect(login.origins.split(' ').sort()).toEqual(own);
      // Not the other platform's sites, though both are Canvas: its school's host answers nothing here.
      expect(login.origins.split(' ')).not.toContain(SCHOOL);
      expect(login.origins.split(' ')).not.toContain(new URL(canvas.emulator.url).origin);

      const launch = await steps.browser.go('post', steps.launchUrl, { id_token: steps.idToken, state: steps.state });
      expect(launch.status).toBe(200);
      expect(dataAttributes(launch.text, 'platform-storage')).toMatchObject({ mode: 'get', target: '_parent', origins: login.origins });
    } finally {
      emulator.showCourseFrom(undefined);
      await emulator.close();
    }
  });
});

describe('npm run platform -- add-frame-origin', () => {
  it('adds an origin the platform may frame Laurel from, and refuses a URL with a path', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { resolve } = await import('node:path');
    const { listPlatforms } = await import('../../src/lti/platforms.js');
    const cli = resolve(__dirname, '../../dist/src/cli/platform.js');
    const cliRun = (...args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH!, MONGODB_URI: laurel.config.mongodbUri!, LAUREL_SECRET: laurel.config.secret, NODE_ENV: 'test' } });
    const platformId = (await listPlatforms()).find((p) => p.clientId === canvas.clientId)!.platformId;

    await expect(cliRun('add-frame-origin', platformId, 'https://lms.school.test/courses')).rejects.toMatchObject({ stderr: expect.stringContaining('give the scheme and host only') });
    await expect(cliRun('add-frame-origin', platformId, 'http://lms.school.test')).rejects.toMatchObject({ stderr: expect.stringContaining('give it as https://lms.school.test') });
    expect((await cliRun('add-frame-origin', platformId, 'https://lms.school.test')).stdout).toContain(`platform ${platformId}: https://lms.school.test may frame Laurel`);
    expect((await cliRun('add-frame-origin', platformId, 'https://lms.school.test')).stdout).toContain('it was already added, nothing changed');
    await laurel.running.laurel.platformOrigins.refresh();
    expect(frameAncestors(await request(laurel.url).get('/course'))).toContain('https://lms.school.test');

    expect((await cliRun('remove-frame-origin', platformId, 'https://lms.school.test')).stdout).toContain('https://lms.school.test removed');
    await laurel.running.laurel.platformOrigins.refresh();
    expect(frameAncestors(await request(laurel.url).get('/course'))).not.toContain('https://lms.school.test');
  });
});
