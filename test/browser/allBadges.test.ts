/**
 * All of a learner's badges in Chromium (issue 19, part 3), opened top level as a phone's browser
 * opens Laurel's page (the journey's 320 px pass does the same): a learner of two courses of one
 * registration sees both, adds the earlier course's badge to a wallet from there, publishes a
 * public page of two badges, reads it, and withdraws it. axe-core checks every page, in English
 * and in French, at desktop width and at 320 px, where nothing may be wider than the screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { launchChromium } from '../support/chromium.js';
import { seriousViolations } from '../support/axe.js';
import { overflowAt } from '../support/overflow.js';
import type { SeedUser } from '../emulator/index.js';

let laurel: RunningLaurel;
let c: Connected;
let browser: Browser;
let learner: SeedUser;
/** The learner's page of all their badges, from a session of the second course; and in French. */
let allBadges: string;
let allBadgesFr: string;

async function launchAs(userId: string, locale?: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId, locale }));
  expect(res.status).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

const api = (ltik: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
});

/** Badges made and awarded by hand through the course API, as an instructor does; answers the award ids by badge name. */
async function awardBadges(ltik: string, badges: { name: string; more?: object; revoke?: string }[]): Promise<Record<string, string>> {
  const staff = api(ltik);
  const ids: Record<string, string> = {};
  for (const b of badges) {
    const created = await staff.post('/api/course/badges', { name: b.name, description: `${b.name}, described`, rules: { kind: 'approval' }, ...b.more });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    if ((b.more as { level?: number } | undefined)?.level === 2) continue; // the next level of a stack: not held
    ids[b.name] = (await staff.post('/api/course/awards', { badgeId: created.body.id, userId: learner.id })).body.id;
    if (b.revoke) expect((await staff.post(`/api/course/awards/${ids[b.name]}/revoke`, { reason: b.revoke })).status).toBe(200);
  }
  return ids;
}


/** Every page the test visited, for the 320 px pass (a POST's answer is visited again by its form). */
const visited = new Map<string, string>();

