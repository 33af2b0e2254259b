/**
 * The LMS API connection (issue 8), set by the platform's administrator on the admin page or with
 * `npm run platform`: a Moodle token is checked with the (emulated) Moodle before it is kept, a
 * Canvas developer key is kept with the instructors' grants that belong to it, secrets are sealed
 * and never shown, every change is audited, instructors cannot change it, and re-sealing after a
 * new LAUREL_SECRET covers its secrets. A Moodle token is checked on a real course (issue 13): each
 * capability its account lacks is named, a disabled service is said to be disabled, and a failing
 * API is said to the teacher in Laurel's words, logged at warn and shown on the admin page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import mongoose from 'mongoose';
import request from 'supertest';
import pino from 'pino';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { Browser, connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { CANVAS_API_SCOPES, CANVAS_CONVERSATIONS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_ITEMS_SCOPE, CANVAS_READ_SCOPES } from '../../src/lms/canvasRest/canvasOAuth.js';
import { canvasRedirectUri } from '../../src/lms/canvasRest/canvasRedirect.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';
import { MOODLE_ROLE_CAPABILITIES } from '../../src/lms/moodleWs/moodleCapabilities.js';
import { connectCanvasApi, connectMoodleWs } from '../../src/lms/sources/connectLms.js';
import { listPlatforms } from '../../src/lti/platforms.js';
import { resealAll } from '../../src/store/reseal.js';
import { configureSealing, keyIdOf, sealedKeyId } from '../../src/secrets/sealed.js';
import { AuditEntryModel } from '../../src/store/auditLog.js';
import { CanvasGrantModel, deleteCanvasGrantsOf, grantTokens, saveCanvasGrant } from '../../src/store/canvasGrant.js';
import { connectCanvas, connectionSecrets, disconnectLms, lmsConnectionOf } from '../../src/store/lmsConnection.js';
import { retryGradebookWrites } from '../../src/jobs/gradebookRetry.js';

const COMPLETION = 'core_completion_get_activities_completion_status';
const cli = resolve(__dirname, '../../dist/src/cli/platform.js');
const run = promisify(execFile);

let laurel: RunningLaurel;
let moodle: Connected;
let canvas: Connected;
beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  moodle = await connectEmulator(laurel, 'moodle');
  canvas = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => {
  await moodle?.emulator.close();
  await canvas?.emulator.close();
  await laurel?.close();
});

async function ltikOf(c: Connected, userId: string, locale?: string) {
  const res = await finishLaunch(await startLaunch(c, { userId, locale }));
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

const instructorOf = (c: Connected) => c.emulator.course.users.find((u) => u.role === 'Instructor')!;

/** Launches the course's instructor with the LMS's administrator role added. */
async function adminLtikOf(c: Connected, locale?: string) {
  const admin = instructorOf(c);
  admin.siteAdmin = true;
  try { return await ltikOf(c, admin.id, locale); } finally { admin.siteAdmin = false; }
}

const adminPage = (ltik: string) => request(laurel.url).get(`/admin?ltik=${encodeURIComponent(ltik)}`);
const post = (ltik: string, path: string, form: Record<string, string> = {}) => request(laurel.url).post(`${path}?ltik=${encodeURIComponent(ltik)}`).type('form').send(form);

/** The LMS API section's text, and its table as { header: cell }. */
function lmsSection(html: string) {
  const section = html.match(/<section aria-labelledby="lms-heading">([\s\S]*?)<\/section>/)?.[1];
  if (!section) throw new Error('no LMS API section');
  const body = section.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? '';
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => htmlText(cell[1])));
  return { html: section, text: htmlText(section), table: Object.fromEntries(rows) as Record<string, string> };
}

const rawConnection = (c: Connected) => mongoose.connection.db!.collection('lmsconnections').findOne({ issuer: c.emulator.issuer, clientId: c.clientId });
const auditDetails = async (c: Connected) => (await AuditEntryModel.find({ platform: `${c.emulator.issuer} ${c.clientId}`, action: 'platform.settings' }).sort({ at: 1 }).lean()).map((e) => e.detail);
const grantsOf = (c: Connected) => CanvasGrantModel.countDocuments({ issuer: c.emulator.issuer, clientId: c.clientId });

async function grant(c: Connected, userId: string) {
  await saveCanvasGrant(c.emulator.issuer, c.clientId, userId, { accessToken: `access-${randomBytes(8).toString('hex')}`, refreshToken: `refresh-${randomBytes(8).toString('hex')}`, expiresAt: new Date(Date.now() + 3_600_000), canvasUserId: userId });
}

