/**
 * What is public is usable from other sites, and only that: a badge's image on a portfolio, the
 * logo in the LMS's tool list, a credential a wallet fetches all answer with a cross-origin
 * resource policy, while the course pages keep helmet's same-origin one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import sharp from 'sharp';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { checkBadgeImage } from '../../src/credentials/badgeImageUpload.js';
import { storeBadgeImage } from '../../src/store/badgeImage.js';

let laurel: RunningLaurel;
let c: Connected;
let ltik: string;
const bearer = (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`);
const postBearer = (path: string, body: object) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body);

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

/** A badge earned by the course's learners, evaluated, its credentials signed: the public URLs of one award. */
async function oneAwardLinks(): Promise<Record<string, string>> {
  const columns = (await bearer('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const created = await postBearer('/api/course/badges', {
    name: 'Quiz 1 passed', description: 'Passed the first quiz.',
    rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.find((l) => l.label === 'Quiz 1')!.id, percent: 10 }] },
  });
  expect(created.status).toBe(201);
  const started = await postBearer('/api/course/evaluations', {});
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    const job = (await bearer(started.headers.location)).body;
    if (job.status === 'done') break;
    if (job.status === 'failed') throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 100));
  }
  const awards = (await bearer('/api/course/awards')).body.awards as { badgeId: string; links?: Record<string, string> }[];
  return awards.find((a) => a.badgeId === created.body.id && a.links)!.links!;
}

describe('the resource policy', () => {
  it('lets any site show or fetch what is public: credentials, images, issuer documents, status lists, the logo', async () => {
    const links = await oneAwardLinks();
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
    const badges = (await bearer('/api/course/badges')).body.badges as { id: string }[];
    for (const path of [`/course?ltik=${encodeURIComponent(ltik)}`, `/course/badges/${badges[0]!.id}/image?ltik=${encodeURIComponent(ltik)}`, '/healthz']) {
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
