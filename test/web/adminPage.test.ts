/**
 * The admin page, reached from a launch by the LMS's administrator: their own platform's
 * registration, deployments and signing keys, its background sync interval, the institution's
 * issuer profile (checked field by field), and what it refuses to anyone else. An administrator
 * sees and changes their own platform only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { issuerKeyOf, issuerProfileByKey } from '../../src/store/issuerProfile.js';
import { platformSettingsOf } from '../../src/store/platformSettings.js';
import { installInEmulator } from '../demo/installInEmulator.js';
import { registrationMethod } from '../../src/web/admin/platformOverview.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

async function ltikOf(c: Connected, user: { id: string }) {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

/** Launches the course's instructor with the LMS's administrator role added. */
async function adminLtikOf(c: Connected) {
  const admin = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  admin.siteAdmin = true;
  try { return await ltikOf(c, admin); } finally { admin.siteAdmin = false; }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The cells of each body row of the table in the page's section with this heading, as read. */
function tableRows(html: string, headingId: string): string[][] {
  const section = html.match(new RegExp(`<section aria-labelledby="${headingId}">([\\s\\S]*?)</section>`));
  if (!section) throw new Error(`no section ${headingId}`);
  const body = section[1].match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => htmlText(cell[1])));
}

const adminPage = (ltik: string) => request(laurel.url).get(`/admin?ltik=${encodeURIComponent(ltik)}`);
const postInterval = (ltik: string, value: string) => request(laurel.url).post(`/admin/sync-interval?ltik=${encodeURIComponent(ltik)}`).type('form').send({ syncIntervalMinutes: value });

