/**
 * An administrator registers Laurel from a cloud Canvas, then a teacher and a learner launch it, in
 * a real browser with its CSP enforced and third-party cookies blocked. The emulated Canvas runs
 * on four hosts as Instructure's does (see cloudCanvasFraming.test.ts): the registration wizard on
 * the school's host frames `/api/lti/accounts/:id/dr_iframe` (same host), which frames Laurel's
 * registration page (canvas-lms app/views/lti/ims/dynamic_registration/dr_iframe.html.erb); the
 * openid_configuration URL Laurel is given is on the issuer's host, with the registration token
 * in it (dynamic_registration_controller.rb oidc_configuration_url), and the configuration names
 * the sso host for login, token and keys and the school's host for registration
 * (security_controller.rb openid_configuration). Laurel knew none of these hosts before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Demo } from '../demo/demoCourse.js';
import { demoLearner } from '../demo/demoBadges.js';
import { listPlatforms } from '../../src/lti/platforms.js';
import { launchChromium } from '../support/chromium.js';
import { CANVAS_HOSTS, crossSiteChromiumArgs, keepsThirdPartyCookies, laurelFrameAt, startCrossSiteDemo, type TestTls } from '../support/crossSite.js';

let demo: Demo & { tls: TestTls };
let browser: Browser;

beforeAll(async () => {
  demo = await startCrossSiteDemo('canvas', { cloudCanvas: true });
  browser = await launchChromium(crossSiteChromiumArgs(demo.tls));
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const laurelFrame = (page: Page, path: string): Promise<Frame> => laurelFrameAt(page, demo.laurelUrl, path);

describe('registering Laurel from a cloud Canvas and launching it there', () => {
  let clientId: string;

  it('registers from the school\'s host through Canvas\'s nested frames, closed by Done', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => { if (/frame-ancestors|Refused to frame/i.test(m.text())) refused.push(m.text()); });
    const toolsBefore = demo.emulator.tools.length;

    const wizard = demo.emulator.dynamicRegistrationUrl(`${demo.laurelUrl}/lti/register`);
    expect(new URL(wizard).hostname).toBe(CANVAS_HOSTS.school);
    await page.goto(wizard);
    const frame = await laurelFrame(page, '/lti/register');
    await frame.getByText('Laurel is registered').waitFor({ timeout: 30_000 });
    // Two frames deep: Laurel's page, inside Canvas's dr_iframe, inside the wizard.
    const drIframe = frame.parentFrame()!;
    expect(new URL(drIframe.url()).pathname).toBe('/api/lti/accounts/self/dr_iframe');
    expect(drIframe.parentFrame()).toBe(page.mainFrame());
    const openidConfiguration = new URL(new URL(frame.url()).searchParams.get('openid_configuration')!);
    expect(openidConfiguration.hostname).toBe(CANVAS_HOSTS.issuer);

    await frame.getByRole('button', { name: 'Done' }).click();
    // The dr_iframe forwards the close message; the wizard leaves for its "Registered tools" page.
    await page.waitForURL(/\/emulator\/registered$/, { timeout: 30_000 });
    expect(refused).toEqual([]);
    await context.close();

    expect(demo.emulator.tools.length).toBe(toolsBefore + 1);
    clientId = demo.emulator.tools.at(-1)!.clientId;
    const platform = (await listPlatforms()).find((p) => p.clientId === clientId)!;
    expect(platform.issuer).toBe(demo.emulator.issuer);
    expect(new URL(platform.authEndpoint).hostname).toBe(CANVAS_HOSTS.sso);
  });

  it('the teacher launches the new registration from the course on the school\'s host', async () => {
    const teacher = demo.emulator.course.users.find((u) => u.role === 'Instructor' && u.status === 'Active')!;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.emulator.launchUrl({ userId: teacher.id, clientId, embed: true }));
    const frame = await laurelFrame(page, '/course?');
    expect(await keepsThirdPartyCookies(frame)).toBe(false);
    await expect(frame.locator('h1').textContent()).resolves.toBe(`${demo.emulator.course.title}: badges`);
    await context.close();
  });

  it('and so does a learner', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.emulator.launchUrl({ userId: demoLearner(demo.emulator).id, clientId, embed: true }));
    const frame = await laurelFrame(page, '/me?');
    await expect(frame.locator('header').textContent()).resolves.toContain(demoLearner(demo.emulator).name);
    await context.close();
  });
});