describe('connecting Moodle on the admin page', () => {
  const goodToken = () => moodle.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] });

  it('shows the setup steps with the functions to add, and Moodle\'s address from the issuer', async () => {
    const page = await adminPage(await adminLtikOf(moodle));
    expect(page.status).toBe(200);
    const section = lmsSection(page.text);
    expect(section.text).toContain('Not connected: Laurel reads only what LTI gives it.');
    for (const f of MOODLE_WS_FUNCTIONS) expect(section.html).toContain(`<code>${f}</code>`);
    expect(section.html).toContain(`name="baseUrl" type="url" required placeholder="https://moodle.school.edu" value="${moodle.emulator.issuer}"`);
    expect(section.html).not.toContain('/admin/lms/canvas'); // Moodle's launch: no Canvas form
    expect(section.html).not.toContain('/admin/lms/disconnect');
  });

  it('refuses a token whose service lacks a function, naming exactly which to add, and stores nothing', async () => {
    const token = moodle.emulator.moodleWsToken({ functions: MOODLE_WS_FUNCTIONS.filter((f) => f !== COMPLETION) });
    const res = await post(await adminLtikOf(moodle), '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token });
    expect(res.status).toBe(400);
    const text = htmlText(res.text);
    expect(text).toContain(`token: the token's Moodle service does not allow every function Laurel calls; add these to it (Site administration → Server → Web services → External services → Functions), then save again: ${COMPLETION}`);
    expect(text).toContain('Nothing was changed.');
    expect(res.text).not.toContain(token);
    expect(await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId)).toBeNull();

    const narrow = moodle.emulator.moodleWsToken({ functions: ['core_course_get_contents'] });
    const two = htmlText((await post(await adminLtikOf(moodle), '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token: narrow })).text);
    expect(two).toContain('then save again: gradereport_user_get_grade_items, core_completion_get_activities_completion_status, core_enrol_get_enrolled_users');
  });

  it('refuses a revoked token, an address where no Moodle answers, and what is not an address or a token', async () => {
    const ltik = await adminLtikOf(moodle);
    const revoked = goodToken();
    moodle.emulator.revokeMoodleWsToken(revoked);
    const refused = await post(ltik, '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token: revoked });
    expect(refused.status).toBe(400);
    expect(htmlText(refused.text)).toContain(`token: Moodle at ${moodle.emulator.url} does not know this token (mistyped, deleted or expired): create one for Laurel's service (Site administration → Server → Web services → Manage tokens) and paste it`);

    const nowhere = await post(ltik, '/admin/lms/moodle', { baseUrl: `${moodle.emulator.url}/elsewhere`, token: goodToken() });
    expect(nowhere.status).toBe(400);
    expect(htmlText(nowhere.text)).toMatch(/base URL: Laurel could not check the token with Moodle at http:\/\/127\.0\.0\.1:\d+\/elsewhere: Not found: POST .*\/elsewhere\/webservice\/rest\/server\.php answered 404/);

    const typed = await post(ltik, '/admin/lms/moodle', { baseUrl: `${moodle.emulator.url}/?lang=en`, token: 'not a token' });
    expect(typed.status).toBe(400);
    const text = htmlText(typed.text);
    expect(text).toContain(`base URL: "${moodle.emulator.url}/?lang=en" is not an http(s) address without a query, such as https://moodle.school.edu`);
    expect(text).toContain('token: paste the token Moodle created for Laurel\'s service, without spaces');
    expect(typed.text).toContain(`value="${moodle.emulator.url}/?lang=en"`); // kept to fix
    expect(await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId)).toBeNull();
    expect(await auditDetails(moodle)).toEqual([]);
  });

  it('says the problems in the page\'s language', async () => {
    const res = await post(await adminLtikOf(moodle, 'fr'), '/admin/lms/moodle', { baseUrl: '', token: '' });
    expect(res.status).toBe(400);
    const text = htmlText(res.text);
    expect(text).toContain('URL de base : indiquez l\'adresse du LMS, par exemple https://moodle.school.edu');
    expect(text).toContain('jeton : collez le jeton que Moodle a créé pour le service de Laurel');
  });

  it('connects with a good token, kept sealed and never shown; saving it again changes nothing', async () => {
    const token = goodToken();
    const ltik = await adminLtikOf(moodle);
    const res = await post(ltik, '/admin/lms/moodle', { baseUrl: `${moodle.emulator.url}/`, token });
    expect(res.status).toBe(200);
    expect(htmlText(res.text)).toContain('Laurel is connected to Moodle\'s web services: the token allows every function Laurel calls.');
    expect(res.text).not.toContain(token);

    const raw = await rawConnection(moodle);
    expect(JSON.stringify(raw)).not.toContain(token);
    expect(raw!.token).toMatch(/^v1\./);
    const stored = (await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!;
    expect(stored).toMatchObject({ kind: 'moodle-ws', baseUrl: moodle.emulator.url, updatedBy: instructorOf(moodle).name });
    expect(connectionSecrets(stored).token).toBe(token);

    const section = lmsSection((await adminPage(ltik)).text);
    expect(section.table).toMatchObject({ API: 'Moodle web services', Address: moodle.emulator.url, Token: 'set (never shown)' });
    expect(section.table.Connected).toMatch(new RegExp(`^[A-Z][a-z]+ \\d{1,2}, \\d{4}, by ${instructorOf(moodle).name}$`));
    expect(section.html).not.toContain(token);
    expect(await auditDetails(moodle)).toEqual([`LMS API: Moodle web services at ${moodle.emulator.url}`]);

    const again = await post(ltik, '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token });
    expect(again.status).toBe(200);
    expect((await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!.updatedAt).toEqual(stored.updatedAt);
    expect(await auditDetails(moodle)).toHaveLength(1);

    const csv = (await request(laurel.url).get(`/admin/audit.csv?ltik=${encodeURIComponent(ltik)}`)).text;
    expect(csv).toContain(`LMS API: Moodle web services at ${moodle.emulator.url}`);
    expect(csv).not.toContain(token);
  });

  it('a token missing a function does not replace a working one', async () => {
    const before = (await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!;
    const token = moodle.emulator.moodleWsToken({ functions: MOODLE_WS_FUNCTIONS.filter((f) => f !== COMPLETION) });
    expect((await post(await adminLtikOf(moodle), '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token })).status).toBe(400);
    expect(await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId)).toEqual(before);
  });

  /** The README's role: every capability Laurel needs, and the view capability of the course's activity types. */
  const ROLE = [...MOODLE_ROLE_CAPABILITIES, 'mod/assign:view', 'mod/page:view', 'mod/lti:view', 'mod/quiz:view'];

  it('a disabled service gets the advice to enable it, not to add functions; nothing is stored', async () => {
    const before = await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId);
    const token = moodle.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS], serviceEnabled: false });
    const res = await post(await adminLtikOf(moodle), '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token });
    expect(res.status).toBe(400);
    const text = htmlText(res.text);
    expect(text).toContain(`token: Moodle at ${moodle.emulator.url} knows the token but refuses every function Laurel calls (Moodle says only "Access control exception"): Laurel's external service is disabled`);
    expect(text).toContain('A Moodle administrator ticks "Enabled" on the service (Site administration → Server → Web services → External services → Edit)');
    expect(text).not.toContain('add these to it');
    expect(await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId)).toEqual(before);

    const fr = htmlText((await post(await adminLtikOf(moodle, 'fr'), '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token })).text);
    expect(fr).toContain('connaît le jeton mais refuse toutes les fonctions qu\'appelle Laurel');
  });

  it('a token whose account lacks capabilities is saved with a warning naming each; "Check again" after the role is fixed says all works', async () => {
    const ltik = await adminLtikOf(moodle);
    await post(ltik, '/admin/lms/disconnect');
    const token = moodle.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS], capabilities: ROLE.filter((c) => !['gradereport/user:view', 'report/progress:view', 'mod/lti:view'].includes(c)) });
    const res = await post(ltik, '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token });
    expect(res.status).toBe(200);
    const courseId = moodle.emulator.course.id;
    expect(htmlText(res.text)).toContain('Laurel saved the token, but Moodle does not let it read everything yet: a Moodle administrator fixes what "Last check" lists, then click "Check again".');
    const check = lmsSection(res.text).table['Last check'];
    expect(check).toMatch(new RegExp(`on course ${courseId}: to fix in Moodle:`));
    for (const [cap, fn] of [['gradereport/user:view', 'gradereport_user_get_grade_items'], ['report/progress:view', COMPLETION]]) {
      expect(check).toContain(`capability ${cap}: the token's Moodle account lacks it (Moodle refused ${fn} in course ${courseId}); a Moodle administrator allows it (Site administration → Users → Permissions → Define roles, the role of the token's account → Edit), then checks again`);
    }
    expect(check).toContain(`capability mod/lti:view: the token's Moodle account lacks it (course ${courseId} holds a lti activity, Laurel's own at least, yet Moodle lists none to the account`);
    expect(res.text).not.toContain(token);
    expect(connectionSecrets((await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!).token).toBe(token);
    expect((await auditDetails(moodle)).at(-1)).toBe(`LMS API: Moodle web services at ${moodle.emulator.url}; the check on course ${courseId} found 3 thing(s) to fix in Moodle`);

    // Such a token never replaces one that works: here, none worked yet. The Moodle administrator grants the role; checking again says so.
    moodle.emulator.changeMoodleWsToken(token, { capabilities: ROLE });
    const again = await post(ltik, '/admin/lms/moodle/check', { courseId });
    expect(again.status).toBe(200);
    expect(htmlText(again.text)).toContain(`Laurel checked the Moodle token on course ${courseId}: every function and capability it needs works.`);
    expect(lmsSection(again.text).table['Last check']).toMatch(new RegExp(`on course ${courseId}: every function and capability Laurel needs works\\.$`));

    // Now it works, a lacking token does not replace it.
    const lacking = moodle.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS], capabilities: ROLE.filter((c) => c !== 'moodle/course:enrolreview') });
    const refused = await post(ltik, '/admin/lms/moodle', { baseUrl: moodle.emulator.url, token: lacking });
    expect(refused.status).toBe(400);
    expect(htmlText(refused.text)).toContain('capability moodle/course:enrolreview: the token\'s Moodle account lacks it');
    expect(connectionSecrets((await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!).token).toBe(token);

    // A course that does not exist, or a course id that is not one, is said as such.
    expect(htmlText((await post(ltik, '/admin/lms/moodle/check', { courseId: '999' })).text)).toContain(`course: Moodle at ${moodle.emulator.url} has no course 999`);
    expect(htmlText((await post(ltik, '/admin/lms/moodle/check', { courseId: 'algebra' })).text)).toContain('course: "algebra" is not a Moodle course id');
  });

  it('a failing API in a course: the teacher reads it in Laurel\'s words with who fixes it; it is logged at warn, and the admin page shows the last failure', async () => {
    const stored = (await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!;
    const token = connectionSecrets(stored).token!;
    // A Moodle administrator changes the role after the connection was checked.
    moodle.emulator.changeMoodleWsToken(token, { capabilities: ROLE.filter((c) => c !== 'gradereport/user:view') });
    const from = laurel.logs.length;
    const teacher = await ltikOf(moodle, instructorOf(moodle).id);
    const dashboard = await request(laurel.url).get(`/course?ltik=${encodeURIComponent(teacher)}`);
    expect(dashboard.status).toBe(200);
    const said = htmlText(dashboard.text);
    expect(said).toContain('Laurel could not read this course through the Moodle web service: The Moodle account of Laurel\'s token lacks the capability gradereport/user:view (Moodle refused gradereport_user_get_grade_items). A Moodle administrator allows it in that account\'s role (Site administration → Users → Permissions → Define roles)');
    expect(said).not.toContain('Sorry, but you do not currently have permissions'); // Moodle's own words are for the log

    const fr = htmlText((await request(laurel.url).get(`/course?ltik=${encodeURIComponent(await ltikOf(moodle, instructorOf(moodle).id, 'fr'))}`)).text);
    expect(fr).toContain('Laurel n\'a pas pu lire ce cours par le service web Moodle : Le compte Moodle du jeton de Laurel n\'a pas la capacité gradereport/user:view');

    const warned = laurel.logs.slice(from).filter((l) => l.msg === 'LMS API reading failed');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned[0]).toMatchObject({
      level: 40, source: 'moodle-ws', lmsCourseId: moodle.emulator.course.id, wsfunction: 'gradereport_user_get_grade_items', errorcode: 'nopermissions',
      moodleSaid: 'Sorry, but you do not currently have permissions to do that (View user report).', problem: 'moodle.capability',
    });
    expect(JSON.stringify(laurel.logs)).not.toContain(token);

    const admin = lmsSection((await adminPage(await adminLtikOf(moodle))).text);
    expect(admin.table['Last failure']).toMatch(new RegExp(`reading course ${moodle.emulator.course.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${moodle.emulator.course.id}\\): The Moodle account of Laurel's token lacks the capability gradereport/user:view`));
    moodle.emulator.changeMoodleWsToken(token, { capabilities: ROLE });
  });

  it('disconnects, audited; disconnecting again changes nothing', async () => {
    const ltik = await adminLtikOf(moodle);
    const res = await post(ltik, '/admin/lms/disconnect');
    expect(res.status).toBe(200);
    expect(htmlText(res.text)).toContain('Laurel is no longer connected to the LMS\'s API.');
    expect(lmsSection(res.text).text).toContain('Not connected');
    expect(await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId)).toBeNull();
    const audited = await auditDetails(moodle);
    expect(audited.at(-1)).toBe(`LMS API disconnected (was moodle-ws at ${moodle.emulator.url})`);
    expect(htmlText((await post(ltik, '/admin/lms/disconnect')).text)).toContain('There was no LMS API connection: nothing changed.');
    expect(await auditDetails(moodle)).toHaveLength(audited.length);
  });
});

describe('connecting Canvas on the admin page', () => {
  it('shows the Redirect URI to enter in the developer key and the scopes to allow, with the issuer as Canvas\'s address', async () => {
    const page = await adminPage(await adminLtikOf(canvas));
    const section = lmsSection(page.text);
    expect(section.html).toContain(`In Redirect URIs, enter <code>${canvasRedirectUri(laurel.url)}</code>.`);
    for (const scope of CANVAS_API_SCOPES) expect(section.html).toContain(`<code>${scope}</code>`);
    expect(section.html).toContain(`value="${canvas.emulator.issuer}"`);
    expect(section.html).not.toContain('/admin/lms/moodle');
  });

  it('refuses what is not an address, a client id or a secret, saying what to fix, and stores nothing', async () => {
    const res = await post(await adminLtikOf(canvas), '/admin/lms/canvas', { baseUrl: 'ftp://canvas.example.edu', apiClientId: 'key-12', apiClientSecret: ' ' });
    expect(res.status).toBe(400);
    const text = htmlText(res.text);
    expect(text).toContain('base URL: "ftp://canvas.example.edu" is not an http(s) address without a query, such as https://school.instructure.com');
    expect(text).toContain('client id: give the developer key\'s client id, which is all digits (Admin → Developer Keys, the Details column)');
    expect(text).toContain('client secret: paste the developer key\'s secret, without spaces (Admin → Developer Keys, Show Key)');
    expect(res.text).toContain('value="key-12"');
    expect(await lmsConnectionOf(canvas.emulator.issuer, canvas.clientId)).toBeNull();
  });

  it('connects a developer key, its secret sealed and never shown; a new key or address drops the grants of the old one', async () => {
    const ltik = await adminLtikOf(canvas);
    const key = canvas.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url) });
    const form = { baseUrl: canvas.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: 'on' };
    const res = await post(ltik, '/admin/lms/canvas', form);
    expect(res.status).toBe(200);
    expect(htmlText(res.text)).toContain('Laurel is connected to the Canvas API.');
    const section = lmsSection(res.text);
    expect(section.table).toMatchObject({
      API: 'Canvas REST API', Address: canvas.emulator.url, 'Developer key (client id)': key.clientId, 'Client secret': 'set (never shown)',
      'Enforces scopes': 'yes: Laurel asks for the read scopes listed below, and for the edit one only from a course with a "Badge:" column',
    });
    expect(res.text).not.toContain(key.clientSecret);
    expect((await adminPage(ltik)).text).not.toContain(key.clientSecret);
    const raw = await rawConnection(canvas);
    expect(JSON.stringify(raw)).not.toContain(key.clientSecret);
    expect(connectionSecrets((await lmsConnectionOf(canvas.emulator.issuer, canvas.clientId))!).apiClientSecret).toBe(key.clientSecret);

    // Two instructors grant access with this key; the same key saved again, scopes no longer enforced, keeps their grants.
    await grant(canvas, instructorOf(canvas).id);
    await grant(canvas, 'another-instructor');
    const unticked = await post(ltik, '/admin/lms/canvas', { baseUrl: form.baseUrl, apiClientId: form.apiClientId, apiClientSecret: form.apiClientSecret });
    expect(lmsSection(unticked.text).table['Enforces scopes']).toBe('no');
    expect(await grantsOf(canvas)).toBe(2);

    const other = canvas.emulator.canvasApiKey();
    const replaced = await post(ltik, '/admin/lms/canvas', { baseUrl: canvas.emulator.url, apiClientId: other.clientId, apiClientSecret: other.clientSecret });
    expect(replaced.status).toBe(200);
    expect(htmlText(replaced.text)).toContain('2 instructors\' Canvas grants went with the old key: they connect again.');
    expect(await grantsOf(canvas)).toBe(0);

    const details = await auditDetails(canvas);
    expect(details).toEqual([
      `LMS API: Canvas REST at ${canvas.emulator.url}, developer key ${key.clientId}, scopes enforced`,
      `LMS API: Canvas REST at ${canvas.emulator.url}, developer key ${key.clientId}`,
      `LMS API: Canvas REST at ${canvas.emulator.url}, developer key ${other.clientId}; 2 instructor grant(s) of the previous developer key dropped`,
    ]);
    const csv = (await request(laurel.url).get(`/admin/audit.csv?ltik=${encodeURIComponent(ltik)}`)).text;
    for (const secret of [key.clientSecret, other.clientSecret]) expect(csv).not.toContain(secret);
  });

  it('disconnecting forgets the key and every instructor\'s grant', async () => {
    await grant(canvas, instructorOf(canvas).id);
    const res = await post(await adminLtikOf(canvas), '/admin/lms/disconnect');
    expect(res.status).toBe(200);
    expect(htmlText(res.text)).toContain('1 instructor\'s Canvas grant went with the old key: they connect again.');
    expect(await lmsConnectionOf(canvas.emulator.issuer, canvas.clientId)).toBeNull();
    expect(await grantsOf(canvas)).toBe(0);
  });
});

