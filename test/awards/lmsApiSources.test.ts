/**
 * Issue 8 end to end, against the emulated Canvas and Moodle over real HTTP: a badge on an
 * ordinary assignment (which AGS never shows) and a module or activity to complete is shown as
 * needing the connection until the LMS's API is connected, then earned exactly by the learners
 * the API says qualify; a refused grant or token asks for a reconnection and leaves every award
 * alone; learners are matched to the roster by their LMS id; tokens are sealed and never logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { Browser, connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import type { Flavour, SeedUser } from '../emulator/index.js';
import { connectCanvas, connectMoodle, disconnectLms, lmsConnectionOf } from '../../src/store/lmsConnection.js';
import { CanvasGrantModel, grantTokens } from '../../src/store/canvasGrant.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';
import { canvasRedirectUri } from '../../src/lms/canvasRest/canvasRedirect.js';
import { CANVAS_CONVERSATIONS_SCOPE, CANVAS_ITEMS_SCOPE, CANVAS_READ_SCOPES } from '../../src/lms/canvasRest/canvasOAuth.js';
import { saveBadge } from '../../src/store/badge.js';
import { AwardModel } from '../../src/store/award.js';
import { courseKeyOf } from '../../src/store/course.js';
import type { Rule } from '../../src/rules/badge.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

const apiFor = (ltik: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body?: object) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body ?? {}),
});

async function launch(c: Connected, user: SeedUser): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

type Api = ReturnType<typeof apiFor>;

async function evaluate(api: Api) {
  const location = (await api.post('/api/course/evaluations')).headers.location as string;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const job = (await api.get(location)).body;
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('evaluation did not finish');
}

interface Verdict { badgeId: string; userId: string; earned: boolean; reason: { children?: { sentence?: string; details?: Record<string, unknown>; text: string }[] } }
const preview = async (api: Api) => (await api.post('/api/course/preview')).body as { verdicts: Verdict[]; warnings: string[] };

/** The seeded course's own answer: active learners at 80 % on Participation who completed the item or module. */
function qualifying(c: Connected, completedIds: string[]): string[] {
  const { course } = c.emulator;
  const participation = course.activities.find((a) => a.label === 'Participation')!;
  return course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').filter((u) => {
    const r = course.results.find((x) => x.userId === u.id && x.lineItemId === participation.id);
    const graded = r?.score !== undefined && r.score / (r.scoreMaximum ?? participation.scoreMaximum) >= 0.8 - 1e-9;
    return graded && completedIds.every((id) => course.completions.some((x) => x.userId === u.id && x.itemId === id && x.completed));
  }).map((u) => u.id).sort();
}

