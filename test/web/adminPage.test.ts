/**
 * The admin page, reached from a launch by the LMS's administrator: the institution's issuer
 * profile (checked field by field), and what it refuses to anyone else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { issuerKeyOf } from '../../src/store/issuerProfile.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

describe.each(['canvas', 'moodle'] as const)('the admin page from %s', (flavour) => {
  let c: Connected;
  beforeAll(async () => { c = await connectEmulator(laurel, flavour); });
  afterAll(async () => { await c?.emulator.close(); });

  async function ltikOf(user: { id: string }) {
    const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
    return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  }

  it('lets an administrator set the issuer profile, with errors a person can fix, and publishes it', async () => {
    const admin = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    admin.siteAdmin = true;
    const ltik = await ltikOf(admin);
    const page = await request(laurel.url).get(`/admin?ltik=${encodeURIComponent(ltik)}`);
    expect(page.status).toBe(200);
    expect(htmlText(page.text)).toContain('Issuer profile');

    const bad = await request(laurel.url).post(`/admin/issuer?ltik=${encodeURIComponent(ltik)}`).type('form').send({ name: '', url: 'not a url', email: 'nope' });
    expect(bad.status).toBe(400);
    const problems = htmlText(bad.text);
    expect(problems).toMatch(/name: give the institution's name/);
    expect(problems).toMatch(/url: give the institution's web site/);
    expect(problems).toMatch(/email: "nope" is not an email address/);

    const good = await request(laurel.url).post(`/admin/issuer?ltik=${encodeURIComponent(ltik)}`).type('form')
      .send({ name: 'Example <University>', url: 'https://example.edu', email: 'badges@example.edu', description: 'A place of learning.' });
    expect(good.status).toBe(200);
    expect(htmlText(good.text)).toContain('The issuer profile is saved');
    const key = issuerKeyOf(c.emulator.issuer);
    const profile = (await request(laurel.url).get(`/issuers/${key}`)).body;
    expect(profile).toMatchObject({ type: ['Profile'], name: 'Example <University>', url: 'https://example.edu', email: 'badges@example.edu' });
    expect(profile.id).toMatch(/^did:web:/);
    const ob2 = (await request(laurel.url).get(`/ob2/issuers/${key}`)).body;
    expect(ob2).toMatchObject({ type: 'Issuer', name: 'Example <University>' });
    admin.siteAdmin = false;
  });

  it('refuses the admin page to an instructor who is not an administrator', async () => {
    const ta = c.emulator.course.users.find((u) => u.role === 'TeachingAssistant')!;
    const ltik = await ltikOf(ta);
    const res = await request(laurel.url).get(`/admin?ltik=${encodeURIComponent(ltik)}`);
    expect(res.status).toBe(403);
    expect(res.headers['x-laurel-reason']).toBe('not_admin');
    const post = await request(laurel.url).post(`/admin/issuer?ltik=${encodeURIComponent(ltik)}`).type('form').send({ name: 'Hijack', url: 'https://evil.example' });
    expect(post.status).toBe(403);
  });
});