describe('the LMS API connection is for administrators only', () => {
  it('refuses its forms to an instructor who is not an administrator, changing nothing', async () => {
    for (const c of [moodle, canvas]) {
      const ltik = await ltikOf(c, instructorOf(c).id);
      const token = c.emulator.flavour === 'moodle' ? moodle.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] }) : 'x';
      const key = c.emulator.flavour === 'canvas' ? canvas.emulator.canvasApiKey() : { clientId: '1', clientSecret: 's' };
      for (const [path, form] of [
        ['/admin/lms/moodle', { baseUrl: c.emulator.url, token }],
        ['/admin/lms/canvas', { baseUrl: c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret }],
        ['/admin/lms/disconnect', {}],
      ] as const) {
        const res = await post(ltik, path, form);
        expect(res.status, path).toBe(403);
        expect(res.headers['x-laurel-reason']).toBe('not_admin');
      }
      expect(await lmsConnectionOf(c.emulator.issuer, c.clientId)).toBeNull();
    }
  });
});

describe('npm run platform -- connect-moodle, connect-canvas, disconnect', () => {
  const platformCli = (...args: string[]) => run(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH!, MONGODB_URI: laurel.config.mongodbUri!, LAUREL_SECRET: laurel.config.secret, NODE_ENV: 'test' },
  });
  const platformIdOf = async (c: Connected) => (await listPlatforms()).find((p) => p.clientId === c.clientId)!.platformId;

  it('checks a Moodle token as the page does, then connects it, audited as the command line', async () => {
    const id = await platformIdOf(moodle);
    const lacking = moodle.emulator.moodleWsToken({ functions: MOODLE_WS_FUNCTIONS.filter((f) => f !== COMPLETION) });
    await expect(platformCli('connect-moodle', id, '--base-url', moodle.emulator.url, '--token', lacking))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining(`then save again: ${COMPLETION}`) });
    expect(await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId)).toBeNull();

    const token = moodle.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] });
    const done = await platformCli('connect-moodle', id, '--base-url', moodle.emulator.url, '--token', token);
    // No course of this platform launched Laurel yet from the command line's point of view but the admin page's: the check runs on the last one.
    expect(done.stdout).toContain(`platform ${id}: the token allows every function Laurel calls, checked on course ${moodle.emulator.course.id}; Moodle web services connected`);
    expect(done.stdout + done.stderr).not.toContain(token);
    const stored = (await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!;
    expect(stored).toMatchObject({ kind: 'moodle-ws', baseUrl: moodle.emulator.url, updatedBy: 'npm run platform' });
    expect(connectionSecrets(stored).token).toBe(token);
    const entry = await AuditEntryModel.findOne({ platform: `${moodle.emulator.issuer} ${moodle.clientId}` }).sort({ at: -1 }).lean();
    expect(entry).toMatchObject({ actor: 'cli', actorName: 'npm run platform', detail: `LMS API: Moodle web services at ${moodle.emulator.url}` });

    const again = await platformCli('connect-moodle', id, '--base-url', moodle.emulator.url, '--token', token);
    expect(again.stdout).toContain('already connected with it, nothing changed');
  });

  it('connects a Canvas developer key, says what is missing, and disconnects', async () => {
    const id = await platformIdOf(canvas);
    const key = canvas.emulator.canvasApiKey();
    await expect(platformCli('connect-canvas', id, '--base-url', canvas.emulator.url, '--api-client-id', key.clientId))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('connect-canvas needs --api-client-secret') });
    await expect(platformCli('connect-canvas', 'no-such-platform', '--base-url', canvas.emulator.url, '--api-client-id', key.clientId, `--api-client-secret=${key.clientSecret}`))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('no platform no-such-platform (see "list")') });
    await expect(platformCli('connect-canvas', id, '--base-url', 'canvas', '--api-client-id', key.clientId, `--api-client-secret=${key.clientSecret}`))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('base URL: "canvas" is not an http(s) address') });

    const done = await platformCli('connect-canvas', id, '--base-url', canvas.emulator.url, '--api-client-id', key.clientId, `--api-client-secret=${key.clientSecret}`, '--enforces-scopes');
    expect(done.stdout).toContain(`platform ${id}: Canvas API connected`);
    const stored = (await lmsConnectionOf(canvas.emulator.issuer, canvas.clientId))!;
    expect(stored).toMatchObject({ kind: 'canvas-rest', baseUrl: canvas.emulator.url, apiClientId: key.clientId, enforcesScopes: true });
    expect(connectionSecrets(stored).apiClientSecret).toBe(key.clientSecret);

    await grant(canvas, instructorOf(canvas).id);
    const gone = await platformCli('disconnect', id);
    expect(gone.stdout).toContain(`platform ${id}: LMS API disconnected; 1 instructor grant(s) of the previous Canvas key dropped`);
    expect(await lmsConnectionOf(canvas.emulator.issuer, canvas.clientId)).toBeNull();
    expect(await grantsOf(canvas)).toBe(0);
    expect((await platformCli('disconnect', id)).stdout).toContain('had no LMS API connection');
  });
});