describe.each(['canvas', 'moodle'] as const)('rules over an ordinary assignment and completion in %s', (flavour: Flavour) => {
  let c: Connected;
  let api: Api;
  let ltik: string;
  let instructor: SeedUser;
  let rules: Rule;
  /** The seeded items the rule's completion stands for: a Canvas module's required items, or one Moodle activity. */
  let completedIds: string[];
  const courseKey = () => courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
  const lms = flavour === 'canvas' ? 'Canvas' : 'Moodle';

  beforeAll(async () => {
    c = await connectEmulator(laurel, flavour);
    instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    ltik = await launch(c, instructor);
    api = apiFor(ltik);
    const { course } = c.emulator;
    const participation = course.activities.find((a) => a.label === 'Participation')!;
    if (flavour === 'canvas') {
      const week1 = course.modules[0]!;
      completedIds = week1.items.filter((i) => i.completion).map((i) => i.id);
      rules = { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: `canvas:assignment:${participation.id}`, percent: 80 }, { kind: 'completed', lineItemId: `canvas:module:${week1.id}` }] };
    } else {
      const cm = course.modules.flatMap((m) => m.items).find((i) => i.activityId === participation.id)!;
      const briefing = course.modules[0]!.items[0]!;
      completedIds = [briefing.id];
      rules = { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: `moodle:cm:${cm.id}`, percent: 80 }, { kind: 'completed', lineItemId: `moodle:cm:${briefing.id}` }] };
    }
  });
  afterAll(async () => { await c?.emulator.close(); });

  it('shows the rules as needing the connection while it is not connected, and refuses new ones saying what to do', async () => {
    await saveBadge(courseKey(), { id: 'beyond', name: 'Beyond LTI', description: '', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false, rules }, instructor.id);
    const { verdicts } = await preview(api);
    const mine = verdicts.filter((v) => v.badgeId === 'beyond');
    expect(mine.length).toBeGreaterThan(20);
    expect(mine.every((v) => !v.earned)).toBe(true);
    for (const child of mine[0]!.reason.children!) expect(child).toMatchObject({ sentence: 'unavailable', details: { state: 'not connected' } });
    expect(mine[0]!.reason.children![0]!.text).toContain('an administrator connects it on Laurel\'s admin page');

    const columns = (await api.get('/api/course/line-items')).body;
    expect(columns.lineItems.every((li: { source: string }) => li.source === 'ags')).toBe(true);
    expect(columns.lineItems.some((li: { label: string }) => li.label === 'Participation')).toBe(false); // AGS never shows it

    const refused = await api.post('/api/course/badges', { name: 'Also beyond', rules });
    expect(refused.status).toBe(400);
    expect(refused.body.problems.join(' ')).toMatch(/is read through the (Canvas connection|Moodle web service), which is not connected: an administrator connects it/);
  });

  it('is earned exactly by the learners the LMS API says qualify, once connected', async () => {
    if (flavour === 'canvas') {
      const key = c.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url) });
      await connectCanvas(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: false }, 'admin');
      // Connected by the admin, not yet granted by anyone in the course.
      expect((await preview(api)).verdicts.find((v) => v.badgeId === 'beyond')!.reason.children![0]!.details).toMatchObject({ state: 'not authorized' });
      await grantCanvas(c, ltik, instructor);
    } else {
      await connectMoodle(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, token: c.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] }) }, 'admin');
    }
    const columns = (await api.get('/api/course/line-items')).body;
    const source = flavour === 'canvas' ? 'canvas-rest' : 'moodle-ws';
    expect(columns.lineItems).toEqual(expect.arrayContaining([expect.objectContaining({ label: 'Participation', source })]));
    expect(columns.activities.length).toBeGreaterThan(0);
    expect(columns.sources).toEqual([{ source, state: 'read' }]);
    expect((await api.post('/api/course/badges', { name: 'Also beyond', rules })).status).toBe(201);

    const job = await evaluate(api);
    expect(job.status).toBe('done');
    const expected = qualifying(c, completedIds);
    expect(expected.length).toBeGreaterThan(2);
    const awarded = (await AwardModel.find({ courseKey: courseKey(), badgeId: 'beyond' }).lean()).map((a) => a.userId).sort();
    expect(awarded).toEqual(expected);
    // And the reason says where each fact came from.
    const one = (await preview(api)).verdicts.find((v) => v.badgeId === 'beyond' && v.userId === expected[0])!;
    expect(one.reason.children!.map((r) => r.sentence)).toEqual(['percent', 'completed']);
  });

  it('asks for a reconnection when the LMS refuses the grant or token, and touches nothing already awarded', async () => {
    const before = await AwardModel.find({ courseKey: courseKey() }).sort({ _id: 1 }).lean();
    if (flavour === 'canvas') c.emulator.revokeCanvasTokens();
    else {
      const { connectionSecrets, lmsConnectionOf } = await import('../../src/store/lmsConnection.js');
      c.emulator.revokeMoodleWsToken(connectionSecrets((await lmsConnectionOf(c.emulator.issuer, c.clientId))!).token!);
    }
    if (flavour === 'canvas') c.emulator.expireCanvasTokens();
    const job = await evaluate(api);
    expect(job.status).toBe('done');
    expect(await AwardModel.find({ courseKey: courseKey() }).sort({ _id: 1 }).lean()).toEqual(before);
    const { verdicts, warnings } = await preview(api);
    expect(verdicts.find((v) => v.badgeId === 'beyond')!.reason.children![0]!.details).toMatchObject({ state: 'needs reconnect' });
    expect(warnings.join(' ')).toMatch(flavour === 'canvas' ? /connect Canvas again|Connect Canvas/ : /does not know the token of Laurel's web service/);
    if (flavour === 'canvas') {
      // The course page offers to connect again; doing so brings the course back.
      const page = await request(laurel.url).get(`/course?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
      expect(page.text).toContain('Connect Canvas');
      expect(page.text).toContain('which Canvas refused');
      await grantCanvas(c, ltik, instructor);
      expect((await preview(api)).verdicts.find((v) => v.badgeId === 'beyond')!.reason.children![0]!.sentence).toBe('percent');
    }
  });

  it('keeps its tokens sealed in the database and out of the logs', async () => {
    const secrets: string[] = [];
    if (flavour === 'canvas') {
      const grant = (await CanvasGrantModel.findOne({ issuer: c.emulator.issuer }).lean())!;
      const t = grantTokens(grant);
      secrets.push(t.accessToken, t.refreshToken);
    } else {
      const { connectionSecrets, lmsConnectionOf } = await import('../../src/store/lmsConnection.js');
      secrets.push(connectionSecrets((await lmsConnectionOf(c.emulator.issuer, c.clientId))!).token!);
    }
    const stored = JSON.stringify(await Promise.all(['canvasgrants', 'lmsconnections', 'evaluationjobs', 'auditentries'].map((n) => mongoose.connection.db!.collection(n).find({}).toArray())));
    const logged = JSON.stringify(laurel.logs);
    for (const s of secrets) {
      expect(s.length).toBeGreaterThan(15);
      expect(stored).not.toContain(s);
      expect(logged).not.toContain(s);
    }
  });

  it('says when the connection is removed', async () => {
    await disconnectLms(c.emulator.issuer, c.clientId);
    const child = (await preview(api)).verdicts.find((v) => v.badgeId === 'beyond')!.reason.children![0]!;
    expect(child).toMatchObject({ sentence: 'unavailable', details: { state: 'not connected' } });
  });
});

/** An instructor's "Connect Canvas": Laurel → Canvas's authorize page (the emulator's, told who signs in) → Laurel's callback. */
async function grantCanvas(c: Connected, ltik: string, instructor: SeedUser): Promise<void> {
  const toCanvas = await request(laurel.url).get(`/course/lms/canvas/connect?ltik=${encodeURIComponent(ltik)}`).redirects(0);
  expect(toCanvas.status).toBe(303);
  const authorize = new URL(toCanvas.headers.location);
  expect(authorize.origin + authorize.pathname).toBe(`${c.emulator.url}/login/oauth2/auth`);
  authorize.searchParams.set('user', instructor.lmsId);
  const back = await fetch(authorize, { redirect: 'manual' });
  expect(back.status).toBe(302);
  const callback = new URL(back.headers.get('location')!);
  const done = await request(laurel.url).get(callback.pathname + callback.search).set('Accept', 'text/html');
  expect(done.status).toBe(200);
  expect(done.text).toContain('Canvas is connected');
}

describe('learners matched between the LTI roster and Canvas', () => {
  let c: Connected;
  let ltik: string;
  afterAll(async () => { await c?.emulator.close(); });

  it('by SIS id, or by the Canvas id a launch teaches Laurel; anyone else is reported and gets no one\'s grades', async () => {
    c = await connectEmulator(laurel, 'canvas');
    const { course } = c.emulator;
    const instructor = course.users.find((u) => u.role === 'Instructor')!;
    ltik = await launch(c, instructor);
    const api = apiFor(ltik);
    const key = c.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url) });
    await connectCanvas(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: false }, 'admin');
    await grantCanvas(c, ltik, instructor);
    const participation = course.activities.find((a) => a.label === 'Participation')!;
    expect((await api.post('/api/course/badges', { name: 'Participant', rules: { kind: 'minGrade', lineItemId: `canvas:assignment:${participation.id}`, percent: 50 } })).status).toBe(201);

    // A learner with a grade on Participation whom nothing ties to a Canvas user: no SIS id on either side, never launched.
    const graded = (u: SeedUser) => course.results.some((r) => r.userId === u.id && r.lineItemId === participation.id && r.score !== undefined && r.score >= 5);
    const ada = course.users.find((u) => u.role === 'Learner' && u.status === 'Active' && graded(u))!;
    ada.sourcedId = '';
    const before = await preview(api);
    expect(before.warnings.join('\n')).toContain(`1 learner of the roster could not be matched to Canvas users (${ada.name})`);
    expect(before.warnings.join('\n')).toContain(`Canvas lists 1 student that matches no learner of the LTI roster (${ada.name})`);
    expect(before.verdicts.find((v) => v.userId === ada.id)!.earned).toBe(false);

    // Her own launch carries $Canvas.user.id: from then on she is matched, and her page (reading her alone) awards her.
    const learnerLtik = await launch(c, ada);
    const page = await request(laurel.url).get(`/me?ltik=${encodeURIComponent(learnerLtik)}`).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    const learnerApi = apiFor(learnerLtik);
    const after = await preview(api);
    expect(after.warnings.join('\n')).not.toContain('could not be matched');
    expect(after.verdicts.find((v) => v.userId === ada.id)!.earned).toBe(true);
    const mine = (await learnerApi.get('/api/me/awards')).body.awards as { status: string; reason: { subject: string } }[];
    expect(mine).toEqual([expect.objectContaining({ status: 'awarded', reason: expect.objectContaining({ subject: 'Participation' }) })]);
  });
});

describe('a badge on a module item\'s completion, through a key that enforces scopes (Canvas ignores include parameters by default)', () => {
  // canvas-lms doc/api/developer_keys.md, "Canvas API Includes": a scoped token's include[]=items is ignored unless the
  // key's "Allow Include Parameters" is on, and it is off by default (db/migrate AddAllowIncludeParamsToDeveloperKey).
  let c: Connected;
  let api: Api;
  let ltik: string;
  let instructor: SeedUser;
  let key: ReturnType<Connected['emulator']['canvasApiKey']>;
  /** The learners the seed says completed the item: the badge's rightful holders. */
  let expected: string[];
  const courseKey = () => courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
  const awarded = async () => (await AwardModel.find({ courseKey: courseKey(), badgeId: 'reader' }).lean()).map((a) => a.userId).sort();
  const coursePage = async () => htmlText((await request(laurel.url).get(`/course?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html')).text);
  const itemReads = () => c.emulator.requests.filter((r) => /\/modules\/\d+\/items/.test(r.path));
  const WHAT_TO_DO = 'A Canvas administrator turns on "Allow Include Parameters" on Laurel\'s API developer key in Canvas (Admin → Developer Keys); or ticks url:GET|/api/v1/courses/:course_id/modules/:module_id/items on it';

  /** "Connect Canvas" in one browser (its cookie carries what was asked across Canvas's refusals): the scopes of each authorize request. */
  async function connectTab(): Promise<string[][]> {
    const browser = new Browser();
    const asked: string[][] = [];
    let res = await browser.go('get', `${laurel.url}/course/lms/canvas/connect?ltik=${encodeURIComponent(ltik)}`);
    for (let hops = 0; hops < 3 && res.status === 303; hops++) {
      const authorize = new URL(res.headers.location);
      asked.push(authorize.searchParams.get('scope')?.split(' ') ?? []);
      authorize.searchParams.set('user', instructor.lmsId);
      res = await browser.go('get', (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    }
    expect(htmlText(res.text)).toContain('Canvas is connected');
    return asked;
  }

  beforeAll(async () => {
    c = await connectEmulator(laurel, 'canvas');
    const { course } = c.emulator;
    instructor = course.users.find((u) => u.role === 'Instructor')!;
    ltik = await launch(c, instructor);
    api = apiFor(ltik);
    // As our README had it: Enforce Scopes on, the read scopes ticked, "Allow Include Parameters" left as Canvas leaves it.
    key = c.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url), scopes: [...CANVAS_READ_SCOPES] });
    expect(key.allowIncludes).toBe(false);
    await connectCanvas(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: true }, 'admin');
    const item = course.modules[0]!.items.find((i) => i.completion)!;
    expected = course.users.filter((u) => u.role === 'Learner' && u.status === 'Active' && course.completions.some((x) => x.userId === u.id && x.itemId === item.id && x.completed)).map((u) => u.id).sort();
    expect(expected.length).toBeGreaterThan(2);
    expect(expected.length).toBeLessThan(course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').length);
    await saveBadge(courseKey(), { id: 'reader', name: 'Reader', description: '', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false, rules: { kind: 'completed', lineItemId: `canvas:module-item:${item.id}` } }, instructor.id);
  });
  afterAll(async () => { await c?.emulator.close(); });

  it('without the items scope, awards nobody and says on the course page, in the run and on the admin page what to change', async () => {
    // Laurel asks for the items scope too (and the conversations one); the key lacks them, so Laurel asks again without them.
    expect(await connectTab()).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES]]);
    const job = await evaluate(api);
    expect(job.status).toBe('done');
    expect(await awarded()).toEqual([]);
    expect(job.result.warnings.join(' ')).toContain(WHAT_TO_DO);
    expect((await preview(api)).warnings.join(' ')).toContain(WHAT_TO_DO);
    const page = await coursePage();
    expect(page).toContain(`Canvas did not list the items of these modules: ${c.emulator.course.modules.filter((m) => m.items.length).map((m) => m.name).join(', ')}.`);
    expect(page).toContain(WHAT_TO_DO);
    expect((await lmsConnectionOf(c.emulator.issuer, c.clientId))!.lastFailure?.problem).toMatchObject({ code: 'lms.canvasModuleItems' });
    expect(itemReads()).toEqual([]);
  });

  it('once the key has the items scope and the instructor connects again, awards exactly who completed the item, reading the items on their own', async () => {
    key.scopes!.push(CANVAS_ITEMS_SCOPE);
    // The conversations scope still lacking, Canvas names it alone: the items one is kept.
    expect(await connectTab()).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE]]);
    const job = await evaluate(api);
    expect(job.status).toBe('done');
    expect(await awarded()).toEqual(expected);
    expect(job.result.warnings.join(' ')).not.toContain('Allow Include Parameters');
    expect(await coursePage()).not.toContain('Canvas did not list the items');
    expect(itemReads().length).toBeGreaterThan(0);
    expect(itemReads().every((r) => r.status === 200)).toBe(true);
  });

  it('with "Allow Include Parameters" on, reads the items inline as before, and earns the same', async () => {
    key.allowIncludes = true;
    const before = itemReads().length;
    const { verdicts, warnings } = await preview(api);
    expect(verdicts.filter((v) => v.badgeId === 'reader' && v.earned).map((v) => v.userId).sort()).toEqual(expected);
    expect(warnings.join(' ')).not.toContain('Allow Include Parameters');
    expect(itemReads()).toHaveLength(before);
  });
});