describe.each(['canvas', 'moodle'] as const)('the admin page from %s', (flavour) => {
  let c: Connected;
  beforeAll(async () => { c = await connectEmulator(laurel, flavour); });
  afterAll(async () => { await c?.emulator.close(); });

  it('shows the platform as registered, its deployment with its course, and the signing keys', async () => {
    const page = await adminPage(await adminLtikOf(c));
    expect(page.status).toBe(200);
    expect(Object.fromEntries(tableRows(page.text, 'registration-heading'))).toMatchObject({
      Issuer: c.emulator.issuer,
      'Client id': c.clientId,
      'Authorization endpoint': c.emulator.endpoints.auth,
      'Token endpoint': c.emulator.endpoints.token,
      "Platform's JWKS": c.emulator.endpoints.jwks,
      Product: `Laurel Emulated ${flavour === 'canvas' ? 'Canvas' : 'Moodle'} (${flavour}) ${flavour === 'canvas' ? 'cloud' : '2024100700'}`,
      Status: 'active: launches are accepted',
      Registered: expect.stringMatching(/^[A-Z][a-z]+ \d{1,2}, \d{4}, /), // the page's language's date: "November 23, 2026"
    });
    // The administrator's own launch recorded the course in its deployment.
    const aDay = expect.stringMatching(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/);
    expect(tableRows(page.text, 'deployments-heading')).toEqual([[c.deploymentId, aDay, '1', aDay]]);
    const keys = tableRows(page.text, 'keys-heading');
    expect(keys.map(([, algorithm, , , state]) => `${algorithm}: ${state}`).sort()).toEqual(['Ed25519 (EdDSA): current signing key', 'RSA (RS256): current signing key']);
    expect(htmlText(page.text)).toContain('Never rotated.');
  });

  it('rotates the signing keys: the old ones stay listed as retired, the new ones are current', async () => {
    const ltik = await adminLtikOf(c);
    const before = tableRows((await adminPage(ltik)).text, 'keys-heading').map(([id]) => id);
    const rotated = await request(laurel.url).post(`/admin/issuer/rotate-keys?ltik=${encodeURIComponent(ltik)}`).type('form').send({});
    expect(rotated.status).toBe(200);
    expect(htmlText(rotated.text)).toContain('New signing keys are in use');
    expect(htmlText(rotated.text)).toMatch(/Last rotated [A-Z][a-z]+ \d{1,2}, \d{4}\./);
    const after = tableRows(rotated.text, 'keys-heading');
    const current = after.filter((k) => k[4] === 'current signing key');
    expect(current).toHaveLength(2);
    for (const id of before) expect(after.find((k) => k[0] === id)?.[4]).toMatch(/^retired [A-Z][a-z]+ \d{1,2}, \d{4}, still published$/);
  });

  it('lets an administrator set the issuer profile, with errors a person can fix, and publishes it', async () => {
    const ltik = await adminLtikOf(c);
    const page = await adminPage(ltik);
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
    const key = issuerKeyOf({ issuer: c.emulator.issuer, clientId: c.clientId });
    const profile = (await request(laurel.url).get(`/issuers/${key}`)).body;
    expect(profile).toMatchObject({ type: ['Profile'], name: 'Example <University>', url: 'https://example.edu', email: 'badges@example.edu' });
    expect(profile.id).toMatch(/^did:web:/);
    const ob2 = (await request(laurel.url).get(`/ob2/issuers/${key}`)).body;
    expect(ob2).toMatchObject({ type: 'Issuer', name: 'Example <University>' });
  });

  it('sets the issuer\'s LinkedIn organization id, digits only, saying what it is when it is not', async () => {
    const ltik = await adminLtikOf(c);
    expect(htmlText((await adminPage(ltik)).text)).toContain('LinkedIn organization id (optional)');
    const post = (linkedInOrganizationId: string) => request(laurel.url).post(`/admin/issuer?ltik=${encodeURIComponent(ltik)}`).type('form')
      .send({ name: 'Example University', url: 'https://example.edu', linkedInOrganizationId });
    const bad = await post('linkedin.com/company/example');
    expect(bad.status).toBe(400);
    expect(htmlText(bad.text)).toContain('LinkedIn organization id: "linkedin.com/company/example" is not one; it is the number in the address of the institution\'s LinkedIn admin page (linkedin.com/company/12345678/admin), digits only');
    const good = await post(' 12345678 ');
    expect(good.status).toBe(200);
    expect(good.text).toMatch(/<input id="linkedInOrganizationId"[^>]*value="12345678"/);
    const key = issuerKeyOf({ issuer: c.emulator.issuer, clientId: c.clientId });
    expect(await issuerProfileByKey(key)).toMatchObject({ linkedInOrganizationId: '12345678' });
    expect((await post('')).status).toBe(200); // optional: cleared again
    expect((await issuerProfileByKey(key))?.linkedInOrganizationId).toBeUndefined();
  });

  it("sets the platform's background sync interval, refuses bad values saying what to fix, and goes back to the server's default", async () => {
    const ltik = await adminLtikOf(c);
    expect(htmlText((await adminPage(ltik)).text)).toContain("Now: off (the server's default)");

    const saved = await postInterval(ltik, '30');
    expect(saved.status).toBe(200);
    expect(htmlText(saved.text)).toContain('Background sync for this platform is now every 30 minutes.');
    expect((await platformSettingsOf(c.emulator.issuer, c.clientId)).syncIntervalMinutes).toBe(30);
    expect(htmlText((await adminPage(ltik)).text)).toContain('Now: every 30 minutes (set for this platform)');

    for (const value of ['abc', '-5', '1.5', '10081']) {
      const bad = await postInterval(ltik, value);
      expect(bad.status).toBe(400);
      const text = htmlText(bad.text);
      expect(text).toContain(`sync interval: "${value}" is not a whole number of minutes from 0 to 10080 (0 turns background sync off; leave it empty for the server's default)`);
      expect(text).toContain('Nothing was changed.');
      expect(bad.text).toContain(`value="${value}" aria-invalid="true"`); // what was typed stays in the field to fix
      expect((await platformSettingsOf(c.emulator.issuer, c.clientId)).syncIntervalMinutes).toBe(30);
    }

    expect(htmlText((await postInterval(ltik, '0')).text)).toContain('Background sync for this platform is now off.');
    expect((await platformSettingsOf(c.emulator.issuer, c.clientId)).syncIntervalMinutes).toBe(0);
    const reset = await postInterval(ltik, '');
    expect(reset.status).toBe(200);
    expect(htmlText(reset.text)).toContain("Background sync for this platform is now the server's default (off).");
    expect((await platformSettingsOf(c.emulator.issuer, c.clientId)).syncIntervalMinutes).toBeUndefined();
  });

  it('refuses the admin page and its forms to an instructor who is not an administrator', async () => {
    const ta = c.emulator.course.users.find((u) => u.role === 'TeachingAssistant')!;
    const ltik = await ltikOf(c, ta);
    const res = await adminPage(ltik);
    expect(res.status).toBe(403);
    expect(res.headers['x-laurel-reason']).toBe('not_admin');
    const post = await request(laurel.url).post(`/admin/issuer?ltik=${encodeURIComponent(ltik)}`).type('form').send({ name: 'Hijack', url: 'https://evil.example' });
    expect(post.status).toBe(403);
    expect((await postInterval(ltik, '1')).status).toBe(403);
    expect((await platformSettingsOf(c.emulator.issuer, c.clientId)).syncIntervalMinutes).toBeUndefined();
    expect((await request(laurel.url).post(`/admin/issuer/rotate-keys?ltik=${encodeURIComponent(ltik)}`).type('form').send({})).status).toBe(403);
  });
});