describe('an instructor connects Canvas through a developer key that enforces scopes', () => {
  // canvas-lms app/controllers/oauth2_provider_controller.rb#auth refuses an authorize request naming a scope the key
  // lacks as a whole (Canvas::OAuth::InvalidScopeError, lib/canvas/oauth/provider.rb#valid_scopes?), sending the browser
  // back with error=invalid_scope and no state: the emulated Canvas does the same (test/emulator/canvasOAuth.ts).
  let c: Connected;
  let key: ReturnType<Connected['emulator']['canvasApiKey']>;
  let ltik: string;
  const quiet = pino({ level: 'silent' });
  const api = {
    get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
    post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
  };
  const page = (path: string) => request(laurel.url).get(`${path}?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
  const storedGrant = () => CanvasGrantModel.findOne({ issuer: c.emulator.issuer, clientId: c.clientId, userId: instructorOf(c).id }).lean();

  beforeAll(async () => {
    c = await connectEmulator(laurel, 'canvas');
    // An administrator kept the key read-only: Enforce Scopes on, the read scopes ticked, not the edit one.
    key = c.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url), scopes: [...CANVAS_READ_SCOPES] });
    await connectCanvas(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: true }, 'admin');
    ltik = await ltikOf(c, instructorOf(c).id);
  });
  // Gone with its grants, as an administrator's disconnection leaves it: the re-sealing below counts what is stored.
  afterAll(async () => {
    await disconnectLms(c.emulator.issuer, c.clientId);
    await deleteCanvasGrantsOf(c.emulator.issuer, c.clientId);
    await c?.emulator.close();
  });

  /**
   * "Connect Canvas" in one browser tab: Laurel → Canvas's authorize page (the emulator's, told who signs in) →
   * Laurel's callback, again while Laurel sends it back to Canvas. Answers the scopes of each request and the last page.
   */
  async function connectCanvasTab(language?: string): Promise<{ asked: string[][]; page: request.Response }> {
    const browser = new Browser();
    browser.language = language;
    const asked: string[][] = [];
    let res = await browser.go('get', `${laurel.url}/course/lms/canvas/connect?ltik=${encodeURIComponent(ltik)}`);
    for (let hops = 0; hops < 3 && res.status === 303; hops++) {
      const authorize = new URL(res.headers.location);
      expect(authorize.origin + authorize.pathname).toBe(`${c.emulator.url}/login/oauth2/auth`);
      asked.push(authorize.searchParams.get('scope')?.split(' ') ?? []);
      authorize.searchParams.set('user', instructorOf(c).lmsId);
      const back = await fetch(authorize, { redirect: 'manual' });
      expect(back.status).toBe(302);
      res = await browser.go('get', back.headers.get('location')!);
    }
    return { asked, page: res };
  }

  async function evaluate() {
    const started = await api.post('/api/course/evaluations');
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const job = (await api.get(started.headers.location)).body;
      if (job.status === 'done') return;
      if (job.status === 'failed') throw new Error(job.error);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('evaluation did not finish');
  }

  it('connects a read-only key from a course without a "Badge:" column: Laurel asks for the read scopes and the optional ones but the edit scope, and reads the course', async () => {
    const { asked, page: done } = await connectCanvasTab();
    // The items scope is asked too (Canvas ignores include[]=items for this key), and the conversations one (for messages);
    // Canvas names both as not granted, and they are asked again without them, in one more request.
    expect(asked).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES]]);
    expect(done.status).toBe(200);
    expect(htmlText(done.text)).toContain('Canvas is connected');
    expect(htmlText(done.text)).not.toContain('does not allow it to edit assignments');
    expect((await storedGrant())?.scopes).toEqual([...CANVAS_READ_SCOPES]);
    const columns = (await api.get('/api/course/line-items')).body.lineItems as { label: string; source: string }[];
    expect(columns).toContainEqual(expect.objectContaining({ label: 'Participation', source: 'canvas-rest' }));
  });

  it('asks for the edit scope too from a course with a "Badge:" column; refused by the read-only key, connects to read and says why', async () => {
    const quiz = ((await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Quiz 1')!;
    const created = await api.post('/api/course/badges', { name: 'Quiz Taker', description: 'Took quiz 1.', gradebookColumn: true, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz.id, percent: 10 }] } });
    expect(created.status).toBe(201);

    const { asked, page: done } = await connectCanvasTab();
    expect(asked).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES]]);
    expect(done.status).toBe(200);
    const text = htmlText(done.text);
    expect(text).toContain('Canvas is connected');
    expect(text).toContain(`Canvas's developer key for Laurel does not allow it to edit assignments (${CANVAS_EDIT_SCOPE}), so Laurel is connected to read this course only`);
    expect((await storedGrant())?.scopes).toEqual([...CANVAS_READ_SCOPES]);

    // The column is made; Laurel does not send Canvas an edit its grant cannot make, and says what to do.
    await evaluate();
    const column = c.emulator.course.activities.find((a) => a.label === 'Badge: Quiz Taker')!;
    expect(column).toBeDefined();
    expect(column.omitFromFinalGrade).not.toBe(true);
    expect(c.emulator.requests.filter((r) => r.method === 'PUT' && r.path.includes('/assignments/'))).toEqual([]);
    const dashboard = htmlText((await page('/course')).text);
    expect(dashboard).toContain('The "Badge: Quiz Taker" column still counts in Canvas\'s final grade: the Canvas connection was given without the right to edit assignments');
    expect(dashboard).toContain('Your Canvas connection lets Laurel read this course but not edit assignments');
    expect((await page('/course')).text).toContain('Connect Canvas again');
    expect(htmlText((await page('/course/badges/new')).text)).toContain('your Canvas connection lets Laurel read this course but not edit assignments');
  });

  it('once an administrator adds the edit scope to the key, connecting again asks for it and the column leaves the final grade', async () => {
    key.scopes!.push(CANVAS_EDIT_SCOPE);
    const { asked, page: done } = await connectCanvasTab();
    // Canvas names the items and conversations scopes as missing: the edit scope is kept.
    expect(asked).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES, CANVAS_EDIT_SCOPE]]);
    expect(htmlText(done.text)).not.toContain('does not allow it to edit assignments');
    expect((await storedGrant())?.scopes).toEqual([...CANVAS_READ_SCOPES, CANVAS_EDIT_SCOPE]);

    // The column Laurel could not leave out is written again (by the retrier, as every instance's would).
    await retryGradebookWrites(quiet);
    const column = c.emulator.course.activities.find((a) => a.label === 'Badge: Quiz Taker')!;
    expect(column.omitFromFinalGrade).toBe(true);
    expect(c.emulator.requests.some((r) => r.method === 'PUT' && r.path === `/api/v1/courses/${c.emulator.course.id}/assignments/${column.assignmentId}` && r.status === 200)).toBe(true);
    const dashboard = (await page('/course')).text;
    expect(htmlText(dashboard)).not.toContain('still counts in Canvas\'s final grade');
    expect(htmlText(dashboard)).not.toContain('Your Canvas connection lets Laurel read this course but not edit assignments');
    // Still without the conversations scope: the course page says so, and offers to connect again once the key has it.
    expect(htmlText(dashboard)).toContain('Your Canvas connection does not let Laurel send its messages to learners as Canvas conversations (url:POST|/api/v1/conversations)');
    expect(dashboard).toContain('Connect Canvas again');
  });

  it('once an administrator adds the conversations scope to the key, connecting again asks for it, records it, and the course page asks nothing more', async () => {
    key.scopes!.push(CANVAS_CONVERSATIONS_SCOPE);
    const { asked } = await connectCanvasTab();
    expect(asked).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE]]);
    expect((await storedGrant())?.scopes).toEqual([...CANVAS_READ_SCOPES, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE]);
    const dashboard = (await page('/course')).text;
    expect(htmlText(dashboard)).not.toContain('does not let Laurel send its messages');
    expect(dashboard).not.toContain('Connect Canvas again');
  });

  it('says what Canvas refused when the key lacks a read scope, in the page\'s language, and keeps the grant it had', async () => {
    key.scopes!.splice(key.scopes!.indexOf('url:GET|/api/v1/courses/:course_id/modules'), 1);
    const before = await storedGrant();
    const { asked, page: done } = await connectCanvasTab();
    // Refused with the items scope, asked again without it, refused again: what is missing now is a read scope.
    expect(asked).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE]]);
    expect(done.status).toBe(400);
    expect(done.headers['x-laurel-reason']).toBe('canvas_scope_refused');
    expect(htmlText(done.text)).toContain('Canvas\'s developer key for Laurel does not allow every scope Laurel asked for (Canvas said: A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner. The following scopes were requested, but not granted: url:GET|/api/v1/courses/:course_id/modules).');
    expect((await storedGrant())?.accessToken).toBe(before?.accessToken);

    // Laurel's admin page says the key does not enforce scopes, Canvas's does: Laurel asked for none, and says so (here in French).
    await connectCanvas(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: false }, 'admin');
    const unscoped = await connectCanvasTab('fr');
    expect(unscoped.asked).toEqual([[]]);
    expect(unscoped.page.headers['x-laurel-reason']).toBe('canvas_scopes_not_asked');
    expect(htmlText(unscoped.page.text)).toContain('La clé de développeur Canvas de Laurel impose des portées, mais la page d\'administration de Laurel dit le contraire');
  });
});

