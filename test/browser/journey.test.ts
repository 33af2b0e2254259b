/**
 * The whole journey in Chromium, inside the emulated Canvas's iframe: an instructor creates a
 * badge with two rules, previews who qualifies, uploads an image (an SVG with a script, which
 * is cleaned), evaluates and awards by hand; the learner sees it beside the grades that earned
 * it, downloads it and shares it; a revocation shows on the public page. The LMS is on another
 * site, so the launch goes through LTI Platform Storage. axe-core checks every page on the way,
 * and every page is checked again at 320 px wide. Screenshots for the README.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Locator, Page } from 'playwright-core';
import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Demo } from '../demo/demoCourse.js';
import { demoLearner } from '../demo/demoBadges.js';
import { unbakePng } from '../../src/credentials/baking/png.js';
import { crossSiteChromiumArgs, keepsThirdPartyCookies, startCrossSiteDemo, type TestTls } from '../support/crossSite.js';
import { launchChromium } from '../support/chromium.js';
import { seriousViolations } from '../support/axe.js';
import { overflowAt } from '../support/overflow.js';
import { scanQr } from '../support/qr.js';
import { ed25519DidKey, LDP, receive } from '../support/oid4vciWallet.js';
import { mintDid, receiveThroughCredentialRequest } from '../support/learnerCredentialWallet.js';

const screenshots = resolve(__dirname, '../../docs/screenshots');
let demo: Demo & { tls: TestTls };
let browser: Browser;
/** Every Laurel page the journey visited (URLs with their session token), for the 320 px pass. */
const visited = new Map<string, string>();

