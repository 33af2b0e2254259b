/**
 * In a real browser, from the demo's instructor link to the course dashboard: the emulated
 * Canvas shows Laurel in an iframe on another site, so Laurel's cookies there are third-party
 * and the launch must go through LTI Platform Storage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/store/localFerret.js';
import { startDemo, type Demo } from '../../src/devtools/demoCourse.js';
import { testDatabaseUri } from '../support/laurel.js';
import { launchChromium } from '../support/chromium.js';
import { seriousViolations } from '../support/axe.js';

const screenshots = resolve(__dirname, '../../docs/screenshots');
let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  demo = await startDemo({
    flavour: 'canvas',
    env: { NODE_ENV: 'test', PORT: String(port), MONGODB_URI: testDatabaseUri(), LAUREL_SECRET: randomBytes(32).toString('hex') },
    logger: createLogger('silent'),
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

async function laurelFrame(page: Page, path: string): Promise<Frame> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const frame = page.frames().find((f) => f.url().startsWith(demo.laurelUrl + path));
    if (frame) {
      await frame.waitForLoadState('load');
      return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`Laurel's ${path} never loaded; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

describe('the demo in Chromium', () => {
  it('takes the instructor from the LMS link to the course dashboard, with cookies blocked in the iframe', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(demo.instructorUrl);
    const frame = await laurelFrame(page, '/course?');
    const { course } = demo.emulator;
    const instructor = course.users.find((u) => u.role === 'Instructor')!;
    await expect(frame.locator('h1').textContent()).resolves.toBe(`${course.title}: badges`);
    await expect(frame.locator('header').textContent()).resolves.toContain(instructor.name);
    // No state cookie reached Laurel's site: the launch went through Platform Storage.
    const laurelCookies = await context.cookies(demo.laurelUrl);
    expect(laurelCookies.filter((c) => c.name.startsWith('lti_state_'))).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'instructor-dashboard.png') });
    expect(await seriousViolations(frame)).toEqual([]);
    await context.close();
  });

  it('takes a learner to their own page', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 700 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(demo.learnerUrl);
    const frame = await laurelFrame(page, '/me?');
    await expect(frame.locator('h1').textContent()).resolves.toBe(`My badges in ${demo.emulator.course.title}`);
    await expect(frame.locator('.earned').textContent()).resolves.toContain('Quiz 1 Mastery');
    await page.screenshot({ path: join(screenshots, 'learner-page.png') });
    expect(await seriousViolations(frame)).toEqual([]);

    // The badge's public page, as an employer opens it from a shared link.
    const link = await frame.locator('a', { hasText: 'Verification page' }).first().getAttribute('href');
    expect(link).toMatch(/\/verify\//);
    const verification = await context.newPage();
    await verification.setViewportSize({ width: 900, height: 700 });
    await verification.goto(link!);
    await expect(verification.locator('h1').textContent()).resolves.toBe('Quiz 1 Mastery');
    await expect(verification.locator('[role=status]').textContent()).resolves.toMatch(/Valid: the signatures check out/);
    await expect(verification.locator('meta[property="og:title"]').getAttribute('content')).resolves.toContain('Quiz 1 Mastery');
    await verification.screenshot({ path: join(screenshots, 'verification-page.png') });
    expect(await seriousViolations(verification)).toEqual([]);

    // LinkedIn's form, filled in with the badge and its verification page.
    const linkedIn = new URL((await frame.locator('a', { hasText: 'Add to LinkedIn' }).first().getAttribute('href'))!);
    expect(linkedIn.searchParams.get('name')).toBe('Quiz 1 Mastery');
    expect(linkedIn.searchParams.get('organizationName')).toBe('Example University');
    expect(linkedIn.searchParams.get('certUrl')).toBe(link);

    // The learner's name shows on the public page only once they choose it.
    const learner = demo.emulator.course.users.find((u) => demo.learnerUrl.includes(encodeURIComponent(u.id)) || demo.learnerUrl.includes(u.id))!;
    await expect(verification.locator('body').textContent()).resolves.not.toContain(learner.name);
    await frame.locator('input[name=showName]').first().check();
    await Promise.all([frame.waitForURL(/\/me\?/), frame.locator('form button', { hasText: 'Save' }).first().click()]);
    await expect(frame.locator('input[name=showName]').first().isChecked()).resolves.toBe(true);
    await verification.reload();
    await expect(verification.locator('body').textContent()).resolves.toContain(learner.name);
    await context.close();
  });

  it('has an accessibility check that does find problems (an image without text, a field without a label)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.setContent('<!doctype html><html lang="en"><title>t</title><main><img src="data:image/png;base64,iVBORw0KGgo="><input type="text"></main></html>');
    const found = (await seriousViolations(page)).map((v) => v.id);
    expect(found).toEqual(expect.arrayContaining(['image-alt', 'label']));
    await context.close();
  });
});
