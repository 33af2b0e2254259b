/**
 * The emulated Canvas REST API: OAuth2 for an API developer key, the grade-book endpoints and
 * their shapes, Link paging, throttling, and the errors for bad tokens and other courses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCourse, startEmulator, type Emulator, type SeedUser } from './index.js';

const REDIRECT = 'https://tool.example/canvas/oauth';

/** Authorises as `user` and exchanges the code, as a tool's OAuth client would. */
async function authorise(emu: Emulator, key: { clientId: string; clientSecret: string }, user: SeedUser) {
  const auth = new URL('/login/oauth2/auth', emu.url);
  auth.search = new URLSearchParams({ client_id: key.clientId, response_type: 'code', redirect_uri: REDIRECT, state: 'st-1', user: user.lmsId }).toString();
  const back = await fetch(auth, { redirect: 'manual' });
  expect(back.status).toBe(302);
  const location = new URL(back.headers.get('location')!);
  expect(location.origin + location.pathname).toBe(REDIRECT);
  expect(location.searchParams.get('state')).toBe('st-1');
  const res = await tokenRequest(emu, { grant_type: 'authorization_code', client_id: key.clientId, client_secret: key.clientSecret, redirect_uri: REDIRECT, code: location.searchParams.get('code')! });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; token_type: string; refresh_token: string; expires_in: number; user: { id: number; name: string } };
}

function tokenRequest(emu: Emulator, form: Record<string, string>) {
  return fetch(`${emu.url}/login/oauth2/token`, { method: 'POST', body: new URLSearchParams(form) });
}