beforeAll(async () => {
  demo = await startCrossSiteDemo('canvas');
  browser = await launchChromium(crossSiteChromiumArgs(demo.tls));
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/**
 * A frame whose document is at `path` although Playwright still reports an earlier URL for it: seen
 * now and then after the launch's cross-site form posts (Laurel had served the page, and the
 * browser had asked for its images), so the frame is asked where it is.
 */
async function framePlaywrightMissed(page: Page, path: string): Promise<Frame | undefined> {
  for (const f of page.frames()) {
    const href = await f.evaluate(() => location.href).catch(() => '');
    if (href.startsWith(demo.laurelUrl + path)) return f;
  }
  return undefined;
}

/** Laurel's frame inside the LMS page, once its page at `path` has loaded. */
async function laurelFrame(page: Page, path: string): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const frame = page.frames().find((f) => f.url().startsWith(demo.laurelUrl + path)) ?? await framePlaywrightMissed(page, path);
    if (frame) {
      await frame.waitForLoadState('load');
      return frame;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`Laurel's ${path} never loaded; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}

/** Checks the page now shown in the frame with axe, and remembers it for the narrow-screen pass. */
async function checked(frame: Frame, name: string): Promise<void> {
  expect(await seriousViolations(frame), `${name}: ${frame.url()}`).toEqual([]);
  visited.set(name, frame.url());
}

/** Clicks and waits for the frame's next page to load (its URL may be the one it had: a form that posts back). */
async function click(frame: Frame, target: string | Locator, urlPattern: RegExp): Promise<void> {
  const locator = typeof target === 'string' ? frame.locator(target).first() : target;
  const navigated = frame.page().waitForEvent('framenavigated', { predicate: (f) => f === frame, timeout: 30_000 });
  await locator.click();
  await navigated;
  await frame.waitForLoadState('load');
  expect(frame.url()).toMatch(urlPattern);
}

/** The demo's instructor as an administrator of the whole LMS, on Laurel's admin page in the LMS's frame. */
async function asAdministrator(context: BrowserContext, act: (adminFrame: Frame, adminPage: Page) => Promise<void>): Promise<void> {
  const instructor = demo.emulator.course.users.find((u) => u.role === 'Instructor')!;
  instructor.siteAdmin = true;
  try {
    const adminPage = await context.newPage();
    await adminPage.goto(demo.instructorUrl);
    const adminFrame = await laurelFrame(adminPage, '/course?');
    await click(adminFrame, 'a:has-text("Administration")', /\/admin\?/);
    await act(adminFrame, adminPage);
    await adminPage.close();
  } finally {
    instructor.siteAdmin = false;
  }
}

async function untilJobDone(frame: Frame): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = (await frame.locator('[role=status]').textContent()) ?? '';
    if (!/Status: (queued|running)/.test(status) || Date.now() > deadline) return status;
    await frame.waitForTimeout(500);
    await frame.waitForLoadState('load');
  }
}

const hostileSvg = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" onload="alert(1)">'
  + '<script>document.title="pwned"</script><foreignObject width="100" height="100"><div xmlns="http://www.w3.org/1999/xhtml">html</div></foreignObject>'
  + '<circle cx="200" cy="200" r="190" fill="#1a5fb4"/><text x="200" y="215" font-size="48" text-anchor="middle" fill="#fff">CF</text></svg>';


describe('a badge from the editor to the employer', () => {
  let context: BrowserContext;
  let shareLink: string;
  const badgeName = 'Chemistry Foundations';

  beforeAll(async () => {
    context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true, acceptDownloads: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  });
  afterAll(async () => { await context?.close(); });

  it('the instructor creates a badge with two rules and previews who qualifies before saving', async () => {
    const page = await context.newPage();
    await page.goto(demo.instructorUrl);
    const frame = await laurelFrame(page, '/course?');
    const { course } = demo.emulator;
    await expect(frame.locator('h1').textContent()).resolves.toBe(`${course.title}: badges`);
    await expect(frame.locator('header').textContent()).resolves.toContain(course.users.find((u) => u.role === 'Instructor')!.name);
    // The LMS runs on another site over HTTPS, and the browser blocks third-party cookies, as
    // production browsers do: Laurel's iframe keeps no ordinary cookie, and the launch still worked.
    expect(demo.laurelUrl).toMatch(/^https:\/\/laurel\.test:/);
    expect(demo.emulator.url).toMatch(/^https:\/\/lms\.test:/);
    expect(await keepsThirdPartyCookies(frame)).toBe(false);
    await checked(frame, 'dashboard');
    await click(frame, 'a:has-text("New badge")', /\/course\/badges\/new/);
    await checked(frame, 'editor');
    await frame.getByLabel('Name', { exact: true }).fill(badgeName);
    await frame.getByLabel('Description').fill('Sound results on both quizzes of the first half.');
    await frame.locator('#kind_0').selectOption('minGrade');
    await frame.locator('#item_0').selectOption({ label: 'Quiz 1 (out of 10)' });
    await frame.locator('#value_0').fill('60');
    await frame.locator('#kind_1').selectOption('minGrade');
    await frame.locator('#item_1').selectOption({ label: 'Quiz 2 (out of 10)' });
    await frame.locator('#value_1').fill('50');
    // The preview follows the conditions as they change, before any button is pressed.
    await frame.waitForFunction(() => /Preview: \d+ of \d+ learners would qualify/.test(document.getElementById('live-preview-status')?.textContent ?? ''), undefined, { timeout: 15_000 });
    await expect(frame.locator('.preview-result').textContent()).resolves.toMatch(/Quiz 2: [\d.]+ % of the 50 % needed|Quiz 2: not graded yet/);
    await frame.locator('#alignName_0').fill('Stoichiometry');
    await frame.locator('#alignUrl_0').fill('https://example.edu/competencies/stoichiometry');
    await click(frame, 'button:has-text("Preview who qualifies")', /\/course\/badges\/preview/);
    const heading = await frame.locator('#preview-heading').textContent();
    expect(heading).toMatch(/Preview: \d+ of \d+ learners would qualify/);
    await expect(frame.locator('.preview-result').textContent()).resolves.toMatch(/Quiz 2: [\d.]+ % of the 50 % needed|Quiz 2: not graded yet/);
    await checked(frame, 'editor-preview');
    await page.screenshot({ path: join(screenshots, 'badge-editor-preview.png'), fullPage: true });
    // What was typed is still there: save it.
    await expect(frame.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(badgeName);
    await click(frame, 'button:has-text("Save badge")', /\/course\?/);
    await expect(frame.locator('table.badges').textContent()).resolves.toContain(badgeName);

    // The image: an SVG with a script is cleaned on upload.
    await click(frame, frame.getByRole('link', { name: `Edit ${badgeName}` }), /\/course\/badges\/[^/?]+\?/);
    await frame.locator('#image').setInputFiles({ name: 'badge.svg', mimeType: 'image/svg+xml', buffer: Buffer.from(hostileSvg) });
    await click(frame, 'button:has-text("Upload image")', /\/course\/badges\/[^/?]+\?/);
    const imageSrc = await frame.locator('#image-heading + img').getAttribute('src');
    const stored = await frame.evaluate(async (src) => (await fetch(src!)).text(), imageSrc);
    expect(stored).toContain('<circle');
    for (const gone of ['<script', 'onload', 'foreignObject']) expect(stored).not.toContain(gone);
    await checked(frame, 'editor-with-image');
    await page.close();
  });

  it('the instructor evaluates the course, then awards by hand after a confirmation that counts', async () => {
    const page = await context.newPage();
    await page.goto(demo.instructorUrl);
    const frame = await laurelFrame(page, '/course?');
    await click(frame, 'button:has-text("Evaluate now and award")', /\/course\/jobs\//);
    await checked(frame, 'job');
    expect(await untilJobDone(frame)).toMatch(/Status: done/);

    await click(frame, 'a:has-text("badges")', /\/course\?/);
    await click(frame, 'a:has-text("Learners and awards by hand")', /\/course\/learners\?/);
    await checked(frame, 'learners');
    const learner = demoLearner(demo.emulator);
    // The demo learner (who may have earned it just now) and one who has not.
    const without = frame.locator('tbody tr', { hasNot: frame.locator(`td:has-text("${badgeName}")`) }).locator('th a').first();
    const other = (await without.textContent())!.trim();
    await frame.locator('#badgeId').selectOption({ label: badgeName });
    await frame.getByLabel(`Select ${learner.name}`).check();
    await frame.getByLabel(`Select ${other}`).check();
    await click(frame, 'button:has-text("Award to the learners ticked")', /\/course\/bulk\/award\/confirm/);
    await expect(frame.locator('h1').textContent()).resolves.toBe(`Award “${badgeName}” to 2 learners?`);
    await expect(frame.locator('main').textContent()).resolves.toMatch(/This affects (1 learner; 1 already holds it|2 learners)/);
    await checked(frame, 'bulk-award-confirmation');
    await click(frame, 'button:has-text("Award the badge")', /\/course\/jobs\//);
    expect(await untilJobDone(frame)).toMatch(/Status: done/);

    await frame.goto(visited.get('learners')!);
    await click(frame, `a:has-text("${learner.name}")`, /\/course\/learners\/[^?]+\?/);
    await expect(frame.locator('body').textContent()).resolves.toContain(`${badgeName}:`);
    await checked(frame, 'learner-drill-down');
    await frame.goto(visited.get('dashboard')!);
    await page.screenshot({ path: join(screenshots, 'instructor-dashboard.png') });
    // The demo connected Canvas's API: the grade book Laurel sees, each column with its source.
    const sources = frame.locator('section[aria-labelledby="columns-heading"]');
    await expect(sources.textContent()).resolves.toMatch(/Canvas grade book \(REST API\)[\s\S]*Participation[\s\S]*Laurel also reads this course through the Canvas connection/);
    await sources.screenshot({ path: join(screenshots, 'grade-sources.png') });
    await click(frame, 'a:has-text("Audit log")', /\/course\/audit\?/);
    await expect(frame.locator('table').textContent()).resolves.toContain('Awarded by hand');
    await checked(frame, 'audit');
    await frame.goto(visited.get('dashboard')!);
    await click(frame, 'a:has-text("Preview who qualifies")', /\/course\/preview\?/);
    await checked(frame, 'preview');
    await page.close();

    // The same instructor as an administrator of the whole LMS: the admin page.
    await asAdministrator(context, async (adminFrame, adminPage) => {
      await expect(adminFrame.locator('h1').textContent()).resolves.toBe('This platform in Laurel');
      await checked(adminFrame, 'admin');
      await adminPage.screenshot({ path: join(screenshots, 'admin-page.png') });
    });
  });

  it('the learner sees the badge beside the grades that earned it, downloads and shares it', async () => {
    const page = await context.newPage();
    await page.goto(demo.learnerUrl);
    const frame = await laurelFrame(page, '/me?');
    const card = frame.locator('article', { has: frame.locator(`h3:text-is("${badgeName}")`) });
    await expect(card.textContent()).resolves.toMatch(/Quiz 1: [\d.]+ % of the 60 % needed/);
    await expect(frame.locator('#progress-heading + article, section[aria-labelledby=progress-heading]').first().textContent()).resolves.toMatch(/needed|not graded yet|Nothing else/);
    await checked(frame, 'learner-page');
    await page.screenshot({ path: join(screenshots, 'learner-page.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), card.locator('a', { hasText: 'PNG image' }).click()]);
    expect(download.suggestedFilename()).toBe(`${badgeName}.png`);
    const baked = unbakePng(await readFile((await download.path())!), 'openbadgecredential');
    expect(JSON.parse(baked!).credentialSubject.achievement.name).toBe(badgeName);
    // Where the credential's criteria point: the achievement's public page, checked at 320 px below.
    visited.set('achievement-page', String(JSON.parse(baked!).credentialSubject.achievement.criteria.id).split('#')[0]);

    // The LMS's iframe allows clipboard-write (as Canvas's does), not reading: the test reads the field the button copies.
    await card.locator('button.copy-link').click();
    await expect(card.locator('.copied').textContent()).resolves.toBe('Link copied.');
    shareLink = await card.locator('input.share-link').inputValue();
    expect(shareLink).toMatch(/\/verify\/[^?]+\?via=share$/);
    const linkedIn = new URL((await card.locator('a', { hasText: 'Add to LinkedIn' }).getAttribute('href'))!);
    expect(linkedIn.searchParams.get('certUrl')).toBe(shareLink);

    const employer = await context.newPage();
    await employer.goto(shareLink);
    await expect(employer.locator('h1').textContent()).resolves.toBe(badgeName);
    await expect(employer.locator('[role=status]').textContent()).resolves.toMatch(/Valid/);
    expect(await seriousViolations(employer)).toEqual([]);
    visited.set('verification-page', shareLink);
    await employer.screenshot({ path: join(screenshots, 'verification-page.png') });
    await employer.close();
    await page.close();
  });

  it('the learner adds the badge to two wallets: a QR code for each kind that scans as the link beside it, which each wallet follows to receive the badge; at 320 px too', async () => {
    const page = await context.newPage();
    await page.goto(demo.learnerUrl);
    const frame = await laurelFrame(page, '/me?');
    const learnerPage = frame.url();
    const card = frame.locator('article', { has: frame.locator(`h3:text-is("${badgeName}")`) });
    await click(frame, card.getByRole('button', { name: `Add to a wallet of ${badgeName}` }), /\/me\/awards\/[^/]+\/wallet\?/);
    expect(await seriousViolations(frame)).toEqual([]);
    const links: string[] = [];
    for (const heading of ['A wallet that speaks OpenID4VCI', 'Learner Credential Wallet']) {
      const section = frame.locator('section', { has: frame.locator(`h2:text-is("${heading}")`) });
      const link = (await section.getByRole('link', { name: `Open in a wallet on this device (${heading})` }).getAttribute('href'))!;
      expect(await scanQr(await section.locator('.qr svg').screenshot()), heading).toBe(link);
      links.push(link);
    }
    expect(links[0]).toMatch(/^openid-credential-offer:\/\/\?credential_offer=/);
    const txCode = (await frame.locator('[data-tx-code]').textContent())!;
    expect(txCode).toMatch(/^\d{6}$/);
    // The learner's wallets take them, over HTTPS from Laurel's host, each receiving the badge signed to its own key:
    // an OpenID4VCI wallet (@openid4vc/openid4vci's client, with the code the page shows) and LCW (its own steps and libraries).
    const holder = await ed25519DidKey();
    const viaOid4vci = await receive(holder, links[0]!, txCode, [LDP]);
    expect(viaOid4vci.received[LDP]).toMatchObject({ name: badgeName, credentialSubject: { id: holder.did } });
    const lcw = await mintDid();
    const viaLcw = await receiveThroughCredentialRequest(links[1]!, lcw);
    expect(viaLcw.credentials).toEqual([expect.objectContaining({ name: badgeName, credentialSubject: expect.objectContaining({ id: lcw.did }) })]);
    await page.close();

    // On a phone's width, top level (a phone's browser opening Laurel's page): nothing wider than the screen.
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 }, bypassCSP: true });
    const phone = await narrow.newPage();
    await phone.goto(learnerPage);
    await Promise.all([phone.waitForURL(/\/wallet\?/), phone.getByRole('button', { name: `Add to a wallet of ${badgeName}` }).click()]);
    expect(await overflowAt(phone), 'the wallet page at 320 px').toEqual({ overflow: 0, widest: [] });
    expect(await seriousViolations(phone)).toEqual([]);
    await phone.screenshot({ path: join(screenshots, 'wallet-page.png'), fullPage: true });
    const offer = (await phone.getByRole('link', { name: /OpenID4VCI/ }).getAttribute('href'))!;
    expect(offer, 'a new offer each time it is asked for').not.toBe(links[0]);
    await narrow.close();
  });

  it('a revocation shows on the public page at once, with its reason', async () => {
    const page = await context.newPage();
    await page.goto(demo.instructorUrl);
    const frame = await laurelFrame(page, '/course?');
    await click(frame, frame.getByRole('link', { name: new RegExp(`earned ${badgeName}$`) }), /\/course\/badges\/[^/]+\/awards/);
    await checked(frame, 'holders');
    const learner = demoLearner(demo.emulator);
    await click(frame, frame.getByRole('link', { name: `Revoke for ${learner.name}` }), /\/revoke\?/);
    await expect(frame.locator('body').textContent()).resolves.toContain('This affects 1 learner');
    await checked(frame, 'revoke-confirmation');
    await frame.getByLabel('Reason (shown publicly)').fill('Grades corrected after an appeal');
    await click(frame, 'button:has-text("Revoke the badge")', /\/awards\?/);

    const employer = await context.newPage();
    await employer.goto(shareLink);
    await expect(employer.locator('[role=status]').textContent()).resolves.toMatch(/Revoked/);
    await expect(employer.locator('body').textContent()).resolves.toContain('Grades corrected after an appeal');
    expect(await seriousViolations(employer)).toEqual([]);
    await employer.close();
    await page.close();
  });

  it('every page works at 320 px wide: nothing wider than the screen, still accessible, keyboard focus visible', async () => {
    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 }, bypassCSP: true });
    const page = await narrow.newPage();
    for (const [name, url] of visited) {
      if (name === 'editor-preview') continue; // a POST's answer: its page is the editor, checked as such
      await page.goto(url);
      const { overflow, widest } = await overflowAt(page);
      expect(overflow, `${name} is wider than 320 px: ${widest.join(', ')}`).toBeLessThanOrEqual(0);
      expect(await seriousViolations(page), name).toEqual([]);
      if (name === 'learner-page') await page.screenshot({ path: join(screenshots, 'learner-page-320.png'), fullPage: true });
    }
    // Keyboard: the first Tab reaches a link, and focus is drawn.
    await page.goto(visited.get('dashboard')!);
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => { const el = document.activeElement as HTMLElement; const s = getComputedStyle(el); return { tag: el.tagName, outline: s.outlineStyle, width: s.outlineWidth }; });
    expect(focus.tag).toBe('A');
    expect(focus.outline).not.toBe('none');
    await narrow.close();
  });
  it('the learner downloads their data and asks for erasure; an administrator confirms it, and the public page says so', async () => {
    const learner = demoLearner(demo.emulator);
    const page = await context.newPage();
    await page.goto(demo.learnerUrl);
    const frame = await laurelFrame(page, '/me?');
    const [download] = await Promise.all([page.waitForEvent('download'), frame.getByRole('link', { name: 'Download my data' }).click()]);
    expect(download.suggestedFilename()).toBe('laurel-my-data.json');
    const exported = await readFile((await download.path())!, 'utf8');
    expect(exported).toContain(badgeName);
    expect(exported).toContain(learner.id);
    await frame.getByRole('radio', { name: /Keep my credentials valid/ }).check();
    await click(frame, frame.getByRole('button', { name: 'Ask for erasure' }), /\/me\/erasure\?|\/me\?/);
    await expect(frame.locator('#erasure-heading + p + p + p[role=status], section[aria-labelledby=erasure-heading] [role=status]').first().textContent()).resolves.toMatch(/You asked for erasure on/);
    await checked(frame, 'learner-erasure-pending');
    await page.close();

    await asAdministrator(context, async (adminFrame) => {
      await click(adminFrame, adminFrame.getByRole('button', { name: `Confirm and erase ${learner.name}` }), /\/admin\/erasure\/requests\/[^/]+\/confirm\?/);
      await expect(adminFrame.locator('p.hint[role=status]').textContent()).resolves.toMatch(/^Erased \(/);
      await checked(adminFrame, 'admin-erasure-done');
      // Removing the platform starts with what would be lost: checked, not confirmed.
      await click(adminFrame, adminFrame.getByRole('link', { name: 'Remove this platform from Laurel…' }), /\/admin\/removal\?/);
      await checked(adminFrame, 'removal-confirmation');
      const narrow = await browser.newContext({ viewport: { width: 320, height: 640 }, bypassCSP: true });
      const phone = await narrow.newPage();
      await phone.goto(adminFrame.url());
      expect(await overflowAt(phone), 'the removal confirmation at 320 px').toEqual({ overflow: 0, widest: [] });
      await narrow.close();
    });

    // The credential was revoked above; it stays so, and its page now says the learner's data was erased.
    const employer = await context.newPage();
    await employer.goto(shareLink);
    await expect(employer.locator('[role=status]').textContent()).resolves.toMatch(/Revoked/);
    await expect(employer.locator('.erased-note').textContent()).resolves.toMatch(/erased at their request/);
    expect(await seriousViolations(employer)).toEqual([]);
    await employer.close();
  });
});


describe('the accessibility check', () => {
  it('does find problems (an image without text, a field without a label)', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.setContent('<!doctype html><html lang="en"><title>t</title><main><img src="data:image/png;base64,iVBORw0KGgo="><input type="text"></main></html>');
    const found = (await seriousViolations(page)).map((v) => v.id);
    expect(found).toEqual(expect.arrayContaining(['image-alt', 'label']));
    await context.close();
  });
});
