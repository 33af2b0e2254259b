/**
 * Before the first award, while the institution's issuer profile is still the default (the LMS's
 * host name, which every credential would keep forever): the admin page and the course page
 * prompt an administrator to set it, an instructor is warned before awarding, and awarding still
 * works. Once set, nothing is said.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';

let laurel: RunningLaurel;
let c: Connected;
let staff: string;
let admin: string;
let badgeId: string;

async function ltikOf(userId: string, locale?: string) {
  const res = await finishLaunch(await startLaunch(c, { userId, locale }));
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const ta = c.emulator.course.users.find((u) => u.role === 'TeachingAssistant')!;
  staff = await ltikOf(ta.id);
  instructor.siteAdmin = true;
  admin = await ltikOf(instructor.id);
  const created = await request(laurel.url).post('/api/course/badges').set('Authorization', `Bearer ${staff}`).send({ name: 'Welcome', description: '', rules: { kind: 'all', rules: [{ kind: 'approval' }] } });
  expect(created.status).toBe(201);
  badgeId = created.body.id;
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

const page = async (path: string, ltik: string) => htmlText((await request(laurel.url).get(`${path}?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html')).text);
const host = () => new URL(c.emulator.issuer).host;
const learner = () => c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
const confirmAward = (ltik: string) => request(laurel.url).post('/course/bulk/award/confirm').type('form').set('Accept', 'text/html').send({ ltik, badgeId, userId: learner().id });

describe('while the issuer profile is not set', () => {
  it('the admin page says what credentials would say, and points to the form', async () => {
    const text = await page('/admin', admin);
    expect(text).toContain('The issuer profile is not set');
    expect(text).toContain(`issued by “${host()}”`);
    expect(text).toContain('Set the institution\'s name, website and contact below');
  });

  it('the course page prompts an administrator, with a link to set it', async () => {
    const res = await request(laurel.url).get(`/course?ltik=${encodeURIComponent(admin)}`).set('Accept', 'text/html');
    expect(htmlText(res.text)).toContain('The issuer profile is not set');
    expect(res.text).toMatch(/href="\/admin\?ltik=[^"]+#issuer-heading"/);
  });

  it('an instructor is warned on the course page and before a bulk award, and the award still goes ahead', async () => {
    const dashboard = await page('/course', staff);
    expect(dashboard).toContain(`issued by “${host()}”`);
    expect(dashboard).toContain('ask your LMS administrator to set its issuer profile');
    const confirm = await confirmAward(staff);
    expect(confirm.status).toBe(200);
    expect(htmlText(confirm.text)).toContain('The issuer profile is not set');
    expect(confirm.text).toContain('action="/course/bulk/award');
  });

  it('in French too', async () => {
    const french = await ltikOf(c.emulator.course.users.find((u) => u.role === 'TeachingAssistant')!.id, 'fr');
    expect(await page('/course', french)).toContain('Le profil d\'émetteur n\'est pas défini');
  });
});

describe('once an administrator set it', () => {
  it('nothing is said', async () => {
    await saveIssuerProfile({ issuer: c.emulator.issuer, clientId: c.clientId }, { name: 'Example University', url: 'https://example.edu' }, 'admin');
    for (const text of [await page('/admin', admin), await page('/course', admin), await page('/course', staff), htmlText((await confirmAward(staff)).text)]) {
      expect(text).not.toContain('The issuer profile is not set');
    }
  });
});
