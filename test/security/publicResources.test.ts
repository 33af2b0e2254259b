/**
 * What is public is usable from other sites, and only that: a badge's image on a portfolio, the
 * logo in the LMS's tool list, a credential a wallet fetches all answer with a cross-origin
 * resource policy, while the course pages keep helmet's same-origin one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import sharp from 'sharp';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, type Connected } from '../support/lms.js';
import { earnedBadge, instructorApi, type CourseApi } from '../support/courseApi.js';
import { checkBadgeImage } from '../../src/credentials/badgeImageUpload.js';
import { storeBadgeImage } from '../../src/store/badgeImage.js';

let laurel: RunningLaurel;
let c: Connected;
let api: CourseApi;

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  api = await instructorApi(laurel, c);
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

describe('the resource policy', () => {
  it('lets any site show or fetch what is public: credentials, images, issuer documents, status lists, the logo', async () => {
    const { links } = await earnedBadge(api, { name: 'Quiz 1 passed', description: 'Passed the first quiz.' });
    const credential = (await request(laurel.url).get(new URL(links.credential).pathname)).body;
    const issuerId = new URL(credential.issuer.id.startsWith('did:web:') ? `${laurel.url}/issuers/${credential.issuer.id.split(':').pop()}` : credential.issuer.id).pathname;
    const png = await sharp({ create: { width: 8, height: 8, channels: 4, background: '#2e6b3a' } }).png().toBuffer();
    const sha = await storeBadgeImage(await checkBadgeImage(png, 'image/png'), 'test');
    const achievement = new URL(credential.credentialSubject.achievement.id).pathname;
    const paths = [
      ...Object.values(links).map((u) => new URL(u).pathname + new URL(u).search).filter((p) => !p.startsWith('/verify/')),
      achievement, `${achievement}/image`, achievement.replace('/achievements/', '/ob2/badges/'), `/images/${sha}`,
      issuerId, `${issuerId}/did.json`, `${issuerId}/jwks.json`, `/ob2${issuerId}`, `/ob2${issuerId}/revocations`,
      new URL(credential.credentialStatus.statusListCredential).pathname,
      '/assets/laurel.svg',
    ];
    expect(paths.length).toBeGreaterThan(12);
    const answers = await Promise.all(paths.map(async (path) => {
      const res = await request(laurel.url).get(path);
      return `${path} ${res.status} ${res.headers['cross-origin-resource-policy']}`;
    }));
    expect(answers).toEqual(paths.map((path) => expect.stringMatching(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} 200 cross-origin$`))));
  });

  it('keeps the course pages and the staff\'s badge images same-origin', async () => {
    const badges = (await api.get('/api/course/badges')).body.badges as { id: string }[];
    for (const path of [`/course?ltik=${encodeURIComponent(api.ltik)}`, `/course/badges/${badges[0]!.id}/image?ltik=${encodeURIComponent(api.ltik)}`, '/healthz']) {
      const res = await request(laurel.url).get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['cross-origin-resource-policy'], path).toBe('same-origin');
    }
  });
});

describe('the favicon', () => {
  it('is Laurel\'s logo, small, for anyone, and no request for it is logged as a warning', async () => {
    const res = await request(laurel.url).get('/favicon.ico').set('X-Request-Id', 'favicon-1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(await sharp(res.body as Buffer).metadata()).toMatchObject({ format: 'png', width: 32, height: 32 });
    expect(laurel.logs.filter((l) => l.reqId === 'favicon-1' && (l.level as number) >= 40)).toEqual([]);
  });
});