describe("an administrator sees and changes their own platform only", () => {
  let a: Connected;
  let b: Connected;
  /** A second registration under A's issuer, as Canvas cloud institutions share one issuer. */
  let sameIssuer: { clientId: string; deploymentId: string };
  beforeAll(async () => {
    a = await connectEmulator(laurel, 'canvas');
    b = await connectEmulator(laurel, 'moodle');
    sameIssuer = await installInEmulator(a.emulator, laurel.url);
    expect((await postInterval(await adminLtikOf(b), '15')).status).toBe(200);
  });
  afterAll(async () => {
    await a?.emulator.close();
    await b?.emulator.close();
  });

  it("never shows another platform's registration, deployments or settings", async () => {
    const page = await adminPage(await adminLtikOf(a));
    expect(page.status).toBe(200);
    const registration = Object.fromEntries(tableRows(page.text, 'registration-heading'));
    expect(registration).toMatchObject({ Issuer: a.emulator.issuer, 'Client id': a.clientId });
    expect(tableRows(page.text, 'deployments-heading').map(([id]) => id)).toEqual([a.deploymentId]);
    const text = htmlText(page.text);
    for (const other of [b.clientId, b.emulator.endpoints.token, b.emulator.endpoints.jwks, sameIssuer.clientId, sameIssuer.deploymentId]) {
      expect(text).not.toContain(other);
    }
    expect(text).not.toMatch(new RegExp(`${escape(b.emulator.issuer)}(?!\\d)`));
    expect(text).toContain("Now: off (the server's default)");
  });

  it("changes the sync interval of the launch's platform only", async () => {
    const ltikA = await adminLtikOf(a);
    expect((await postInterval(ltikA, '45')).status).toBe(200);
    expect((await platformSettingsOf(a.emulator.issuer, a.clientId)).syncIntervalMinutes).toBe(45);
    expect((await platformSettingsOf(a.emulator.issuer, sameIssuer.clientId)).syncIntervalMinutes).toBeUndefined();
    expect((await platformSettingsOf(b.emulator.issuer, b.clientId)).syncIntervalMinutes).toBe(15);
  });

  it('exports the registration\'s changes, and only its own', async () => {
    const csvOf = async (ltik: string) => (await request(laurel.url).get(`/admin/audit.csv?ltik=${encodeURIComponent(ltik)}`)).text;
    const mine = await csvOf(await adminLtikOf(a));
    expect(mine.split('\r\n')[0]).toBe('at,by (user id),by (name),action,details');
    expect(mine).toContain('platform.settings');
    expect(mine).not.toContain('sync interval: 15 '); // B's, set in beforeAll
    expect(await csvOf(await adminLtikOf({ emulator: a.emulator, ...sameIssuer }))).not.toContain('platform.settings');
  });

  it('keeps each registration its own issuer, even under one platform issuer (Canvas cloud)', async () => {
    const ltikA = await adminLtikOf(a);
    const saved = await request(laurel.url).post(`/admin/issuer?ltik=${encodeURIComponent(ltikA)}`).type('form')
      .send({ name: 'University A', url: 'https://a.example.edu', email: 'badges@a.example.edu' });
    expect(saved.status).toBe(200);
    const other = await adminPage(await adminLtikOf({ emulator: a.emulator, ...sameIssuer }));
    expect(htmlText(other.text)).not.toContain('University A');
    const keyA = issuerKeyOf({ issuer: a.emulator.issuer, clientId: a.clientId });
    const keyOther = issuerKeyOf({ issuer: a.emulator.issuer, clientId: sameIssuer.clientId });
    expect(keyOther).not.toBe(keyA);
    expect((await request(laurel.url).get(`/issuers/${keyA}`)).body.name).toBe('University A');
    expect((await request(laurel.url).get(`/issuers/${keyOther}`)).body.name).not.toBe('University A');
  });
});

describe('how a platform was registered, as far as the stored data tells', () => {
  it('names dynamic registration and the command line, and says so when it cannot tell', () => {
    expect(registrationMethod({ issuer: 'https://canvas.instructure.com', name: 'canvas canvas.instructure.com', learnsDeployments: true })).toBe('dynamic');
    expect(registrationMethod({ issuer: 'https://moodle.example.edu', name: 'moodle moodle.example.edu', learnsDeployments: false })).toBe('dynamic');
    expect(registrationMethod({ issuer: 'https://moodle.example.edu', name: 'https://moodle.example.edu', learnsDeployments: false })).toBe('manual');
    expect(registrationMethod({ issuer: 'https://moodle.example.edu', name: 'Our Moodle', learnsDeployments: false })).toBe('unknown');
  });
});
