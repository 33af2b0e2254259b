/**
 * The Canvas REST source against the emulated Canvas over HTTP: OAuth for an API developer key,
 * the course read to the last page with the fewest requests, pacing and throttling, expired and
 * revoked tokens, and error messages that name what to do but never a token.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCourse, startEmulator, type Emulator, type SeedCourse, type SeedUser } from '../emulator/index.js';
import { CanvasApi } from '../../src/lms/canvasRest/canvasApi.js';
import { CanvasBearer } from '../../src/lms/canvasRest/canvasBearer.js';
import { CANVAS_API_SCOPES, CANVAS_CONVERSATIONS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_ITEMS_SCOPE, CANVAS_READ_SCOPES, canvasAuthorizeUrl, canvasScopesFor, exchangeCanvasCode, scopesEditAssignments, scopesReadModuleItems, scopesSendConversations, scopesWithoutRefused, type CanvasDeveloperKey, type CanvasTokens } from '../../src/lms/canvasRest/canvasOAuth.js';
import { readCanvasCourse } from '../../src/lms/canvasRest/readCanvasCourse.js';
import { LmsError } from '../../src/lms/errors.js';
import { newTransport, type Transport } from '../../src/lms/http.js';
import type { SourceReading } from '../../src/lms/sources/reading.js';

const REDIRECT = 'https://laurel.example/canvas/oauth';

/** Like LmsClient's, with a sleep of the test's choosing; records every wait asked for. */
function transport(sleep: (ms: number) => Promise<void> = (ms) => delay(ms)): Transport & { waits: number[] } {
  const waits: number[] = [];
  return Object.assign(newTransport({ sleep: (ms) => { waits.push(ms); return sleep(ms); } }), { waits });
}

function developerKey(emu: Emulator): CanvasDeveloperKey {
  return { baseUrl: emu.url, redirectUri: REDIRECT, ...emu.canvasApiKey({ redirectUri: REDIRECT }) };
}

/** The instructor authorises Laurel (the emulator names the user in the query: it has no login page) and Laurel exchanges the code. */
async function connect(emu: Emulator, key: CanvasDeveloperKey, user: SeedUser, t = transport()): Promise<CanvasTokens> {
  const auth = new URL(canvasAuthorizeUrl({ baseUrl: key.baseUrl, clientId: key.clientId, redirectUri: key.redirectUri, state: 'st-1' }));
  auth.searchParams.set('user', user.lmsId);
  const back = await fetch(auth, { redirect: 'manual' });
  expect(back.status).toBe(302);
  const location = new URL(back.headers.get('location')!);
  expect(location.searchParams.get('state')).toBe('st-1');
  return exchangeCanvasCode(key, location.searchParams.get('code')!, t);
}

function apiFor(key: CanvasDeveloperKey, tokens: CanvasTokens, t: Transport, refreshed: CanvasTokens[] = []): CanvasApi {
  return new CanvasApi(key.baseUrl, new CanvasBearer({ key, tokens, transport: t, onRefreshed: async (n) => { refreshed.push(n); } }), t);
}

function students(course: SeedCourse, only?: string[]): SeedUser[] {
  return course.users.filter((u) => u.role === 'Learner' && u.status !== 'Deleted' && (!only || only.includes(u.lmsId)));
}

/** The course's teachers, TAs and designers, listed with the students: never learners (the Test Student's and observers' enrolments are not asked for). */
function staffOf(course: SeedCourse, only?: string[]): SeedUser[] {
  return course.users.filter((u) => u.enrolled !== false && (u.role === 'Instructor' || u.role === 'TeachingAssistant') && u.status !== 'Deleted' && (!only || only.includes(u.lmsId)));
}

