/**
 * What another site can show of Laurel, in a real browser: a page on a second origin (a tiny
 * static server on another port) with <img> of a badge's public image, its baked PNGs (OB 3.0 and 2.0)
 * and Laurel's logo sees them load, because public resources answer Cross-Origin-Resource-Policy:
 * cross-origin; a staff-only image, same-origin, stays blocked (ERR_BLOCKED_BY_RESPONSE).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, type Connected } from '../support/lms.js';
import { earnedBadge, instructorApi, type CourseApi } from '../support/courseApi.js';

let laurel: RunningLaurel;
let c: Connected;
let api: CourseApi;
let browser: Browser;
let otherSite: Server;
let otherOrigin: string;
let html = '';

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  api = await instructorApi(laurel, c);
  otherSite = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
  await new Promise<void>((ready) => otherSite.listen(0, '127.0.0.1', ready));
  otherOrigin = `http://127.0.0.1:${(otherSite.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (otherSite ? otherSite.close(() => done()) : done()));
  await c?.emulator.close();
  await laurel?.close();
});

/** One badge, earned and signed: its public credential. */
async function oneCredential(): Promise<{ badgeId: string; credential: Record<string, any> }> {
  const { badgeId, links } = await earnedBadge(api, { name: 'Quiz 1 passed', description: 'Passed the first quiz.' });
  return { badgeId, credential: (await request(laurel.url).get(new URL(links.credential).pathname)).body };
}

describe('images of Laurel on another site', () => {
  it('show the public badge images and the logo, and not a staff-only image', async () => {
    const { badgeId, credential } = await oneCredential();
    const achievement = new URL(credential.credentialSubject.achievement.id);
    const images: Record<string, string> = {
      achievementImage: `${laurel.url}${achievement.pathname}/image`,
      bakedCredential: `${laurel.url}${new URL(credential.id).pathname}.png`,
      ob2BakedPng: `${laurel.url}${new URL(credential.id).pathname.replace('/credentials/', '/ob2/assertions/')}.png`,
      logo: `${laurel.url}/assets/laurel.svg`,
      staffOnly: `${laurel.url}/course/badges/${badgeId}/image?ltik=${encodeURIComponent(api.ltik)}`,
    };
    // The staff-only image is there for the staff (same origin), so only the policy can block it.
    expect((await request(laurel.url).get(new URL(images.staffOnly!).pathname + new URL(images.staffOnly!).search)).status).toBe(200);
    html = `<!doctype html><title>A portfolio</title>${Object.entries(images).map(([id, src]) => `<img id="${id}" src="${src.replaceAll('&', '&amp;')}" alt="">`).join('')}`;

    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('requestfailed', (r) => blocked.push(`${r.url()} ${r.failure()?.errorText}`));
    await page.goto(otherOrigin, { waitUntil: 'load' });
    expect(new URL(page.url()).origin).not.toBe(new URL(laurel.url).origin);
    const widths = await page.evaluate(() => Object.fromEntries([...document.images].map((i) => [i.id, i.naturalWidth])));
    await page.close();

    expect(widths).toEqual({
      achievementImage: expect.any(Number), bakedCredential: expect.any(Number), ob2BakedPng: expect.any(Number), logo: expect.any(Number), staffOnly: 0,
    });
    for (const id of ['achievementImage', 'bakedCredential', 'ob2BakedPng', 'logo']) expect(widths[id], `${id} ${images[id]} ${blocked.join('\n')}`).toBeGreaterThan(0);
    expect(blocked).toEqual([expect.stringMatching(/\/course\/badges\/.*ERR_BLOCKED_BY_RESPONSE/)]);
  }, 120_000);
});
