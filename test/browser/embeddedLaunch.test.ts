/**
 * Laurel inside the LMS's iframe in a real browser, as production runs it: Laurel and the LMS on
 * two sites over HTTPS, the browser blocking third-party cookies, the page's CSP enforced.
 * The emulated Moodle has no LTI Platform Storage, so the launch rests on Laurel's partitioned
 * state cookie; a browser that keeps no cookie at all in the frame is offered a new window.
 * The registration page is framed by an LMS that Laurel does not know yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Demo } from '../demo/demoCourse.js';
import { demoLearner } from '../demo/demoBadges.js';
import { launchChromium } from '../support/chromium.js';
import { crossSiteChromiumArgs, keepsThirdPartyCookies, laurelFrameAt, startCrossSiteDemo, type TestTls } from '../support/crossSite.js';

let demo: Demo & { tls: TestTls };
let browser: Browser;

beforeAll(async () => {
  demo = await startCrossSiteDemo('moodle');
  browser = await launchChromium(crossSiteChromiumArgs(demo.tls));
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const laurelFrame = (page: Page, path: string): Promise<Frame> => laurelFrameAt(page, demo.laurelUrl, path);

describe('a learner opens Laurel inside the emulated Moodle (no Platform Storage)', () => {
  it('lands on their page: the partitioned state cookie survives the blocked third-party cookies', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.learnerUrl);
    const frame = await laurelFrame(page, '/me?');
    expect(await keepsThirdPartyCookies(frame)).toBe(false);
    await expect(frame.locator('header').textContent()).resolves.toContain(demoLearner(demo.emulator).name);
    await context.close();
  });

  it('in a browser that keeps no cookie in the frame at all, is offered a new window, where Laurel opens signed in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // As Safari without partitioned cookies: whatever Laurel sets inside the LMS's page is dropped.
    // (Playwright fetches routed requests from its own process, which does not resolve laurel.test:
    // it asks Laurel's own port, as the TLS front does.)
    const laurelPort = (demo.running.server.address() as AddressInfo).port;
    await page.route(`${demo.laurelUrl}/lti/**`, async (route) => {
      const asked = new URL(route.request().url());
      const answer = await route.fetch({
        url: `http://127.0.0.1:${laurelPort}${asked.pathname}${asked.search}`, maxRedirects: 0,
        headers: { ...route.request().headers(), host: asked.host, 'x-forwarded-proto': 'https' },
      });
      const headers = Object.fromEntries(Object.entries(answer.headers()).filter(([name]) => name.toLowerCase() !== 'set-cookie'));
      await route.fulfill({ response: answer, headers });
    });
    await page.goto(demo.learnerUrl);
    const frame = await laurelFrame(page, '/lti/login/check');
    await expect(frame.locator('h1').textContent()).resolves.toBe('Laurel opens in a window of its own');
    const [popup] = await Promise.all([page.waitForEvent('popup'), frame.getByRole('button', { name: 'Open Laurel in a new window' }).click()]);
    await popup.waitForURL(new RegExp(`^${demo.laurelUrl.replace(/[.]/g, '\\.')}/me\\?`), { timeout: 30_000 });
    await expect(popup.locator('header').textContent()).resolves.toContain(demoLearner(demo.emulator).name);
    await context.close();
  });
});

describe('registering Laurel from an LMS it does not know yet', () => {
  it('shows the registration page in the LMS\'s frame, which stays until the administrator selects Done, then the LMS closes it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => { if (/frame-ancestors|Refused to frame/i.test(m.text())) refused.push(m.text()); });
    await page.goto(demo.emulator.dynamicRegistrationUrl(`${demo.laurelUrl}/lti/register`));
    // The outcome stays on screen (in approval mode, that a Laurel administrator must approve):
    // the LMS closes the page as soon as it hears org.imsglobal.lti.close, so only Done sends it.
    const frame = await laurelFrame(page, '/lti/register');
    await frame.getByText('Laurel is registered').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    expect(page.url()).not.toMatch(/\/emulator\/registered$/);
    await frame.getByRole('button', { name: 'Done' }).click();
    // The emulated LMS leaves for its "Registered tools" page on org.imsglobal.lti.close.
    await page.waitForURL(/\/emulator\/registered$/, { timeout: 30_000 });
    expect(refused).toEqual([]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Registered tools');
    await context.close();
  });
});
