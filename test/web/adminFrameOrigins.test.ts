/**
 * The admin page's "Sites allowed to show Laurel": the origins that may frame Laurel for the
 * administrator's own platform (frame-ancestors), as the registration, the launches Laurel
 * validated (cloud Canvas shows courses from the school's host or its own domain, which no
 * registration names) and its administrators name them. An administrator adds a site (an https
 * origin, nothing after the host) or removes one they added, with the page's session token as
 * every admin form, and the CSP follows at once; nobody else changes the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText, parseForm } from '../support/html.js';
import { frameOriginsOf } from '../../src/store/frameOrigins.js';
import { auditOfPlatform, registrationKey } from '../../src/store/auditLog.js';

const SCHOOL = 'https://school.canvas.test';
const VANITY = 'https://lms.school.test';

let laurel: RunningLaurel;
let c: Connected;
beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => {
  await c?.emulator.close();
  await laurel?.close();
});

const instructor = () => c.emulator.course.users.find((u) => u.role === 'Instructor')!;

async function ltikOf(userId: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId }));
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}
/** The course's instructor as a Canvas root account admin. */
async function adminLtik(): Promise<string> {
  const admin = instructor();
  admin.siteAdmin = true;
  try { return await ltikOf(admin.id); } finally { admin.siteAdmin = false; }
}

const q = (ltik: string) => `ltik=${encodeURIComponent(ltik)}`;
const adminPage = (ltik: string) => request(laurel.url).get(`/admin?${q(ltik)}`);
const postOrigin = (ltik: string, form: Record<string, string>) => request(laurel.url).post(`/admin/frame-origins?${q(ltik)}`).type('form').send({ ltik, ...form });
const frameAncestors = async () => (String((await request(laurel.url).get('/course')).headers['content-security-policy']).match(/frame-ancestors ([^;]*)/)?.[1] ?? '').trim().split(/\s+/);

/** The rows of the section's table: [site, known from, first launch, last launch, action]. */
function originRows(html: string): string[][] {
  const section = html.match(/<section aria-labelledby="frame-origins-heading">([\s\S]*?)<\/section>/);
  if (!section) throw new Error('no frame origins section');
  const body = section[1].match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => htmlText(cell[1])));
}

const aDay = expect.stringMatching(/^[A-Z][a-z]+ \d{1,2}, \d{4}$/);

describe('the sites allowed to show Laurel, on the admin page', () => {
  it('lists the registration\'s addresses and the sites launches named, with their first and last launch', async () => {
    c.emulator.showCourseFrom(SCHOOL);
    try { await ltikOf(c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!.id); } finally { c.emulator.showCourseFrom(undefined); }
    const page = await adminPage(await adminLtik());
    expect(page.status).toBe(200);
    expect(originRows(page.text)).toEqual([
      [new URL(c.emulator.issuer).origin, 'the registration', '—', '—', ''],
      [SCHOOL, 'the LMS\'s launches', aDay, aDay, ''],
    ]);
  });

  it('refuses a URL with a path, or not https, saying what to type instead, and changes nothing', async () => {
    const ltik = await adminLtik();
    const withPath = await postOrigin(ltik, { action: 'add', origin: `${VANITY}/courses/12` });
    expect(withPath.status).toBe(400);
    expect(htmlText(withPath.text)).toContain(`site: "${VANITY}/courses/12" is not a site's origin: give the scheme and host only, like ${VANITY}, without a path`);
    expect(htmlText(withPath.text)).toContain('Nothing was changed.');
    // What was typed stays in the field, marked.
    expect(withPath.text).toMatch(new RegExp(`id="frameOrigin"[^>]*value="${VANITY}/courses/12" aria-invalid="true"`));

    const plain = await postOrigin(ltik, { action: 'add', origin: 'http://lms.school.test' });
    expect(plain.status).toBe(400);
    expect(htmlText(plain.text)).toContain('site: "http://lms.school.test" does not start with https://; the LMS shows its pages over https, so give it as https://lms.school.test');

    const wildcard = await postOrigin(ltik, { action: 'add', origin: 'https://*.school.test' });
    expect(htmlText(wildcard.text)).toContain('names many sites at once');
    expect((await frameOriginsOf(c.emulator.issuer, c.clientId)).configured).toEqual([]);
  });

  it('adds a site from the page\'s own form: it frames Laurel at once, and the change is in the audit log', async () => {
    const ltik = await adminLtik();
    expect(await frameAncestors()).not.toContain(VANITY);
    // The form as the page gives it, with the session token that makes it this administrator's.
    const form = parseForm((await adminPage(ltik)).text, 'frame-origin-add');
    expect(form.fields).toMatchObject({ ltik, action: 'add' });
    const added = await request(laurel.url).post(form.action).type('form').send({ ...form.fields, origin: `${VANITY}/` });
    expect(added.status).toBe(200);
    expect(htmlText(added.text)).toContain(`${VANITY} may show Laurel's pages.`);
    expect(originRows(added.text)).toContainEqual([VANITY, 'added by an administrator', '—', '—', `Remove ${VANITY}`]);
    // No reload needed: this instance's CSP names it on the very next page.
    expect(await frameAncestors()).toContain(VANITY);

    // Adding it again changes nothing and logs nothing more.
    expect((await postOrigin(ltik, { action: 'add', origin: VANITY })).status).toBe(200);
    const audit = await auditOfPlatform(registrationKey({ issuer: c.emulator.issuer, clientId: c.clientId }));
    expect(audit.filter((e) => e.action.startsWith('platform.frameOrigin')).map((e) => [e.action, e.detail])).toEqual([['platform.frameOriginAdded', VANITY]]);
  });

  it('refuses the change to a request without the page\'s session token, and to anyone but an administrator', async () => {
    const forged = await request(laurel.url).post('/admin/frame-origins').type('form').send({ action: 'add', origin: 'https://attacker.test' });
    expect(forged.status).toBe(401);
    const teacher = await ltikOf(instructor().id);
    const refused = await postOrigin(teacher, { action: 'remove', origin: VANITY });
    expect([refused.status, refused.headers['x-laurel-reason']]).toEqual([403, 'not_admin']);
    expect((await frameOriginsOf(c.emulator.issuer, c.clientId)).configured).toEqual([VANITY]);
  });

  it('removes a site an administrator added: the CSP no longer names it', async () => {
    const ltik = await adminLtik();
    const removed = await postOrigin(ltik, { action: 'remove', origin: VANITY });
    expect(removed.status).toBe(200);
    expect(htmlText(removed.text)).toContain(`${VANITY} is no longer added by hand`);
    expect(originRows(removed.text).map(([site]) => site)).not.toContain(VANITY);
    expect(await frameAncestors()).not.toContain(VANITY);
    const again = await postOrigin(ltik, { action: 'remove', origin: VANITY });
    expect(htmlText(again.text)).toContain(`${VANITY} was not added by hand; nothing changed.`);
    const audit = await auditOfPlatform(registrationKey({ issuer: c.emulator.issuer, clientId: c.clientId }));
    expect(audit.filter((e) => e.action === 'platform.frameOriginRemoved').map((e) => e.detail)).toEqual([VANITY]);
  });
});
