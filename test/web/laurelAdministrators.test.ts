/**
 * Who is a Laurel administrator of a platform. Canvas sends
 * institution/person#Administrator for every account-level role, a sub-account admin's too, and
 * tells root account admins apart only by the variable substitution $Canvas.user.isRootAccountAdmin
 * (canvas-lms lib/lti/variable_expander.rb: "Returns true for root account admins and false for
 * all other roles", `@current_user.roles(@root_account).include? "root_admin"`), which Laurel asks
 * for as the custom parameter canvas_user_is_root_admin. A sub-account admin keeps their courses
 * (staff by role) and is refused everything platform-wide with a 403 that says who can grant it;
 * a Laurel administrator grants it by LMS user id on the admin page or with the command line.
 * Moodle sends the Administrator roles to site administrators only: they stay administrators.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { listPlatforms } from '../../src/lti/platforms.js';
import { auditOfPlatform, registrationKey } from '../../src/store/auditLog.js';
import type { SeedUser } from '../emulator/course.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const cli = resolve(__dirname, '../../dist/src/cli/platform.js');
const run = promisify(execFile);

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

interface Launched { ltik: string; custom: Record<string, string>; roles: string[] }

/** Launches a course member as the LMS would with these extra account roles. */
async function launchAs(c: Connected, user: SeedUser, extra: Partial<Pick<SeedUser, 'siteAdmin' | 'subAccountAdmin'>> = {}): Promise<Launched> {
  Object.assign(user, extra);
  try {
    const steps = await startLaunch(c, { userId: user.id });
    const claims = JSON.parse(Buffer.from(steps.idToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    const res = await finishLaunch(steps);
    return { ltik: new URL(res.headers.location, laurel.url).searchParams.get('ltik')!, custom: claims[`${LTI}custom`] as Record<string, string>, roles: claims[`${LTI}roles`] as string[] };
  } finally { user.siteAdmin = false; user.subAccountAdmin = false; }
}

const q = (ltik: string) => `ltik=${encodeURIComponent(ltik)}`;
const get = (path: string, ltik: string) => request(laurel.url).get(`${path}?${q(ltik)}`);
const post = (path: string, ltik: string, form: Record<string, string> = {}) => request(laurel.url).post(`${path}?${q(ltik)}`).type('form').send(form);

/** Whether the course dashboard of this launch links to the admin page (the link carries the launch's session). */
async function dashboardLinksToAdmin(ltik: string): Promise<boolean> {
  const page = await get('/course', ltik);
  expect(page.status).toBe(200);
  const link = page.text.match(/<a [^>]*href="\/admin\?([^"#]*)"[^>]*>([^<]*)<\/a>/);
  if (link) expect([new URLSearchParams(link[1].replace(/&amp;/g, '&')).get('ltik'), link[2]]).toEqual([ltik, 'Laurel administration']);
  return link !== null;
}

describe('Canvas: root account admins, sub-account admins and granted administrators', () => {
  let c: Connected;
  let instructor: SeedUser;
  let teacher: SeedUser;
  beforeAll(async () => {
    c = await connectEmulator(laurel, 'canvas');
    [instructor, teacher] = c.emulator.course.users.filter((u) => u.role === 'Instructor' || u.role === 'TeachingAssistant');
  });
  afterAll(async () => { await c?.emulator.close(); });

  it('asks Canvas whether the person administers the root account, as Canvas answers it: "true" or "false"', async () => {
    const root = await launchAs(c, instructor, { siteAdmin: true });
    const sub = await launchAs(c, instructor, { subAccountAdmin: true });
    expect(root.custom.canvas_user_is_root_admin).toBe('true');
    expect(sub.custom.canvas_user_is_root_admin).toBe('false');
    // The same role for both: the role alone cannot tell them apart.
    const admin = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';
    expect(root.roles).toContain(admin);
    expect(sub.roles).toContain(admin);
  });

  it('refuses a sub-account admin the admin page and every platform-wide action, saying who can grant it', async () => {
    const { ltik } = await launchAs(c, instructor, { subAccountAdmin: true });
    const page = await get('/admin', ltik);
    expect(page.status).toBe(403);
    expect(page.headers['x-laurel-reason']).toBe('not_admin');
    const text = htmlText(page.text);
    expect(text).toContain('a sub-account administrator is not one');
    expect(text).toContain(`npm run platform -- grant-admin PLATFORM_ID ${instructor.lmsId}`);
    expect(text).toContain(`add your LMS user id (${instructor.lmsId}) on the admin page`);
    for (const path of ['/admin/issuer/rotate-keys', '/admin/lms/disconnect', '/admin/sync-interval', '/admin/administrators']) {
      const res = await post(path, ltik, path === '/admin/administrators' ? { userId: instructor.lmsId } : {});
      expect([path, res.status, res.headers['x-laurel-reason']]).toEqual([path, 403, 'not_admin']);
    }
    const json = await request(laurel.url).get(`/admin?${q(ltik)}`).set('Accept', 'application/json');
    expect(json.body).toMatchObject({ error: 'not_admin', todo: expect.stringContaining(`grant-admin PLATFORM_ID ${instructor.lmsId}`) });
    // Their courses stay theirs: staff by their course role, with no link to the admin page.
    const course = await get('/course', ltik);
    expect(course.status).toBe(200);
    expect(course.text).not.toContain('href="/admin?');
  });

  it('seeds a sub-account admin as Canvas launches one into a course of their sub-account: Administrator, no course role, staff there, no admin page', async () => {
    // lib/lti/substitutions_helper.rb (all_roles): context roles from current enrolments, institution roles from user.roles(root_account), where any account admin is "admin".
    const seeded = c.emulator.course.users.find((u) => u.subAccountAdmin)!;
    expect(seeded.enrolled).toBe(false);
    expect(seeded.siteAdmin).toBeFalsy();
    const steps = await startLaunch(c, { userId: seeded.id });
    const claims = JSON.parse(Buffer.from(steps.idToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(claims[`${LTI}roles`]).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/system/person#User', 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator']);
    expect(claims[`${LTI}custom`]).toMatchObject({ canvas_user_id: seeded.lmsId, canvas_user_is_root_admin: 'false' });
    const ltik = new URL((await finishLaunch(steps)).headers.location, laurel.url).searchParams.get('ltik')!;
    expect((await get('/course', ltik)).status).toBe(200);
    expect((await get('/admin', ltik)).status).toBe(403);
  });

  it('gives a root account admin the admin page, and a link to it from the course dashboard', async () => {
    const { ltik } = await launchAs(c, instructor, { siteAdmin: true });
    const page = await get('/admin', ltik);
    expect(page.status).toBe(200);
    expect(htmlText(page.text)).toContain(`Your LMS user id: ${instructor.lmsId}.`);
    expect(await dashboardLinksToAdmin(ltik)).toBe(true);
    // The same instructor launching without the root admin's signal sees no link.
    expect(await dashboardLinksToAdmin((await launchAs(c, instructor)).ltik)).toBe(false);
  });

  it('lets a root admin make a sub-account admin (or anyone) an administrator and undo it, audit-logged', async () => {
    const root = await launchAs(c, instructor, { siteAdmin: true });
    const refused = await post('/admin/administrators', root.ltik, { userId: 'not an id!', action: 'grant' });
    expect(refused.status).toBe(400);
    expect(htmlText(refused.text)).toContain('LMS user id: type the person\'s id in the LMS');

    const granted = await post('/admin/administrators', root.ltik, { userId: teacher.lmsId, action: 'grant' });
    expect(granted.status).toBe(200);
    expect(htmlText(granted.text)).toContain(`LMS user ${teacher.lmsId} is a Laurel administrator of this platform.`);
    expect(granted.text).toContain(`Remove ${teacher.lmsId}`);

    const sub = await launchAs(c, teacher, { subAccountAdmin: true });
    expect((await get('/admin', sub.ltik)).status).toBe(200);
    expect((await post('/admin/issuer/rotate-keys', sub.ltik)).status).toBe(200);
    // A grant needs no Canvas admin role at all: the teacher as they are, whose dashboard links to the admin page.
    const plain = await launchAs(c, teacher);
    expect((await get('/admin', plain.ltik)).status).toBe(200);
    expect(await dashboardLinksToAdmin(plain.ltik)).toBe(true);

    const revoked = await post('/admin/administrators', root.ltik, { userId: teacher.lmsId, action: 'revoke' });
    expect(htmlText(revoked.text)).toContain(`LMS user ${teacher.lmsId} is no longer a Laurel administrator`);
    expect((await get('/admin', (await launchAs(c, teacher, { subAccountAdmin: true })).ltik)).status).toBe(403);
    // Revoked, the link goes too: the same session no longer sees it.
    expect(await dashboardLinksToAdmin(plain.ltik)).toBe(false);

    const audit = await auditOfPlatform(registrationKey({ issuer: c.emulator.issuer, clientId: c.clientId }));
    expect(audit.filter((e) => e.action.startsWith('platform.admin')).map((e) => [e.action, e.actor, e.detail])).toEqual([
      ['platform.adminRevoked', expect.any(String), `LMS user ${teacher.lmsId}`],
      ['platform.adminGranted', expect.any(String), `LMS user ${teacher.lmsId}`],
    ]);
  });

  it('grants the first administrator from the command line (grant-admin, revoke-admin)', async () => {
    const platformId = (await listPlatforms()).find((p) => p.clientId === c.clientId)!.platformId;
    const cliRun = (...args: string[]) => run(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH!, MONGODB_URI: laurel.config.mongodbUri!, LAUREL_SECRET: laurel.config.secret, NODE_ENV: 'test' } });
    const out = await cliRun('grant-admin', platformId, instructor.lmsId);
    expect(out.stdout).toContain(`platform ${platformId}: LMS user ${instructor.lmsId} is now a Laurel administrator`);
    expect((await get('/admin', (await launchAs(c, instructor, { subAccountAdmin: true })).ltik)).status).toBe(200);
    expect((await cliRun('revoke-admin', platformId, instructor.lmsId)).stdout).toContain('is no longer a Laurel administrator');
    expect((await get('/admin', (await launchAs(c, instructor, { subAccountAdmin: true })).ltik)).status).toBe(403);
    const audit = await auditOfPlatform(registrationKey({ issuer: c.emulator.issuer, clientId: c.clientId }));
    expect(audit.slice(0, 2).map((e) => [e.action, e.actor])).toEqual([['platform.adminRevoked', 'cli'], ['platform.adminGranted', 'cli']]);
  });
});

describe('Moodle: site administrators stay administrators', () => {
  let c: Connected;
  beforeAll(async () => { c = await connectEmulator(laurel, 'moodle'); });
  afterAll(async () => { await c?.emulator.close(); });

  it('gives the site administrator the admin page and refuses the teacher', async () => {
    const teacher = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const admin = await launchAs(c, teacher, { siteAdmin: true });
    expect(admin.custom.canvas_user_is_root_admin).toBeUndefined();
    expect((await get('/admin', admin.ltik)).status).toBe(200);
    expect(await dashboardLinksToAdmin(admin.ltik)).toBe(true);
    // subAccountAdmin is a Canvas notion: a Moodle teacher with it is a teacher.
    const teacherLtik = (await launchAs(c, teacher, { subAccountAdmin: true })).ltik;
    expect((await get('/admin', teacherLtik)).status).toBe(403);
    expect(await dashboardLinksToAdmin(teacherLtik)).toBe(false);
  });
});