async function checked(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page), `${name}: ${page.url()}`).toEqual([]);
  visited.set(name, page.url());
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  learner = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  await awardBadges(await launchAs(instructor.id), [
    { name: 'Steady Hands' },
    { name: 'Short Lived', more: { validFor: 'P10D' } },
    { name: 'Taken Back', revoke: 'Work copied from a classmate' },
    { name: 'Lab I', more: { group: 'Lab skills', level: 1 } },
    { name: 'Lab II', more: { group: 'Lab skills', level: 2 } },
  ]);
  await launchAs(learner.id);
  const next = c.emulator.copyCourse();
  next.title = 'Organic Chemistry';
  next.label = 'CHEM 201';
  await awardBadges(await launchAs(instructor.id), [{ name: 'Second Term Star' }]);
  allBadges = `${laurel.url}/me/all?ltik=${encodeURIComponent(await launchAs(learner.id))}`;
  allBadgesFr = `${laurel.url}/me/all?ltik=${encodeURIComponent(await launchAs(learner.id, 'fr'))}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await c?.emulator.close();
  await laurel?.close();
});

describe('all of a learner\'s badges, in Chromium', () => {
  it('shows both courses\' badges, where each stands, and the stack\'s path; accessible', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(allBadges);
    await expect(page.locator('h1').textContent()).resolves.toBe('All my badges');
    expect(await page.locator('h2').allTextContents()).toEqual(expect.arrayContaining(['Organic Chemistry (CHEM 201)', 'Introduction to Chemistry (CHEM 101)']));
    await expect(page.locator('article', { hasText: 'Short Lived' }).locator('.badge-state').textContent()).resolves.toMatch(/^\s*Expiring soon: valid until/);
    await expect(page.locator('article', { hasText: 'Taken Back' }).locator('.badge-state').textContent()).resolves.toContain('Revoked: Work copied from a classmate');
    await expect(page.locator('.stack-path li').allTextContents()).resolves.toEqual(['Level 1: Lab I — earned', 'Level 2: Lab II — next']);
    await checked(page, 'all badges');
    await context.close();
  });

  it('in French as well', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(allBadgesFr);
    await expect(page.locator('h1').textContent()).resolves.toBe('Tous mes badges');
    await expect(page.locator('.stack-path li').allTextContents()).resolves.toEqual(['Niveau 1 : Lab I — obtenu', 'Niveau 2 : Lab II — le suivant']);
    await checked(page, 'all badges in French');
    await context.close();
  });

  it('adds the earlier course\'s badge to a wallet from there, and leads back', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(allBadges);
    await Promise.all([page.waitForURL(/\/wallet\?/), page.getByRole('button', { name: 'Add to a wallet of Steady Hands' }).click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Add Steady Hands to your wallet');
    expect(await seriousViolations(page)).toEqual([]);
    await Promise.all([page.waitForURL(/\/me\/all\?/), page.getByRole('link', { name: 'Back to my badges' }).click()]);
    await context.close();
  });

  it('publishes a public page of two chosen badges, which reads well; then withdraws it', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(allBadges);
    await expect(page.locator('#profile-heading + p').textContent()).resolves.toContain('Off: nobody sees a page of your badges.');
    await page.getByLabel(/^Steady Hands, Introduction to Chemistry/).check();
    await page.getByLabel(/^Second Term Star, Organic Chemistry/).check();
    await page.getByLabel('Show my name on my public page').check();
    await Promise.all([page.waitForURL(/note=published/), page.getByRole('button', { name: 'Publish my page' }).click()]);
    await checked(page, 'all badges, published');
    const url = await page.locator('#profile-link').inputValue();

    const employer = await context.newPage();
    await employer.goto(url);
    await expect(employer.locator('h1').textContent()).resolves.toBe(`Badges of ${learner.name}`);
    // In the order the learner's page lists them: the course of the session first.
    expect(await employer.locator('article h2').allTextContents()).toEqual(['Second Term Star', 'Steady Hands']);
    await checked(employer, 'public page');

    await Promise.all([page.waitForURL(/note=withdrawn/), page.getByRole('button', { name: 'Stop publishing my page' }).click()]);
    const gone = await employer.goto(url);
    expect(gone!.status()).toBe(410);
    expect(await seriousViolations(employer)).toEqual([]);
    await context.close();
  });

  it('every page works at 320 px wide: nothing wider than the screen, still accessible', async () => {
    // The public page was withdrawn: publish again, for a page to look at.
    const form = new URL(allBadges);
    const ltik = form.searchParams.get('ltik')!;
    const ids = [...(await request(laurel.url).get(`/me/all?ltik=${encodeURIComponent(ltik)}`)).text.matchAll(/name="award" value="([^"]+)"/g)].map((m) => m[1]!);
    expect((await request(laurel.url).post(`/me/all/profile?ltik=${encodeURIComponent(ltik)}`).type('form').send({ ltik, award: ids, showName: 'on' })).status).toBe(303);
    const published = /id="profile-link" class="share-link" readonly value="([^"]+)"/.exec((await request(laurel.url).get(`/me/all?ltik=${encodeURIComponent(ltik)}`)).text)![1]!;
    visited.set('public page', published);

    const narrow = await browser.newContext({ viewport: { width: 320, height: 640 }, bypassCSP: true });
    const page = await narrow.newPage();
    for (const [name, url] of visited) {
      await page.goto(url);
      const { overflow, widest } = await overflowAt(page);
      expect(overflow, `${name} is wider than 320 px: ${widest.join(', ')}`).toBeLessThanOrEqual(0);
      expect(await seriousViolations(page), name).toEqual([]);
    }
    // The wallet page, asked for from all the badges.
    await page.goto(allBadges);
    await Promise.all([page.waitForURL(/\/wallet\?/), page.getByRole('button', { name: 'Add to a wallet of Second Term Star' }).click()]);
    expect(await overflowAt(page), 'the wallet page at 320 px').toEqual({ overflow: 0, widest: [] });
    expect(await seriousViolations(page)).toEqual([]);
    await narrow.close();
  });
});