function api(emu: Emulator, token: string, path: string) {
  return fetch(`${emu.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
}

function links(res: Response): Record<string, string> {
  return Object.fromEntries((res.headers.get('link') ?? '').split(',').map((l) => {
    const m = /<([^>]+)>; rel="([^"]+)"/.exec(l)!;
    return [m[2]!, m[1]!];
  }));
}

/** Follows rel="next" to the end, returning every item and the number of pages. */
async function allPages(emu: Emulator, token: string, path: string) {
  const items: Record<string, unknown>[] = [];
  let url: string | undefined = `${emu.url}/api/v1${path}`;
  let pages = 0;
  while (url) {
    const res: Response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    items.push(...((await res.json()) as Record<string, unknown>[]));
    pages++;
    url = links(res).next;
  }
  return { items, pages };
}

describe('Canvas REST API', () => {
  let emu: Emulator;
  let key: { clientId: string; clientSecret: string };
  let teacher: SeedUser;
  let token: string;

  beforeAll(async () => {
    emu = await startEmulator({ flavour: 'canvas', course: seedCourse({ learners: 150 }) });
    key = emu.canvasApiKey();
    teacher = emu.course.users.find((u) => u.role === 'Instructor')!;
    token = (await authorise(emu, key, teacher)).access_token;
  });
  afterAll(() => emu.close());

  it('issues tokens by authorization code and refreshes them', async () => {
    const t = await authorise(emu, key, teacher);
    expect(t).toMatchObject({ token_type: 'Bearer', expires_in: 3600, user: { id: Number(teacher.lmsId), name: teacher.name } });
    expect(t.refresh_token).toBeTruthy();
    const refreshed = await tokenRequest(emu, { grant_type: 'refresh_token', client_id: key.clientId, client_secret: key.clientSecret, refresh_token: t.refresh_token });
    expect(refreshed.status).toBe(200);
    const r = (await refreshed.json()) as Record<string, unknown>;
    expect(r).toMatchObject({ token_type: 'Bearer', expires_in: 3600, user: { id: Number(teacher.lmsId) } });
    expect(r.access_token).not.toBe(t.access_token);
    expect((await api(emu, r.access_token as string, `/courses/${emu.course.id}/assignments`)).status).toBe(200);

    const badSecret = await tokenRequest(emu, { grant_type: 'refresh_token', client_id: key.clientId, client_secret: 'nope', refresh_token: t.refresh_token });
    expect(badSecret.status).toBe(401);
    expect(await badSecret.json()).toEqual({ error: 'invalid_client', error_description: 'unknown client' });
    const badCode = await tokenRequest(emu, { grant_type: 'authorization_code', client_id: key.clientId, client_secret: key.clientSecret, code: 'used-or-made-up' });
    expect(badCode.status).toBe(400);
    expect(((await badCode.json()) as { error: string }).error).toBe('invalid_grant');
    const unknownClient = await fetch(`${emu.url}/login/oauth2/auth?client_id=999&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&user=${teacher.lmsId}`, { redirect: 'manual' });
    expect(unknownClient.status).toBe(401);
  });

  it('lists assignments, the ordinary one and the LTI ones, and their groups', async () => {
    const res = await api(emu, token, `/courses/${emu.course.id}/assignments?per_page=100`);
    const list = (await res.json()) as Record<string, unknown>[];
    expect(list).toHaveLength(emu.course.activities.length);
    const ordinary = emu.course.activities.find((a) => !a.ags)!;
    expect(list.find((a) => a.id === Number(ordinary.id))).toMatchObject({ name: ordinary.label, points_possible: ordinary.scoreMaximum, published: true, submission_types: ['online_upload'] });
    expect(list[0]).toMatchObject({ id: Number(emu.course.activities[0]!.id), submission_types: ['external_tool'], assignment_group_id: expect.any(Number) });

    const groups = (await (await api(emu, token, `/courses/${emu.course.id}/assignment_groups?include[]=assignments`)).json()) as { id: number; name: string; assignments: { id: number; assignment_group_id: number }[] }[];
    expect(groups.flatMap((g) => g.assignments)).toHaveLength(emu.course.activities.length);
    for (const g of groups) for (const a of g.assignments) expect(a.assignment_group_id).toBe(g.id);
    const bare = (await (await api(emu, token, `/courses/${emu.course.id}/assignment_groups`)).json()) as Record<string, unknown>[];
    expect(bare[0]!.assignments).toBeUndefined();
  });

  it('lists every student\'s submissions grouped, to the last page', async () => {
    const { items, pages } = await allPages(emu, token, `/courses/${emu.course.id}/students/submissions?student_ids[]=all&grouped=true&per_page=40`);
    const students = emu.course.users.filter((u) => u.role === 'Learner' && u.status !== 'Deleted');
    expect(items).toHaveLength(students.length);
    expect(pages).toBe(Math.ceil(students.length / 40));
    expect(emu.requests.filter((r) => r.path.includes('/students/submissions?')).length).toBeGreaterThanOrEqual(pages);
    const first = items[0] as { user_id: number; submissions: Record<string, unknown>[] };
    expect(first.user_id).toBe(Number(students[0]!.lmsId));
    expect(first.submissions).toHaveLength(emu.course.activities.length);
    for (const s of first.submissions) {
      const r = emu.course.results.find((x) => x.userId === students[0]!.id && Number(x.lineItemId) === s.assignment_id);
      expect(s).toMatchObject({ excused: false, workflow_state: r?.score !== undefined ? 'graded' : r ? expect.any(String) : 'unsubmitted', score: r?.score ?? null });
      if (r?.score !== undefined) expect(s.grade).toBe(String(r.score));
    }

    const one = (await (await api(emu, token, `/courses/${emu.course.id}/students/submissions?student_ids[]=${students[3]!.lmsId}&grouped=true`)).json()) as { user_id: number }[];
    expect(one.map((s) => s.user_id)).toEqual([Number(students[3]!.lmsId)]);
  });

  it('pages with Canvas Link headers, 10 by default and at most 100', async () => {
    const path = `/courses/${emu.course.id}/enrollments?type[]=StudentEnrollment&state[]=active`;
    const first = await api(emu, token, path);
    expect((await first.json()) as unknown[]).toHaveLength(10);
    const l = links(first);
    expect(Object.keys(l)).toEqual(['current', 'next', 'first', 'last']);
    expect(new URL(l.next!).searchParams.get('page')).toBe('2');
    expect(new URL(l.next!).searchParams.getAll('type[]')).toEqual(['StudentEnrollment']);
    const big = await api(emu, token, `${path}&per_page=500`);
    expect((await big.json()) as unknown[]).toHaveLength(100);
    expect(new URL(links(big).next!).searchParams.get('per_page')).toBe('100');
    const { items, pages } = await allPages(emu, token, `${path}&per_page=100`);
    expect(pages).toBe(2);
    expect(items).toHaveLength(emu.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').length);
    const lastRes = await fetch(links(big).last!, { headers: { authorization: `Bearer ${token}` } });
    expect(Object.keys(links(lastRes))).toEqual(['current', 'prev', 'first', 'last']);
  });

  it('lists enrollments with users and current scores', async () => {
    const list = (await (await api(emu, token, `/courses/${emu.course.id}/enrollments?type[]=StudentEnrollment&state[]=active&per_page=5`)).json()) as Record<string, any>[];
    const u = emu.course.users.find((x) => x.lmsId === String(list[0]!.user_id))!;
    expect(list[0]).toMatchObject({
      user_id: Number(u.lmsId), type: 'StudentEnrollment', enrollment_state: 'active',
      user: { id: Number(u.lmsId), name: u.name, sortable_name: `${u.familyName}, ${u.givenName}`, login_id: u.email },
      grades: { current_score: expect.any(Number) },
    });
    const inactive = (await (await api(emu, token, `/courses/${emu.course.id}/enrollments?type[]=StudentEnrollment&state[]=inactive`)).json()) as Record<string, unknown>[];
    expect(inactive.map((e) => e.enrollment_state)).toEqual(['inactive', 'inactive']);
  });

  it('lists modules with items, completion requirements and a student\'s state', async () => {
    const student = emu.course.users.find((x) => x.role === 'Learner')!;
    const list = (await (await api(emu, token, `/courses/${emu.course.id}/modules?include[]=items&student_id=${student.lmsId}`)).json()) as Record<string, any>[];
    expect(list).toHaveLength(emu.course.modules.length);
    for (const [i, m] of list.entries()) {
      const seeded = emu.course.modules[i]!;
      expect(m).toMatchObject({ id: Number(seeded.id), name: seeded.name, position: seeded.position, state: expect.stringMatching(/^(unlocked|started|completed)$/) });
      const done = seeded.items.filter((it) => it.completion).map((it) => emu.course.completions.find((c) => c.userId === student.id && c.itemId === it.id)?.completed ?? false);
      expect(m.state).toBe(done.every(Boolean) ? 'completed' : done.some(Boolean) ? 'started' : 'unlocked');
      for (const [j, item] of (m.items as Record<string, any>[]).entries()) {
        const s = seeded.items[j]!;
        expect(item).toMatchObject({ id: Number(s.id), title: s.title, type: s.type });
        expect(item.completion_requirement.type).toBe(s.completion!.rule);
        expect(typeof item.completion_requirement.completed).toBe('boolean');
        if (s.completion!.rule === 'min_score') expect(item.completion_requirement.min_score).toBe(s.completion!.minScore);
      }
    }
    const plain = (await (await api(emu, token, `/courses/${emu.course.id}/modules`)).json()) as Record<string, unknown>[];
    expect(plain[0]!.items).toBeUndefined();
    expect(plain[0]!.state).toBeUndefined();
  });

  it('lists a module\'s items on their own, paged, as inline, with a student\'s completion', async () => {
    // context_module_items_api_controller.rb#index: Api.paginate over the module's items, module_item_json with the student's progress.
    const student = emu.course.users.find((x) => x.role === 'Learner')!;
    const inline = (await (await api(emu, token, `/courses/${emu.course.id}/modules?include[]=items&student_id=${student.lmsId}`)).json()) as { id: number; items: unknown[]; items_count: number }[];
    for (const m of inline) {
      const { items, pages } = await allPages(emu, token, `/courses/${emu.course.id}/modules/${m.id}/items?student_id=${student.lmsId}&per_page=2`);
      expect(items).toEqual(m.items);
      expect(items).toHaveLength(m.items_count);
      expect(pages).toBe(Math.max(1, Math.ceil(m.items_count / 2)));
    }
    const m = inline[0]!;
    const bare = (await (await api(emu, token, `/courses/${emu.course.id}/modules/${m.id}/items`)).json()) as { completion_requirement?: Record<string, unknown> }[];
    expect(bare.filter((i) => i.completion_requirement).every((i) => !('completed' in i.completion_requirement!))).toBe(true);
    expect((await api(emu, token, `/courses/${emu.course.id}/modules/999999/items`)).status).toBe(404);
    expect((await api(emu, token, `/courses/${emu.course.id}/modules/${m.id}/items?student_id=999999`)).status).toBe(404);
  });

  it('ignores include parameters for the tokens of a key that enforces scopes without "Allow Include Parameters", as Canvas does by default', async () => {
    // canvas-lms doc/api/developer_keys.md, "Canvas API Includes"; allow_includes defaults to false
    // (db/migrate AddAllowIncludeParamsToDeveloperKey).
    const scopes = ['/modules', '/modules/:module_id/items', '/assignment_groups'].map((x) => `url:GET|/api/v1/courses/:course_id${x}`);
    const scopedToken = async (o: { allowIncludes?: boolean }) => {
      const k = emu.canvasApiKey({ scopes, ...o });
      const res = await fetch(`${emu.url}/login/oauth2/auth?${new URLSearchParams({ client_id: k.clientId, response_type: 'code', redirect_uri: REDIRECT, user: teacher.lmsId, scope: scopes.join(' ') })}`, { redirect: 'manual' });
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
      return ((await (await tokenRequest(emu, { grant_type: 'authorization_code', client_id: k.clientId, client_secret: k.clientSecret, redirect_uri: REDIRECT, code })).json()) as { access_token: string }).access_token;
    };
    const student = emu.course.users.find((x) => x.role === 'Learner')!;
    const read = async (t: string) => ({
      modules: (await (await api(emu, t, `/courses/${emu.course.id}/modules?include[]=items&student_id=${student.lmsId}`)).json()) as { id: number; items?: unknown[]; items_count: number; state: string }[],
      groups: (await (await api(emu, t, `/courses/${emu.course.id}/assignment_groups?include[]=assignments`)).json()) as { assignments?: unknown[] }[],
      plural: (await (await api(emu, t, `/courses/${emu.course.id}/modules?includes[]=items`)).json()) as { items?: unknown[] }[],
    });

    const ignored = await read(await scopedToken({}));
    const honoured = await read(await scopedToken({ allowIncludes: true }));
    const unscoped = await read(token);
    expect(ignored.modules.every((m) => m.items === undefined && m.items_count > 0)).toBe(true);
    expect(ignored.groups.every((g) => g.assignments === undefined)).toBe(true);
    expect(ignored.plural.every((m) => m.items === undefined)).toBe(true);
    // The rest of the answer is as ever: the module's state still says whether the student completed it.
    expect(ignored.modules.map((m) => m.state)).toEqual(unscoped.modules.map((m) => m.state));
    expect(honoured).toEqual(unscoped);
    expect(honoured.modules.every((m) => m.items!.length === m.items_count)).toBe(true);
    // The items' own list needs no include: it answers either token.
    const t = await scopedToken({});
    const items = (await (await api(emu, t, `/courses/${emu.course.id}/modules/${ignored.modules[0]!.id}/items?student_id=${student.lmsId}&per_page=100`)).json()) as unknown[];
    expect(items).toEqual(unscoped.modules[0]!.items);
  });

  it('answers 404 for another course and 401 for a student\'s token', async () => {
    const other = await api(emu, token, '/courses/1/assignments');
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ errors: [{ message: 'The specified resource does not exist.' }] });
    const studentToken = (await authorise(emu, key, emu.course.users.find((u) => u.role === 'Learner')!)).access_token;
    expect((await api(emu, studentToken, `/courses/${emu.course.id}/enrollments`)).status).toBe(401);
  });

  it('throttles per token with cost headers and 403 when the bucket is empty', async () => {
    const own = (await authorise(emu, key, teacher)).access_token;
    const ok = await api(emu, own, `/courses/${emu.course.id}/assignments`);
    expect(ok.headers.get('x-request-cost')).toBe('1');
    expect(Number(ok.headers.get('x-rate-limit-remaining'))).toBeGreaterThan(690);
    emu.canvasRateLimit({ capacity: 3, cost: 1, refillPerSecond: 0 });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) remaining.push((await api(emu, own, `/courses/${emu.course.id}/assignments`)).headers.get('x-rate-limit-remaining')!);
    expect(remaining).toEqual(['2.0', '1.0', '0.0']);
    const limited = await api(emu, own, `/courses/${emu.course.id}/assignments`);
    expect(limited.status).toBe(403);
    expect(await limited.text()).toMatch(/^403 Forbidden \(Rate Limit Exceeded\)/);
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0.0');

    emu.canvasRateLimit({ capacity: 700, cost: 1, refillPerSecond: 10 });
    expect((await api(emu, own, `/courses/${emu.course.id}/assignments`)).status).toBe(200);
    emu.drainCanvasBuckets();
    expect((await api(emu, own, `/courses/${emu.course.id}/assignments`)).status).toBe(403);
    emu.canvasRateLimit({ capacity: 700, cost: 1, refillPerSecond: 10 });
  });

  it('refuses, as Canvas does for a key that enforces scopes, an authorize request naming a scope the key lacks, or none; its tokens reach only their scopes', async () => {
    // canvas-lms app/controllers/oauth2_provider_controller.rb#auth raises Canvas::OAuth::InvalidScopeError
    // (lib/canvas/oauth/invalid_scope_error.rb) unless provider.valid_scopes? (lib/canvas/oauth/provider.rb), and
    // redirect_oauth_error sends the browser back with error and error_description only (request_error.rb#append_error).
    const read = ['url:GET|/api/v1/courses/:course_id/assignments', 'url:GET|/api/v1/courses/:course_id/enrollments'];
    const edit = 'url:PUT|/api/v1/courses/:course_id/assignments/:id';
    const scoped = emu.canvasApiKey({ scopes: read });
    const ask = (scope?: string) => fetch(`${emu.url}/login/oauth2/auth?${new URLSearchParams({
      client_id: scoped.clientId, response_type: 'code', redirect_uri: `${REDIRECT}?from=laurel`, state: 'st-3', user: teacher.lmsId, ...(scope !== undefined ? { scope } : {}),
    })}`, { redirect: 'manual' });
    const refusal = async (scope: string | undefined, missing: string) => {
      const res = await ask(scope);
      expect(res.status).toBe(302);
      const back = new URL(res.headers.get('location')!);
      expect(back.origin + back.pathname).toBe(REDIRECT);
      expect([...back.searchParams]).toEqual([
        ['from', 'laurel'],
        ['error', 'invalid_scope'],
        ['error_description', `A requested scope is invalid, unknown, malformed, or exceeds the scope granted by the resource owner. The following scopes were requested, but not granted: ${missing}`],
      ]);
    };
    await refusal([...read, edit].join(' '), edit);
    await refusal(`${edit} url:GET|/api/v1/courses/:course_id/modules url:GET|/api/v1/users/:id`, `${edit}, url:GET|/api/v1/courses/:course_id/modules, and url:GET|/api/v1/users/:id`);
    await refusal(undefined, '');

    const granted = await ask(read.join(' '));
    expect(granted.status).toBe(302);
    const back = new URL(granted.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-3');
    const res = await tokenRequest(emu, { grant_type: 'authorization_code', client_id: scoped.clientId, client_secret: scoped.clientSecret, redirect_uri: REDIRECT, code: back.searchParams.get('code')! });
    const t = (await res.json()) as { access_token: string; refresh_token: string };
    expect(Object.keys(t)).not.toContain('scope'); // Canvas::OAuth::Token#as_json says no scopes
    expect((await api(emu, t.access_token, `/courses/${emu.course.id}/assignments`)).status).toBe(200);
    const outside = await api(emu, t.access_token, `/courses/${emu.course.id}/modules`);
    expect(outside.status).toBe(401);
    expect(outside.headers.get('www-authenticate')).toBeNull();
    expect(await outside.json()).toEqual({ errors: [{ message: 'Insufficient scopes on access token.' }] });
    const assignment = emu.course.activities[0]!;
    const put = await fetch(`${emu.url}/api/v1/courses/${emu.course.id}/assignments/${assignment.id}`, {
      method: 'PUT', headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ assignment: { omit_from_final_grade: true } }),
    });
    expect(put.status).toBe(401);
    expect(assignment.omitFromFinalGrade).not.toBe(true);
    // A refreshed token keeps the grant's scopes.
    const refreshed = (await (await tokenRequest(emu, { grant_type: 'refresh_token', client_id: scoped.clientId, client_secret: scoped.clientSecret, refresh_token: t.refresh_token })).json()) as { access_token: string };
    expect((await api(emu, refreshed.access_token, `/courses/${emu.course.id}/enrollments`)).status).toBe(200);
    expect((await api(emu, refreshed.access_token, `/courses/${emu.course.id}/modules`)).status).toBe(401);
    // A key that does not enforce scopes takes any, or none, and its tokens reach every endpoint.
    expect((await api(emu, token, `/courses/${emu.course.id}/modules`)).status).toBe(200);
  });

  it('answers 401 with Canvas\'s error for a missing, expired or revoked token', async () => {
    const path = `/courses/${emu.course.id}/assignments`;
    const missing = await fetch(`${emu.url}/api/v1${path}`);
    expect(missing.status).toBe(401);
    const t = await authorise(emu, key, teacher);
    emu.expireCanvasTokens();
    const expired = await api(emu, t.access_token, path);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await expired.json()).toEqual({ errors: [{ message: 'Invalid access token.' }] });
    // Expired access tokens are refreshed; revoked ones are gone with their refresh tokens.
    const refreshed = (await (await tokenRequest(emu, { grant_type: 'refresh_token', client_id: key.clientId, client_secret: key.clientSecret, refresh_token: t.refresh_token })).json()) as { access_token: string };
    expect((await api(emu, refreshed.access_token, path)).status).toBe(200);
    emu.revokeCanvasTokens();
    expect((await api(emu, refreshed.access_token, path)).status).toBe(401);
    const again = await tokenRequest(emu, { grant_type: 'refresh_token', client_id: key.clientId, client_secret: key.clientSecret, refresh_token: t.refresh_token });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
    token = (await authorise(emu, key, teacher)).access_token;
  });
});

describe('Moodle flavour', () => {
  it('has no Canvas REST API', async () => {
    const emu = await startEmulator({ flavour: 'moodle' });
    try {
      expect((await fetch(`${emu.url}/api/v1/courses/${emu.course.id}/assignments`)).status).toBe(404);
    } finally {
      await emu.close();
    }
  });
});