/** What the seeded course says Canvas holds, worked out from the seed rather than from the emulator's answers. */
function expectedReading(course: SeedCourse, o: { completions: boolean; only?: string[] }): SourceReading {
  const learners = students(course, o.only);
  const staff = staffOf(course, o.only).map((u) => ({ lmsUserId: u.lmsId, sisId: u.sourcedId, gradesOnly: false }));
  const lineItems = course.activities.filter((a) => !a.label.startsWith('Badge: '))
    .map((a) => ({ id: `canvas:assignment:${a.id}`, label: a.label, scoreMaximum: a.scoreMaximum, source: 'canvas-rest' as const }));
  const scores = new Map(course.results.map((r) => [`${r.userId} ${r.lineItemId}`, r]));
  const done = new Map(course.completions.map((c) => [`${c.userId} ${c.itemId}`, c]));
  return {
    source: 'canvas-rest',
    staff,
    lineItems,
    results: learners.flatMap((u) => course.activities.filter((a) => !a.label.startsWith('Badge: ')).map((a) => {
      const r = scores.get(`${u.id} ${a.id}`);
      const score = r?.score;
      // When it was graded (Canvas's graded_at), which rules "within the last N days" read.
      return { lineItemId: `canvas:assignment:${a.id}`, lmsUserId: u.lmsId, ...(score !== undefined ? { resultScore: score, gradedAt: new Date(r!.timestamp).toISOString() } : {}) };
    })),
    // Modules are read only for completion (the pickers read them with itemsOnly).
    activities: !o.completions ? [] : course.modules.flatMap((m) => [
      { id: `canvas:module:${m.id}`, label: m.name, source: 'canvas-rest' as const },
      ...m.items.filter((i) => i.completion).map((i) => ({ id: `canvas:module-item:${i.id}`, label: `${i.title} (${m.name})`, source: 'canvas-rest' as const })),
    ]),
    completions: !o.completions ? [] : learners.flatMap((u) => course.modules.flatMap((m) => {
      const items = m.items.filter((i) => i.completion).map((i) => ({ id: i.id, c: done.get(`${u.id} ${i.id}`) }));
      const completed = items.every((i) => i.c?.completed);
      const completedAt = completed ? items.map((i) => i.c!.at!).sort().at(-1) : undefined;
      return [
        { activityId: `canvas:module:${m.id}`, lmsUserId: u.lmsId, completed, ...(completedAt ? { completedAt } : {}) },
        ...items.map((i) => ({ activityId: `canvas:module-item:${i.id}`, lmsUserId: u.lmsId, completed: Boolean(i.c?.completed) })),
      ];
    })),
    learners: learners.map((u) => ({ lmsUserId: u.lmsId, sisId: u.sourcedId, name: u.name, status: u.status === 'Concluded' ? 'Inactive' as const : u.status })),
  };
}

