/**
 * The LMS client and course snapshots against the emulator over real HTTP, as Canvas and as
 * Moodle: paging, throttling, expired tokens, deleted line items, missing scopes, learner-only
 * snapshots, strict media types, and what a run costs the LMS in requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCourse, startEmulator, type Emulator, type Flavour, type SeedActivity } from '../emulator/index.js';
import { LmsClient, type LmsClientOptions } from '../../src/lms/client.js';
import { LmsError } from '../../src/lms/errors.js';
import { MEDIA_TYPES } from '../../src/lms/http.js';
import { SCOPES } from '../../src/lms/scopes.js';
import { takeSnapshot } from '../../src/lms/snapshot.js';
import type { CourseSnapshot } from '../../src/rules/snapshot.js';
import { startToolStub, type ToolStub } from '../emulator/toolStub.js';

const PAGE = 10;
const LEARNERS = 45;
const AGS_CLAIM = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';
const NRPS_CLAIM = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';

/** The emulated line item id in a line item URL (Canvas …/line_items/40, Moodle …/lineitems/12/lineitem?type_id=1). */
const activityId = (url: string) => /(?:line_items|lineitems)\/(\d+)/.exec(url)![1]!;
const pathOf = (url: string) => { const u = new URL(url); return u.pathname + u.search; };
const sorted = <T>(xs: T[]) => [...xs].sort();