describe('re-sealing after a new LAUREL_SECRET', () => {
  it('moves the connections\' secrets and the instructors\' Canvas tokens under the new secret, once', async () => {
    const old = laurel.config.secret;
    const by = { actor: 'test', actorName: 'test' };
    const key = canvas.emulator.canvasApiKey();
    await connectCanvasApi({ issuer: canvas.emulator.issuer, clientId: canvas.clientId }, { baseUrl: canvas.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret }, by);
    await grant(canvas, instructorOf(canvas).id);
    const token = moodle.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] });
    await connectMoodleWs({ issuer: moodle.emulator.issuer, clientId: moodle.clientId }, { baseUrl: moodle.emulator.url, token }, by);
    const grantBefore = grantTokens((await CanvasGrantModel.findOne({ issuer: canvas.emulator.issuer }).lean())!);

    const renewed = randomBytes(32).toString('hex');
    configureSealing(renewed, [old]);
    const first = await resealAll(renewed, [old]);
    expect(first.unreadable).toEqual([]);
    expect(first.counts).toEqual(expect.arrayContaining([
      { collection: 'lmsconnections', resealed: 2, alreadyCurrent: 0 },
      { collection: 'canvasgrants', resealed: 1, alreadyCurrent: 0 },
    ]));

    const connections = await mongoose.connection.db!.collection('lmsconnections').find().toArray();
    const grants = await mongoose.connection.db!.collection('canvasgrants').find().toArray();
    const sealed = [...connections.map((c) => c.apiClientSecret ?? c.token), ...grants.flatMap((g) => [g.accessToken, g.refreshToken])] as string[];
    expect(sealed).toHaveLength(4);
    expect(new Set(sealed.map(sealedKeyId))).toEqual(new Set([keyIdOf(renewed)]));

    // Under the new secret alone, the same secrets open.
    configureSealing(renewed);
    expect(connectionSecrets((await lmsConnectionOf(canvas.emulator.issuer, canvas.clientId))!).apiClientSecret).toBe(key.clientSecret);
    expect(connectionSecrets((await lmsConnectionOf(moodle.emulator.issuer, moodle.clientId))!).token).toBe(token);
    expect(grantTokens((await CanvasGrantModel.findOne({ issuer: canvas.emulator.issuer }).lean())!)).toEqual(grantBefore);

    const again = await resealAll(renewed, []);
    expect(again.counts).toEqual(expect.arrayContaining([
      { collection: 'lmsconnections', resealed: 0, alreadyCurrent: 2 },
      { collection: 'canvasgrants', resealed: 0, alreadyCurrent: 1 },
    ]));
  });
});