/** Results and completions in a fixed order, so readings compare whatever order requests finished in. */
function normalised(r: SourceReading): SourceReading {
  const byJson = <T>(list: T[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { ...r, results: byJson(r.results), completions: byJson(r.completions), learners: byJson(r.learners), staff: byJson(r.staff ?? []) };
}

/** The least a reading can cost: each list once, page by page (the enrolments with the staff's), and with completions one module list per learner (else none). */
function leastRequests(course: SeedCourse, pageSize: number, learners: number, completions: boolean): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  return pages(course.activities.length) + pages(learners + staffOf(course).length) + pages(learners) + (completions ? learners * pages(course.modules.length) : 0);
}

function expectNoSecrets(err: unknown, ...secrets: string[]): void {
  expect(err).toBeInstanceOf(LmsError);
  for (const s of secrets) expect((err as Error).message).not.toContain(s);
}

describe('Canvas REST source', () => {
  let emu: Emulator;
  let key: CanvasDeveloperKey;
  let teacher: SeedUser;

  beforeAll(async () => {
    emu = await startEmulator({ flavour: 'canvas' });
    key = developerKey(emu);
    teacher = emu.course.users.find((u) => u.role === 'Instructor')!;
    const learners = students(emu.course);
    // A submission waiting for review: submitted, not graded.
    const [u, a] = learners.flatMap((l) => emu.course.activities.map((x) => [l, x] as const)).find(([l, x]) => !emu.course.results.some((r) => r.userId === l.id && r.lineItemId === x.id))!;
    emu.course.results.push({ userId: u.id, lineItemId: a.id, timestamp: '2025-02-01T10:00:00.000Z', activityProgress: 'Submitted', gradingProgress: 'PendingManual' });
    // Laurel's own badge column, scored for one learner: not a grade to read.
    emu.course.activities.push({ id: '90', label: 'Badge: Safety Star', scoreMaximum: 1, ags: true, clientId: 'laurel' });
    emu.course.results.push({ userId: learners[0]!.id, lineItemId: '90', score: 1, timestamp: '2025-02-02T10:00:00.000Z' });
  });
  afterAll(() => emu.close());

  describe('OAuth', () => {
    it('builds the authorize URL, with Canvas scopes when the key enforces them: the conversations one always, the edit scope only for a course that edits assignments', () => {
      const plain = new URL(canvasAuthorizeUrl({ baseUrl: 'https://school.instructure.com', clientId: '170000000000123', redirectUri: REDIRECT, state: 's' }));
      expect(plain.origin + plain.pathname).toBe('https://school.instructure.com/login/oauth2/auth');
      expect(Object.fromEntries(plain.searchParams)).toEqual({ client_id: '170000000000123', response_type: 'code', redirect_uri: REDIRECT, state: 's' });
      const scopedUrl = (editsAssignments: boolean) => new URL(canvasAuthorizeUrl({ baseUrl: 'https://school.instructure.com', clientId: '1', redirectUri: REDIRECT, state: 's', scopes: canvasScopesFor({ editsAssignments }) }));
      expect(scopedUrl(false).searchParams.get('scope')!.split(' ')).toEqual([...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, 'url:POST|/api/v1/conversations']);
      expect(scopedUrl(true).searchParams.get('scope')!.split(' ')).toEqual([...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, 'url:POST|/api/v1/conversations']);
      expect(CANVAS_READ_SCOPES).toContain('url:GET|/api/v1/courses/:course_id/students/submissions');
      expect(CANVAS_READ_SCOPES).not.toContain(CANVAS_EDIT_SCOPE);
      expect(CANVAS_READ_SCOPES).not.toContain(CANVAS_ITEMS_SCOPE);
      expect(CANVAS_API_SCOPES).toEqual([...CANVAS_READ_SCOPES, 'url:GET|/api/v1/courses/:course_id/modules/:module_id/items', 'url:PUT|/api/v1/courses/:course_id/assignments/:id', 'url:POST|/api/v1/conversations']);
      // A grant records what was asked: without a list (no scope asked, or recorded before Laurel kept them) it may edit.
      expect([undefined, [...CANVAS_API_SCOPES], [...CANVAS_READ_SCOPES]].map(scopesEditAssignments)).toEqual([true, true, false]);
      // Module items on their own: any grant of a key that enforces no scopes; else only one given with their scope (older grants never asked it).
      expect([[false, undefined], [true, undefined], [true, [...CANVAS_READ_SCOPES]], [true, [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE]]].map(([enforces, scopes]) => scopesReadModuleItems(enforces as boolean, scopes as string[] | undefined)))
        .toEqual([true, false, false, true]);
      // Conversations the same: a grant of a key that enforces scopes sends only when given with theirs (older grants never asked it).
      expect([[false, undefined], [true, undefined], [true, [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE]], [true, canvasScopesFor({ editsAssignments: false })]].map(([enforces, scopes]) => scopesSendConversations(enforces as boolean, scopes as string[] | undefined)))
        .toEqual([true, false, false, true]);
    });

    it('asks again without the optional scopes Canvas named as not granted, and never without a read scope', () => {
      const all = canvasScopesFor({ editsAssignments: true });
      const said = (...missing: string[]) => `A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner. The following scopes were requested, but not granted: ${missing.join(', ')}`;
      expect(scopesWithoutRefused(all, said(CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE))).toEqual([...CANVAS_READ_SCOPES]);
      expect(scopesWithoutRefused(all, said(CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE))).toEqual([...CANVAS_READ_SCOPES, CANVAS_CONVERSATIONS_SCOPE]);
      expect(scopesWithoutRefused(all, said(CANVAS_ITEMS_SCOPE))).toEqual([...CANVAS_READ_SCOPES, CANVAS_EDIT_SCOPE, CANVAS_CONVERSATIONS_SCOPE]);
      expect(scopesWithoutRefused(all, said(CANVAS_EDIT_SCOPE))).toEqual([...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE]);
      expect(scopesWithoutRefused(all, said(CANVAS_CONVERSATIONS_SCOPE))).toEqual([...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_EDIT_SCOPE]);
      expect(scopesWithoutRefused(all, said(CANVAS_READ_SCOPES[2]))).toBeUndefined();
      expect(scopesWithoutRefused([...CANVAS_READ_SCOPES], said(CANVAS_ITEMS_SCOPE))).toBeUndefined();
      // Canvas said nothing Laurel can read: every optional scope is left out.
      expect(scopesWithoutRefused(all, undefined)).toEqual([...CANVAS_READ_SCOPES]);
    });

    it('connects through a key that enforces read-only scopes when it asks for those, and only reads with that grant', async () => {
      // Include parameters allowed: this is about scopes (module items without them: "reading a course" below).
      const readOnly: CanvasDeveloperKey = { baseUrl: emu.url, redirectUri: REDIRECT, ...emu.canvasApiKey({ redirectUri: REDIRECT, scopes: [...CANVAS_READ_SCOPES], allowIncludes: true }) };
      const ask = (scopes: string[]) => {
        const auth = new URL(canvasAuthorizeUrl({ baseUrl: readOnly.baseUrl, clientId: readOnly.clientId, redirectUri: REDIRECT, state: 'st-2', scopes }));
        auth.searchParams.set('user', teacher.lmsId);
        return fetch(auth, { redirect: 'manual' });
      };
      // Asking the optional scopes too is refused as a whole (oauth2_provider_controller.rb#auth); Canvas names them.
      const asked = canvasScopesFor({ editsAssignments: true });
      const refused = new URL((await ask(asked)).headers.get('location')!);
      expect(refused.searchParams.get('error')).toBe('invalid_scope');
      expect(refused.searchParams.get('code')).toBeNull();
      const fewer = scopesWithoutRefused(asked, refused.searchParams.get('error_description') ?? undefined)!;
      expect(fewer).toEqual([...CANVAS_READ_SCOPES]);

      const back = new URL((await ask(fewer)).headers.get('location')!);
      const t = transport();
      const tokens = await exchangeCanvasCode(readOnly, back.searchParams.get('code')!, t);
      const api = apiFor(readOnly, tokens, t);
      const reading = await readCanvasCourse(api, emu.course.id, { completions: true }, { moduleItems: scopesReadModuleItems(true, fewer) });
      expect(normalised(reading)).toEqual(normalised(expectedReading(emu.course, { completions: true })));
      const edit = await api.put(`/api/v1/courses/${emu.course.id}/assignments/${emu.course.activities[0]!.id}`, { assignment: { omit_from_final_grade: true } }).catch((e: unknown) => e);
      expect(edit).toMatchObject({ status: 401 });
      expect(emu.course.activities[0]!.omitFromFinalGrade).not.toBe(true);
    });

    it('exchanges the code for tokens naming the Canvas user', async () => {
      const before = Date.now();
      const tokens = await connect(emu, key, teacher);
      expect(tokens).toMatchObject({ canvasUserId: teacher.lmsId, userName: teacher.name, accessToken: expect.any(String), refreshToken: expect.any(String) });
      expect(tokens.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
    });

    it('refuses a used code or a wrong secret as a reconnect, without secrets in the message', async () => {
      const auth = new URL(canvasAuthorizeUrl({ baseUrl: key.baseUrl, clientId: key.clientId, redirectUri: REDIRECT, state: 's' }));
      auth.searchParams.set('user', teacher.lmsId);
      const code = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
      await exchangeCanvasCode(key, code, transport());
      const used = await exchangeCanvasCode(key, code, transport()).catch((e: unknown) => e);
      expect(used).toMatchObject({ kind: 'reconnect', status: 400, message: expect.stringMatching(/connects Canvas again from Laurel's course page/) });
      expectNoSecrets(used, code, key.clientSecret);

      const wrongSecret = 'not-the-secret-4f1c';
      const bad = await exchangeCanvasCode({ ...key, clientSecret: wrongSecret }, 'some-code', transport()).catch((e: unknown) => e);
      expect(bad).toMatchObject({ kind: 'reconnect', status: 401, message: expect.stringMatching(/administrator checks the developer key on Laurel's admin page/) });
      expectNoSecrets(bad, wrongSecret, key.clientSecret, 'some-code');
    });
  });

  describe('reading a course', () => {
    it('reads what the seeded course holds, with the fewest requests', async () => {
      const t = transport();
      const api = apiFor(key, await connect(emu, key, teacher), t);
      const reading = await readCanvasCourse(api, emu.course.id, { completions: false });

      expect(normalised(reading)).toEqual(normalised(expectedReading(emu.course, { completions: false })));
      expect(reading.lineItems).toContainEqual({ id: `canvas:assignment:${emu.course.activities.find((a) => !a.ags)!.id}`, label: 'Participation', scoreMaximum: 10, source: 'canvas-rest' });
      expect(reading.lineItems.map((i) => i.label)).not.toContain('Badge: Safety Star');
      expect(reading.results.some((r) => r.lineItemId === 'canvas:assignment:90')).toBe(false);
      const inactive = emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Inactive')!;
      expect(reading.learners).toContainEqual({ lmsUserId: inactive.lmsId, sisId: inactive.sourcedId, name: inactive.name, status: 'Inactive' });
      expect(reading.completions).toEqual([]);
      expect(t.counter.log.map((r) => new URL(r.url).pathname.split('/').slice(5).join('/')).sort()).toEqual(['assignments', 'enrollments', 'students/submissions']);
      expect(t.counter.count).toBe(leastRequests(emu.course, 100, students(emu.course).length, false));
    });

    it('reads every learner\'s module and item completion, one request per learner', async () => {
      const t = transport();
      const api = apiFor(key, await connect(emu, key, teacher), t);
      const reading = await readCanvasCourse(api, emu.course.id, { completions: true });

      const expected = expectedReading(emu.course, { completions: true });
      expect(normalised(reading)).toEqual(normalised(expected));
      expect(reading.completions.some((c) => c.activityId.startsWith('canvas:module:') && c.completed && c.completedAt)).toBe(true);
      expect(reading.completions.some((c) => c.activityId.startsWith('canvas:module-item:') && !c.completed)).toBe(true);
      const learners = students(emu.course).length;
      expect(t.counter.count).toBe(leastRequests(emu.course, 100, learners, true));
      expect(t.counter.log.filter((r) => r.url.includes('student_id=')).length).toBe(learners);
    });

    it('reads one learner for a launch, skipping one Canvas no longer knows', async () => {
      const t = transport();
      const api = apiFor(key, await connect(emu, key, teacher), t);
      const learner = students(emu.course)[2]!;
      const reading = await readCanvasCourse(api, emu.course.id, { completions: true, lmsUserIds: [learner.lmsId] });
      expect(normalised(reading)).toEqual(normalised(expectedReading(emu.course, { completions: true, only: [learner.lmsId] })));
      expect(t.counter.count).toBe(4);

      const removed = emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Deleted')!;
      const both = await readCanvasCourse(api, emu.course.id, { completions: true, lmsUserIds: [learner.lmsId, removed.lmsId] });
      expect(new Set(both.completions.map((c) => c.lmsUserId))).toEqual(new Set([learner.lmsId]));
      expect(t.counter.log.filter((r) => r.status === 404).map((r) => new URL(r.url).searchParams.get('student_id'))).toEqual([removed.lmsId]);
    });

    /** A token of a key that enforces these scopes, with Canvas's default "Allow Include Parameters" (off) unless told. */
    async function scopedApi(scopes: string[], o: { allowIncludes?: boolean } = {}) {
      const k: CanvasDeveloperKey = { baseUrl: emu.url, redirectUri: REDIRECT, ...emu.canvasApiKey({ redirectUri: REDIRECT, scopes, ...o }) };
      const auth = new URL(canvasAuthorizeUrl({ baseUrl: k.baseUrl, clientId: k.clientId, redirectUri: REDIRECT, state: 'st-4', scopes }));
      auth.searchParams.set('user', teacher.lmsId);
      const code = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
      const t = transport();
      return { api: apiFor(k, await exchangeCanvasCode(k, code, transport()), t), t, reach: { moduleItems: scopesReadModuleItems(true, scopes) } };
    }

    it('lists module items from their own endpoint when Canvas leaves them out of the modules (a scoped key without "Allow Include Parameters"), and reads the same', async () => {
      const { api, t, reach } = await scopedApi([...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE]);
      const reading = await readCanvasCourse(api, emu.course.id, { completions: true }, reach);
      expect(reading.problem).toBeUndefined();
      expect(normalised(reading)).toEqual(normalised(expectedReading(emu.course, { completions: true })));
      // One items list per module with items, for each learner, with that learner's completion.
      const learners = students(emu.course);
      const itemReads = t.counter.log.filter((r) => /\/modules\/\d+\/items/.test(new URL(r.url).pathname));
      expect(itemReads).toHaveLength(learners.length * emu.course.modules.filter((m) => m.items.length).length);
      expect(new Set(itemReads.map((r) => new URL(r.url).searchParams.get('student_id')))).toEqual(new Set(learners.map((u) => u.lmsId)));
      // The pickers' read, for no student, lists them too.
      const items = await readCanvasCourse(api, emu.course.id, { completions: false, itemsOnly: true }, reach);
      expect(items.activities).toEqual(expectedReading(emu.course, { completions: true }).activities);
    });

    it('without the items scope, reads each module alone and says what an administrator changes', async () => {
      const { api, reach } = await scopedApi([...CANVAS_READ_SCOPES]);
      const reading = await readCanvasCourse(api, emu.course.id, { completions: true }, reach);
      const expected = expectedReading(emu.course, { completions: true });
      const modulesOnly = <T extends { id?: string; activityId?: string }>(list: T[]) => list.filter((x) => (x.id ?? x.activityId)!.startsWith('canvas:module:'));
      // The modules' own completion still comes (their state), and the grades as ever.
      expect(normalised(reading)).toEqual(normalised({ ...expected, activities: modulesOnly(expected.activities), completions: modulesOnly(expected.completions), problem: reading.problem }));
      expect(reading.problem).toMatchObject({ code: 'lms.canvasModuleItems', params: { modules: emu.course.modules.filter((m) => m.items.length).map((m) => m.name).join(', '), scope: CANVAS_ITEMS_SCOPE } });
      expect(reading.problem!.message).toContain('turns on "Allow Include Parameters" on Laurel\'s API developer key in Canvas (Admin → Developer Keys); or ticks url:GET|/api/v1/courses/:course_id/modules/:module_id/items on it');

      // Once the key allows include parameters, the items come inline again and nothing is said.
      const allowed = await scopedApi([...CANVAS_READ_SCOPES], { allowIncludes: true });
      const inline = await readCanvasCourse(allowed.api, emu.course.id, { completions: true }, allowed.reach);
      expect(normalised(inline)).toEqual(normalised(expected));
      expect(allowed.t.counter.count).toBe(leastRequests(emu.course, 100, students(emu.course).length, true));
    });

    it('says which course was not found', async () => {
      const api = apiFor(key, await connect(emu, key, teacher), transport());
      await expect(readCanvasCourse(api, '1', { completions: false })).rejects.toMatchObject({ kind: 'not_found', status: 404 });
    });
  });

  describe('tokens', () => {
    it('refreshes an access token that expired mid-run once, and goes on', async () => {
      const t = transport();
      const tokens = await connect(emu, key, teacher, t);
      const refreshed: CanvasTokens[] = [];
      const api = apiFor(key, tokens, t, refreshed);
      emu.expireCanvasTokens();
      const reading = await readCanvasCourse(api, emu.course.id, { completions: true });
      expect(normalised(reading)).toEqual(normalised(expectedReading(emu.course, { completions: true })));
      expect(t.counter.log.filter((r) => r.url.endsWith('/login/oauth2/token')).length).toBe(2); // the code exchange, one refresh
      expect(refreshed).toHaveLength(1);
      expect(refreshed[0]).toMatchObject({ canvasUserId: teacher.lmsId, refreshToken: tokens.refreshToken });
      expect(refreshed[0]!.accessToken).not.toBe(tokens.accessToken);
    });

    it('refreshes a token about to expire before using it', async () => {
      const t = transport();
      const tokens = await connect(emu, key, teacher, t);
      const refreshed: CanvasTokens[] = [];
      const api = apiFor(key, { ...tokens, expiresAt: new Date(Date.now() + 30_000) }, t, refreshed);
      await readCanvasCourse(api, emu.course.id, { completions: false });
      expect(refreshed).toHaveLength(1);
      expect(t.counter.log.filter((r) => r.status === 401)).toEqual([]);
    });

    it('ends in reconnect when the grant was revoked, without tokens in the message', async () => {
      const tokens = await connect(emu, key, teacher);
      const t = transport();
      const api = apiFor(key, tokens, t);
      emu.revokeCanvasTokens();
      const err = await readCanvasCourse(api, emu.course.id, { completions: true }).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'reconnect', message: expect.stringMatching(/connects Canvas again from Laurel's course page/) });
      // The concurrent lists all met 401 and shared one refresh, which Canvas refused.
      expect(t.counter.log.filter((r) => r.url.endsWith('/login/oauth2/token'))).toEqual([expect.objectContaining({ status: 400 })]);
      expectNoSecrets(err, tokens.accessToken, tokens.refreshToken, key.clientSecret);
    });

    it('ends in reconnect when the user who connected may not read the course', async () => {
      const learner = students(emu.course)[0]!;
      const tokens = await connect(emu, key, learner);
      const t = transport();
      const err = await readCanvasCourse(apiFor(key, tokens, t), emu.course.id, { completions: false }).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'reconnect', status: 401, message: expect.stringMatching(/no longer teaches this course/) });
      expectNoSecrets(err, tokens.accessToken, tokens.refreshToken);
    });
  });

  describe('throttling', () => {
    afterAll(() => emu.canvasRateLimit({ capacity: 700, cost: 1, refillPerSecond: 10 }));

    it('paces itself by X-Rate-Limit-Remaining and waits out a small bucket', async () => {
      emu.canvasRateLimit({ capacity: 10, cost: 1, refillPerSecond: 60 });
      // Real waits, shortened: the emulator's bucket refills in real time.
      const t = transport((ms) => delay(Math.min(ms, 100)));
      const api = apiFor(key, await connect(emu, key, teacher), t);
      const reading = await readCanvasCourse(api, emu.course.id, { completions: true });
      expect(normalised(reading)).toEqual(normalised(expectedReading(emu.course, { completions: true })));
      expect(t.waits.length).toBeGreaterThan(0);
      expect(Math.max(...t.waits)).toBeLessThanOrEqual(30_000);
    });

    it('gives up as throttled when the bucket stays empty', async () => {
      emu.canvasRateLimit({ capacity: 700, cost: 1, refillPerSecond: 10 });
      const t = transport(async () => {});
      const tokens = await connect(emu, key, teacher, t);
      emu.drainCanvasBuckets();
      const err = await readCanvasCourse(apiFor(key, tokens, t), emu.course.id, { completions: false }).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'throttled', status: 403 });
      expectNoSecrets(err, tokens.accessToken, tokens.refreshToken);
      expect(t.waits.length).toBeGreaterThanOrEqual(4);
    });
  });
});

describe('Canvas REST source on a big course', () => {
  const PAGE = 40;
  let emu: Emulator;
  let key: CanvasDeveloperKey;

  beforeAll(async () => {
    emu = await startEmulator({ flavour: 'canvas', course: seedCourse({ learners: 250 }), pageSize: PAGE });
    key = developerKey(emu);
  });
  afterAll(() => emu.close());

  it('follows every page to the end, one request a page', async () => {
    const t = transport();
    const api = apiFor(key, await connect(emu, key, emu.course.users.find((u) => u.role === 'Instructor')!), t);
    const reading = await readCanvasCourse(api, emu.course.id, { completions: false });
    const learners = students(emu.course).length;
    expect(learners).toBeGreaterThan(5 * PAGE);
    expect(normalised(reading)).toEqual(normalised(expectedReading(emu.course, { completions: false })));
    expect(t.counter.count).toBe(leastRequests(emu.course, PAGE, learners, false));
    expect(emu.requests.filter((r) => r.path.includes('/enrollments?'))).toHaveLength(Math.ceil((learners + staffOf(emu.course).length) / PAGE));
  });
});