describe.each<Flavour>(['canvas', 'moodle'])('LMS client against emulated %s', (flavour) => {
  let emu: Emulator;
  let tool: ToolStub;

  beforeAll(async () => {
    tool = await startToolStub();
    emu = await startEmulator({ flavour, course: seedCourse({ learners: LEARNERS, flavour }), pageSize: PAGE });
  });
  afterAll(async () => {
    await emu.close();
    await tool.close();
  });

  /** Laurel freshly registered (its own client id, so no token is cached), its client and the course's service URLs from a launch's claims. */
  function connect(o: LmsClientOptions & { scopes?: string[] } = {}, lms = emu) {
    const { clientId } = lms.registerTool({ ...tool.registration, scopes: o.scopes });
    const instructor = lms.course.users.find((u) => u.role === 'Instructor')!;
    const claims = lms.idTokenClaims({ userId: instructor.id, clientId, nonce: 'x' });
    const endpoints = {
      lineItemsUrl: (claims[AGS_CLAIM] as { lineitems?: string } | undefined)?.lineitems,
      membershipsUrl: (claims[NRPS_CLAIM] as { context_memberships_url?: string } | undefined)?.context_memberships_url,
    };
    const waits: number[] = [];
    const client = new LmsClient(
      { issuer: lms.issuer, clientId, tokenEndpoint: lms.endpoints.token, kid: tool.kid, privateKey: tool.privateKey },
      { sleep: async (ms) => { waits.push(ms); }, ...o },
    );
    const from = lms.requests.length;
    return { client, clientId, endpoints, waits, served: () => lms.requests.slice(from) };
  }

  /** What the emulated LMS shows this tool: Canvas lists all but removed members, Moodle active ones only. */
  function expected(clientId: string) {
    const c = emu.course;
    const members = c.users.filter((u) => u.enrolled !== false && (flavour === 'canvas' ? u.status !== 'Deleted' : u.status === 'Active'));
    const items = c.activities.filter((a) => a.ags && (a.clientId === undefined || a.clientId === clientId));
    const results = c.results.filter((r) => items.some((a) => a.id === r.lineItemId));
    return { members, items, results };
  }

  /** Requests of a quiet full run: token, pages of members, of line items, of each line item's results. */
  function minimumRequests(clientId: string): number {
    const { members, items, results } = expected(clientId);
    const pages = (n: number) => Math.max(1, Math.ceil(n / PAGE));
    // Moodle's NRPS links a next page whenever a page is full, even when nothing follows.
    const memberPages = flavour === 'moodle' ? Math.floor(members.length / PAGE) + 1 : pages(members.length);
    return 1 + memberPages + pages(items.length) + items.reduce((n, a) => n + pages(results.filter((r) => r.lineItemId === a.id).length), 0);
  }

  function expectComplete(snapshot: CourseSnapshot, clientId: string) {
    const want = expected(clientId);
    expect(snapshot.members.map((m) => m.userId)).toEqual(expect.arrayContaining(want.members.map((u) => u.id)));
    expect(snapshot.members).toHaveLength(want.members.length);
    expect(snapshot.lineItems.map((i) => activityId(i.id))).toEqual(want.items.map((a) => a.id));
    expect(sorted(snapshot.results.map((r) => `${activityId(r.lineItemId)}/${r.userId}`))).toEqual(sorted(want.results.map((r) => `${r.lineItemId}/${r.userId}`)));
  }

  /** The client counted exactly what the LMS served (token requests included). */
  function expectCountsAgree(client: LmsClient, served: { method: string; path: string; status: number }[]) {
    expect(client.requests).toBe(served.length);
    const key = (r: { method: string; path: string; status?: number }) => `${r.method} ${r.path} ${r.status}`;
    expect(sorted(client.requestLog.map((r) => key({ ...r, path: pathOf(r.url) })))).toEqual(sorted(served.map(key)));
  }

  it('reads the whole course over several pages, each fact once, in the fewest requests, with exact media types', async () => {
    const accepts: string[] = [];
    const { client, clientId, endpoints, served } = connect({
      fetch: (input, init) => {
        if (init?.method === 'GET') accepts.push(new Headers(init.headers).get('accept') ?? '');
        return fetch(input, init);
      },
    });
    const { snapshot, warnings } = await takeSnapshot(client, endpoints, { now: () => new Date('2025-06-01T12:00:00Z') });

    expect(warnings).toEqual([]);
    expect(snapshot.takenAt).toBe('2025-06-01T12:00:00.000Z');
    expectComplete(snapshot, clientId);
    expect(snapshot.members.length).toBeGreaterThan(PAGE * 4);
    // Canvas's Test Student has no email address.
    expect(snapshot.members.every((m) => m.source === 'nrps' && m.roles.length > 0 && m.name && (m.email || m.roles.some((r) => r.endsWith('#TestUser'))))).toBe(true);
    expect(snapshot.lineItems.every((i) => i.source === 'ags' && i.scoreMaximum > 0 && i.label && i.resourceLinkId && i.tag)).toBe(true);
    expect(snapshot.results.every((r) => r.source === 'ags' && typeof r.resultScore === 'number')).toBe(true);

    expect(served().every((r) => r.status === 200)).toBe(true); // Moodle answers 400 to a wrong media type
    expect(new Set(accepts)).toEqual(new Set([MEDIA_TYPES.membershipContainer, MEDIA_TYPES.lineItemContainer, MEDIA_TYPES.resultContainer]));
    expectCountsAgree(client, served());
    expect(client.requests).toBe(minimumRequests(clientId));
    console.log(`${flavour}, ${LEARNERS} learners, pages of ${PAGE}: ${client.requests} requests for a full snapshot`);
  });

  it("asks for the largest pages the LMS serves (Canvas 100, Moodle everything): one page per list", async () => {
    const wide = await startEmulator({ flavour, course: seedCourse({ learners: LEARNERS, flavour }) });
    try {
      const { client, endpoints, served } = connect({}, wide);
      const { snapshot } = await takeSnapshot(client, endpoints);
      expect(snapshot.members.length).toBeGreaterThan(40);
      expect(client.requests).toBe(1 + 1 + 1 + snapshot.lineItems.length);
      const limits = served().slice(1).map((r) => new URL(r.path, wide.url).searchParams.get('limit'));
      expect(new Set(limits)).toEqual(new Set([flavour === 'canvas' ? '100' : null]));
      console.log(`${flavour}, ${LEARNERS} learners, the LMS's own page sizes: ${client.requests} requests for a full snapshot`);
    } finally {
      await wide.close();
    }
  });

  it('waits as Retry-After asks when the LMS throttles mid-run, then completes', async () => {
    const { client, clientId, endpoints, waits, served } = connect();
    await client.lineItems(endpoints.lineItemsUrl!);
    emu.throttle({ times: 2, retryAfterSeconds: 1 });
    const { snapshot } = await takeSnapshot(client, endpoints);

    expectComplete(snapshot, clientId);
    expect(served().filter((r) => r.status === (flavour === 'canvas' ? 403 : 429))).toHaveLength(2);
    expect(waits).toEqual([1000, 1000]);
    expectCountsAgree(client, served());
    expect(client.requests).toBe(minimumRequests(clientId) + 1 + 2);
  });

  it('takes one fresh token when the token expires mid-run', async () => {
    const { client, clientId, endpoints, served } = connect();
    await client.lineItems(endpoints.lineItemsUrl!);
    emu.expireTokens();
    const { snapshot } = await takeSnapshot(client, endpoints);

    expectComplete(snapshot, clientId);
    const tokenRequests = served().filter((r) => r.method === 'POST' && new URL(emu.endpoints.token).pathname === r.path);
    expect(tokenRequests).toHaveLength(2);
    const unauthorized = served().filter((r) => r.status === 401).length;
    expect(unauthorized).toBeGreaterThanOrEqual(1); // members and line items were both asked with the old token
    expectCountsAgree(client, served());
    expect(client.requests).toBe(minimumRequests(clientId) + 1 + 1 + unauthorized);
  });

  it('leaves out a line item deleted between listing and reading its results, with a warning', async () => {
    let doomed: SeedActivity | undefined;
    const { client, clientId, endpoints } = connect({
      fetch: (input, init) => {
        if (doomed && String(input).includes('/results')) {
          const gone = doomed.id;
          emu.course.activities.splice(emu.course.activities.indexOf(doomed), 1);
          emu.course.results = emu.course.results.filter((r) => r.lineItemId !== gone);
          doomed = undefined;
        }
        return fetch(input, init);
      },
    });
    const learner = emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    doomed = { id: '900', label: 'Badge: Safety', scoreMaximum: 1, ags: true, clientId };
    emu.course.activities.push(doomed);
    emu.course.results.push({ userId: learner.id, lineItemId: '900', score: 1, timestamp: '2025-02-01T00:00:00.000Z' });

    const { snapshot, warnings } = await takeSnapshot(client, endpoints);

    expect(doomed).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"Badge: Safety" was deleted');
    expect(snapshot.lineItems.map((i) => i.label)).not.toContain('Badge: Safety');
    expectComplete(snapshot, clientId);
  });

  it('says which scope is missing and how an admin grants it', async () => {
    const noResults = connect({ scopes: [SCOPES.lineItem, SCOPES.score, SCOPES.memberships] });
    const err = await takeSnapshot(noResults.client, noResults.endpoints).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LmsError);
    expect(err).toMatchObject({ kind: 'scope_not_granted' });
    expect((err as Error).message).toContain(SCOPES.resultReadonly);
    expect((err as Error).message).toContain("Laurel's developer key");
    expect((err as Error).message).toContain('IMS LTI Assignment and Grade Services');
    expect(noResults.served().every((r) => r.status === 200)).toBe(true); // refused before asking the LMS

    const full = connect();
    const noRoster = connect({ scopes: [SCOPES.lineItem, SCOPES.resultReadonly, SCOPES.score] });
    expect(noRoster.endpoints.membershipsUrl).toBeUndefined(); // the launch offers no NRPS
    await expect(takeSnapshot(noRoster.client, noRoster.endpoints)).rejects.toMatchObject({ kind: 'scope_not_granted', message: expect.stringContaining('Names and Role Provisioning') });
    await expect(noRoster.client.members(full.endpoints.membershipsUrl!)).rejects.toMatchObject({
      kind: 'scope_not_granted', message: expect.stringContaining(SCOPES.memberships),
    });
  });

  it("reads one learner's results with the user_id filter, in few requests", async () => {
    const learner = emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const { client, clientId, endpoints, served } = connect();
    const { snapshot, warnings } = await takeSnapshot(client, endpoints, { userId: learner.id });

    expect(warnings).toEqual([]);
    expect(snapshot.members.map((m) => m.userId)).toEqual([learner.id]);
    const mine = expected(clientId).results.filter((r) => r.userId === learner.id);
    expect(sorted(snapshot.results.map((r) => activityId(r.lineItemId)))).toEqual(sorted(mine.map((r) => r.lineItemId)));
    const resultRequests = served().filter((r) => r.path.includes('/results'));
    expect(resultRequests).toHaveLength(snapshot.lineItems.length);
    expect(resultRequests.every((r) => new URL(r.path, emu.url).searchParams.get('user_id') === learner.id)).toBe(true);
    const memberPages = served().filter((r) => /names_and_roles|memberships/.test(r.path)).length;
    expect(client.requests).toBe(1 + memberPages + 1 + snapshot.lineItems.length);
    expect(client.requests).toBeLessThan(minimumRequests(clientId) / 2);
    expectCountsAgree(client, served());
  });

  it('posts a score with the exact media type, and reports a refused one', async () => {
    const { client, endpoints } = connect();
    const [item] = await client.lineItems(endpoints.lineItemsUrl!, { tag: 'lab' });
    const learner = emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const score = { scoreGiven: 7, scoreMaximum: 10, timestamp: new Date().toISOString(), activityProgress: 'Completed', gradingProgress: 'FullyGraded' } as const;

    await client.postScore(item!.id, { userId: learner.id, ...score });
    const [result] = await client.results(item!.id, { userId: learner.id });
    // Moodle reports the score on the line item's scale (digest §4).
    expect(result).toMatchObject({ userId: learner.id, resultScore: flavour === 'moodle' ? 7 / 10 * item!.scoreMaximum : 7 });

    const teacher = emu.course.users.find((u) => u.role === 'Instructor')!;
    await expect(client.postScore(item!.id, { userId: teacher.id, ...score })).rejects.toMatchObject({ kind: 'bad_response', status: flavour === 'canvas' ? 422 : 400 });
  });
});
