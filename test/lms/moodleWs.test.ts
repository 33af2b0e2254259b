/**
 * Reading a Moodle course through its web services, against the emulated Moodle over real HTTP:
 * the whole grade book and activity completion as the seeded course says, one learner's reading,
 * what a reading costs Moodle in requests, refused tokens, a service missing a function or
 * disabled, the check of a token naming each capability its account lacks, throttling, and a token
 * that never leaves the request body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type SeedUser } from '../emulator/index.js';
import { LmsError } from '../../src/lms/errors.js';
import { newTransport } from '../../src/lms/http.js';
import { MOODLE_WS_FUNCTIONS, MoodleWs, MoodleWsError } from '../../src/lms/moodleWs/moodleWsApi.js';
import { checkMoodleAccess } from '../../src/lms/moodleWs/checkMoodleAccess.js';
import { MOODLE_ROLE_CAPABILITIES } from '../../src/lms/moodleWs/moodleCapabilities.js';
import { readMoodleCourse } from '../../src/lms/moodleWs/readMoodleCourse.js';
import type { ReadOptions, SourceReading } from '../../src/lms/sources/reading.js';

const WS_PATH = '/webservice/rest/server.php';
const COMPLETION = 'core_completion_get_activities_completion_status';

const byKey = <T>(key: (t: T) => string) => (xs: T[]) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
const sortResults = byKey<SourceReading['results'][number]>((r) => `${r.lineItemId} ${r.lmsUserId}`);
const sortCompletions = byKey<SourceReading['completions'][number]>((c) => `${c.activityId} ${c.lmsUserId}`);
const sortLearners = byKey<SourceReading['learners'][number]>((l) => l.lmsUserId);

describe('Moodle web-services reading against the emulated Moodle', () => {
  let emu: Emulator;
  let token: string;
  /** Every token handed out, to check none ever reaches a URL or a message. */
  const tokens: string[] = [];

  beforeAll(async () => {
    emu = await startEmulator({ flavour: 'moodle' });
    token = issue([...MOODLE_WS_FUNCTIONS]);
  });
  afterAll(async () => { await emu.close(); });

  function issue(functions: string[], o: { capabilities?: string[]; serviceEnabled?: boolean } = {}): string {
    const t = emu.moodleWsToken({ functions, ...o });
    tokens.push(t);
    return t;
  }

  /** A client as Laurel builds one, with a sleep that only records, the wsfunction of every request sent and how many were under way at once. */
  function connect(withToken = token) {
    const waits: number[] = [];
    const sent: string[] = [];
    const inFlight = { now: 0, most: 0 };
    const transport = newTransport({
      fetch: async (input, init) => {
        sent.push(new URLSearchParams(String(init?.body)).get('wsfunction')!);
        inFlight.most = Math.max(inFlight.most, ++inFlight.now);
        try {
          return await fetch(input, init);
        } finally {
          inFlight.now--;
        }
      },
      sleep: async (ms) => { waits.push(ms); },
      timeoutMs: 10_000,
    });
    const from = emu.requests.length;
    return { ws: new MoodleWs(emu.url, withToken, transport), waits, sent, inFlight, counter: transport.counter, served: () => emu.requests.slice(from) };
  }

  const learners = () => emu.course.users.filter((u) => u.role === 'Learner');
  const moduleItems = () => emu.course.modules.flatMap((m) => m.items);

  /** What the seeded course says a reading holds: grades of `graded`, completion of `completing`, the users `listed` (default: `completing`). */
  function expected(graded: SeedUser[], completing: SeedUser[], listed = completing): SourceReading {
    const c = emu.course;
    const items = c.activities.filter((a) => !a.label.startsWith('Badge: ')).map((a) => {
      const cm = moduleItems().find((i) => i.activityId === a.id);
      return { a, id: cm ? `moodle:cm:${cm.id}` : `moodle:gradeitem:${a.id}` };
    });
    return {
      source: 'moodle-ws',
      lineItems: items.map(({ a, id }) => ({ id, label: a.label, scoreMaximum: a.scoreMaximum, source: 'moodle-ws' })),
      results: graded.flatMap((u) => items.map(({ a, id }) => {
        const r = c.results.find((x) => x.userId === u.id && x.lineItemId === a.id && x.score !== undefined);
        // Moodle keeps grades against the item's maximum, and says when it was graded (to the second).
        return { lineItemId: id, lmsUserId: u.lmsId, ...(r ? { resultScore: (r.score! * a.scoreMaximum) / (r.scoreMaximum ?? a.scoreMaximum), gradedAt: new Date(Math.floor(Date.parse(r.timestamp) / 1000) * 1000).toISOString() } : {}) };
      })),
      activities: moduleItems().filter((i) => i.completion).map((i) => ({ id: `moodle:cm:${i.id}`, label: i.title, source: 'moodle-ws' })),
      completions: completing.flatMap((u) => moduleItems().filter((i) => i.completion).map((i) => {
        const done = c.completions.find((x) => x.userId === u.id && x.itemId === i.id && x.completed);
        return { activityId: `moodle:cm:${i.id}`, lmsUserId: u.lmsId, completed: !!done, ...(done ? { completedAt: new Date(Math.floor(Date.parse(done.at!) / 1000) * 1000).toISOString() } : {}) };
      })),
      learners: listed.map((u) => ({ lmsUserId: u.lmsId, name: u.name, status: 'Active' })),
    };
  }

  function expectReading(got: SourceReading, want: SourceReading) {
    expect(got.source).toBe('moodle-ws');
    expect(got.lineItems).toEqual(want.lineItems);
    expect(sortResults(got.results)).toEqual(sortResults(want.results));
    expect(got.activities).toEqual(want.activities);
    expect(sortCompletions(got.completions)).toEqual(sortCompletions(want.completions));
    expect(sortLearners(got.learners)).toEqual(sortLearners(want.learners));
  }

  it('reads the whole grade book and every enrolled learner\'s completion, in the fewest requests', async () => {
    // A grade a tool sent against another maximum: Moodle rescales it to the item's.
    const rescaled = emu.course.results.find((r) => r.score !== undefined && learners().some((u) => u.id === r.userId && u.status === 'Active'))!;
    rescaled.scoreMaximum = emu.course.activities.find((a) => a.id === rescaled.lineItemId)!.scoreMaximum * 2;

    // Active enrolments only, as Moodle's LTI roster lists them; completion is read for the students among them.
    const enrolled = learners().filter((u) => u.status === 'Active');
    const want = expected(enrolled, enrolled, emu.course.users.filter((u) => u.status === 'Active'));
    const { ws, sent, inFlight, counter, served } = connect();
    const reading = await readMoodleCourse(ws, emu.course.id, { completions: true }).finally(() => { delete rescaled.scoreMaximum; });
    expectReading(reading, want);
    // The ordinary assignment AGS never lists is a grade item like the others, ungraded results have no score.
    const participation = emu.course.activities.find((a) => !a.ags)!;
    expect(reading.lineItems).toContainEqual(expect.objectContaining({ label: participation.label, scoreMaximum: participation.scoreMaximum }));
    expect(reading.results.some((r) => !('resultScore' in r))).toBe(true);
    expect(reading.results).toContainEqual(expect.objectContaining({ lmsUserId: rescaled.userId, resultScore: rescaled.score! / 2 }));
    // A graded activity's grade item and its completion share one id, so a rule can ask for both.
    expect(reading.lineItems.every((i) => reading.activities.some((a) => a.id === i.id))).toBe(true);
    // Teachers are listed too (to be matched with the roster, where a non-editing teacher is a Learner); suspended enrolments are not.
    expect(reading.learners.map((l) => l.lmsUserId)).toEqual(expect.arrayContaining(emu.course.users.filter((u) => u.role !== 'Learner').map((u) => u.lmsId)));
    expect(reading.learners.map((l) => l.lmsUserId)).not.toEqual(expect.arrayContaining(learners().filter((u) => u.status === 'Inactive').map((u) => u.lmsId)));
    // Who teaches, and who of them grades only (the non-editing teacher, role `teacher`).
    const staff = emu.course.users.filter((u) => u.role !== 'Learner');
    expect(reading.staff).toEqual(staff.map((u) => ({ lmsUserId: u.lmsId, gradesOnly: u.role === 'TeachingAssistant' })));

    const count = (f: string) => sent.filter((s) => s === f).length;
    expect({ contents: count('core_course_get_contents'), grades: count('gradereport_user_get_grade_items'), enrolled: count('core_enrol_get_enrolled_users'), completion: count(COMPLETION) })
      .toEqual({ contents: 1, grades: 1, enrolled: 1, completion: enrolled.length });
    expect(counter.count).toBe(3 + enrolled.length);
    // The three course-wide calls and eight learners' completion at once, no more.
    expect(inFlight.most).toBeGreaterThan(3);
    expect(inFlight.most).toBeLessThanOrEqual(3 + 8);
    expect(served().map((r) => [r.path, r.status])).toEqual(Array.from({ length: 3 + enrolled.length }, () => [WS_PATH, 200]));
  });

  it('counts complete with a failing grade (state 3) as not completed', async () => {
    const { ws } = connect();
    const failed = learners().filter((u) => u.status === 'Active').flatMap((u) => moduleItems()
      .filter((i) => i.completion?.rule === 'min_score' && emu.course.results.some((r) => r.userId === u.id && r.lineItemId === i.activityId && r.score !== undefined))
      .filter((i) => !emu.course.completions.some((c) => c.userId === u.id && c.itemId === i.id && c.completed))
      .map((i) => ({ u, i })))[0]!;
    const raw = await ws.call(COMPLETION, { courseid: emu.course.id, userid: failed.u.lmsId }) as { statuses: { cmid: number; state: number }[] };
    expect(raw.statuses.find((s) => String(s.cmid) === failed.i.id)?.state).toBe(3);

    const reading = await readMoodleCourse(ws, emu.course.id, { completions: true, lmsUserIds: [failed.u.lmsId] });
    expect(reading.completions).toContainEqual({ activityId: `moodle:cm:${failed.i.id}`, lmsUserId: failed.u.lmsId, completed: false });
  });

  it('reads only the learners asked for, one call per learner', async () => {
    const active = learners().find((u) => u.status === 'Active')!;
    const suspended = learners().find((u) => u.status === 'Inactive')!;
    const { ws, sent } = connect();
    const reading = await readMoodleCourse(ws, emu.course.id, { completions: true, lmsUserIds: [active.lmsId, suspended.lmsId] });
    expectReading(reading, expected([active, suspended], [active, suspended], [active]));
    expect(sent.filter((f) => f === 'gradereport_user_get_grade_items')).toHaveLength(2);
    expect(sent.filter((f) => f === COMPLETION)).toHaveLength(2);
    expect(sent).toHaveLength(6);

    const launch = connect();
    const grades = await readMoodleCourse(launch.ws, emu.course.id, { completions: false, lmsUserIds: [active.lmsId] });
    expect(grades.completions).toEqual([]);
    expect(sortResults(grades.results)).toEqual(sortResults(expected([active], []).results));
    expect(launch.sent).toHaveLength(3);
  });

  it('leaves out Laurel\'s badge columns; a column a tool added is a grade item of its own', async () => {
    const link = emu.course.activities.find((a) => a.resourceLinkId !== undefined)!;
    const added = [
      { id: '90', label: 'Badge: Safety Star', scoreMaximum: 1, ags: true, clientId: 'laurel', resourceLinkId: link.resourceLinkId },
      { id: '91', label: 'Extra credit', scoreMaximum: 5, ags: true, clientId: 'laurel', resourceLinkId: link.resourceLinkId },
    ];
    emu.course.activities.push(...added);
    try {
      const reading = await readMoodleCourse(connect().ws, emu.course.id, { completions: false });
      expect(reading.lineItems.some((i) => i.label.startsWith('Badge: '))).toBe(false);
      expect(reading.lineItems.at(-1)).toEqual({ id: 'moodle:gradeitem:91', label: 'Extra credit', scoreMaximum: 5, source: 'moodle-ws' });
      expectReading(reading, { ...expected(learners().filter((u) => u.status === 'Active'), []), learners: reading.learners });
    } finally {
      emu.course.activities.splice(-added.length);
    }
  });

  describe('tokens and services', () => {
    const options: ReadOptions = { completions: true };

    const check = (ws: MoodleWs, o: { expectedTypes?: string[]; namedActivities?: { cmid: string; badge: string }[] } = {}) => checkMoodleAccess(ws, { courseId: emu.course.id, ...o });
    const clean = { courseId: '', serviceRefused: false, missingFunctions: [], missingCapabilities: [], unchecked: [] };

    it('the check finds nothing missing with a complete service and the documented role', async () => {
      const role = [...MOODLE_ROLE_CAPABILITIES, 'mod/assign:view', 'mod/quiz:view', 'mod/page:view', 'mod/lti:view'];
      const ws = connect(issue([...MOODLE_WS_FUNCTIONS], { capabilities: role })).ws;
      const named = [{ cmid: moduleItems()[0]!.id, badge: 'First' }];
      expect(await check(ws, { expectedTypes: ['lti'], namedActivities: named })).toEqual({ ...clean, courseId: emu.course.id });
    });

    it('names the functions a service lacks, and reading fails naming the one it needed', async () => {
      const { ws } = connect(issue(MOODLE_WS_FUNCTIONS.filter((f) => f !== COMPLETION)));
      expect(await check(ws)).toMatchObject({ serviceRefused: false, missingFunctions: [COMPLETION] });
      const err = await readMoodleCourse(ws, emu.course.id, options).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LmsError);
      expect(err).toMatchObject({ kind: 'scope_not_granted', message: expect.stringContaining(COMPLETION) });
      expect((err as LmsError).message).toContain('External services → Functions');
      expect((err as LmsError).message).not.toContain('Access control exception'); // Moodle's words are for the log
      expect(err).toMatchObject({ moodleSaid: 'Access control exception', errorcode: 'accessexception', wsfunction: COMPLETION });
      // Without completion, the service suffices.
      expect((await readMoodleCourse(ws, emu.course.id, { completions: false })).lineItems.length).toBeGreaterThan(0);

      // A failed call stops the reading: no learner's completion is asked for after it.
      const noGrades = connect(issue(MOODLE_WS_FUNCTIONS.filter((f) => f !== 'gradereport_user_get_grade_items')));
      await expect(readMoodleCourse(noGrades.ws, emu.course.id, options)).rejects.toMatchObject({ kind: 'scope_not_granted', message: expect.stringContaining('gradereport_user_get_grade_items') });
      expect(noGrades.sent.filter((f) => f === COMPLETION).length).toBeLessThanOrEqual(8);

      const narrow = connect(issue(['core_course_get_contents']));
      expect(await check(narrow.ws)).toMatchObject({ missingFunctions: MOODLE_WS_FUNCTIONS.filter((f) => f !== 'core_course_get_contents') });
    });

    it('a disabled service refuses every function: the check says so rather than "add the functions"', async () => {
      const t = issue([...MOODLE_WS_FUNCTIONS], { serviceEnabled: false });
      expect(await check(connect(t).ws)).toEqual({ ...clean, courseId: emu.course.id, serviceRefused: true });
      emu.changeMoodleWsToken(t, { serviceEnabled: true });
      expect(await check(connect(t).ws)).toEqual({ ...clean, courseId: emu.course.id });
    });

    it('web services turned off answer a bare 403: said as that, with where to turn them on', async () => {
      emu.moodleWebServices(false);
      try {
        const err = await check(connect().ws).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MoodleWsError);
        expect(err).toMatchObject({ errorcode: 'webservicesoff', message: expect.stringContaining('Site administration → General → Advanced features') });
      } finally {
        emu.moodleWebServices(true);
      }
    });

    describe('the check names each capability the token\'s account lacks', () => {
      const ROLE = [...MOODLE_ROLE_CAPABILITIES, 'mod/assign:view', 'mod/quiz:view', 'mod/page:view', 'mod/lti:view'];
      const lacking = (...caps: string[]) => connect(issue([...MOODLE_WS_FUNCTIONS], { capabilities: ROLE.filter((c) => !caps.includes(c)) })).ws;
      const named = async (ws: MoodleWs, o?: Parameters<typeof check>[1]) => (await check(ws, o)).missingCapabilities.map((m) => m.capability);

      it.each([
        ['moodle/course:view', ['moodle/course:view']],
        ['gradereport/user:view', ['gradereport/user:view']],
        ['moodle/grade:viewall', ['moodle/grade:viewall']],
        ['report/progress:view', ['report/progress:view']],
        ['moodle/course:enrolreview', ['moodle/course:enrolreview']],
      ])('%s, from Moodle\'s refusal', async (cap, want) => {
        expect(await named(lacking(cap))).toEqual(want);
      });

      it('moodle/user:viewdetails, from the learners the enrolment list leaves out', async () => {
        const got = await check(lacking('moodle/user:viewdetails'));
        expect(got.missingCapabilities).toEqual([{ capability: 'moodle/user:viewdetails', how: { kind: 'learnersLeftOut', count: learners().filter((u) => u.status === 'Active').length } }]);
      });

      it('mod/lti:view, from Laurel\'s own activity missing from the contents; an activity a rule names, when Moodle hides it', async () => {
        expect(await named(lacking('mod/lti:view'), { expectedTypes: ['lti'] })).toEqual(['mod/lti:view']);
        const assignment = moduleItems().find((i) => emu.course.activities.some((a) => a.id === i.activityId && !a.ags))!;
        const got = await check(lacking('mod/assign:view'), { expectedTypes: ['lti'], namedActivities: [{ cmid: assignment.id, badge: 'Participant' }] });
        expect(got.missingCapabilities).toEqual([{ capability: `mod/<type>:view of activity ${assignment.id}`, how: { kind: 'activityHidden', cmid: assignment.id, badge: 'Participant' } }]);
      });

      it('several at once, one per function Moodle refused; completion unchecked when no list names a learner to ask about', async () => {
        expect((await named(lacking('gradereport/user:view', 'report/progress:view'))).sort()).toEqual(['gradereport/user:view', 'report/progress:view']);
        // Without the grade report and the enrolment list (whose other form Moodle refuses too), no learner is known.
        const got = await check(lacking('gradereport/user:view', 'report/progress:view', 'moodle/course:enrolreview'));
        expect(got.missingCapabilities.map((m) => m.capability).sort()).toEqual(['gradereport/user:view', 'moodle/course:enrolreview']);
        expect(got.unchecked).toContain('completion');
      });

      it('reading a course without one fails in Laurel\'s words, naming the capability and who grants it', async () => {
        const err = await readMoodleCourse(lacking('report/progress:view'), emu.course.id, options).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MoodleWsError);
        expect((err as MoodleWsError).message).toBe(`The Moodle account of Laurel's token lacks the capability report/progress:view (Moodle refused ${COMPLETION}). A Moodle administrator allows it in that account's role (Site administration → Users → Permissions → Define roles), then Laurel's administrator checks the connection again on Laurel's admin page.`);
        expect((err as MoodleWsError).moodleSaid).toBe('Sorry, but you do not currently have permissions to do that (View activity completion reports).');
      });
    });

    it('an unknown or revoked token asks for a reconnection', async () => {
      const revoked = issue([...MOODLE_WS_FUNCTIONS]);
      emu.revokeMoodleWsToken(revoked);
      const unknown = '0123456789abcdef0123456789abcdef';
      tokens.push(unknown);
      for (const t of [unknown, revoked]) {
        const { ws } = connect(t);
        await expect(readMoodleCourse(ws, emu.course.id, options)).rejects.toMatchObject({ kind: 'reconnect', message: expect.stringContaining('creates a new token') });
        await expect(check(ws)).rejects.toMatchObject({ kind: 'reconnect' });
      }
    });

    it('an unknown course is not found; Moodle\'s own words for a bad parameter', async () => {
      const { ws } = connect();
      await expect(readMoodleCourse(ws, '999', options)).rejects.toMatchObject({ kind: 'not_found', message: expect.stringContaining('no longer exists in Moodle'), moodleSaid: "Can't find data record in database table course." });
      await expect(ws.call('core_course_get_contents', { courseid: 'abc' })).rejects.toMatchObject({ kind: 'bad_response', message: expect.stringContaining('(invalidparameter)'), moodleSaid: expect.stringContaining('Invalid parameter value detected') });
    });
  });

  describe('throttling', () => {
    it('waits as Retry-After asks, then completes', async () => {
      emu.throttle({ times: 2, retryAfterSeconds: 3, paths: /webservice/ });
      const { ws, waits, served } = connect();
      const reading = await readMoodleCourse(ws, emu.course.id, { completions: false });
      expect(reading.lineItems).toHaveLength(emu.course.activities.length);
      expect(waits).toEqual([3000, 3000]);
      expect(served().filter((r) => r.status === 429)).toHaveLength(2);
      expect(served()).toHaveLength(3 + 2);
    });

    it('gives up as throttled when Moodle keeps refusing', async () => {
      emu.throttle({ times: 5, retryAfterSeconds: 1, paths: /webservice/ });
      const { ws } = connect();
      await expect(ws.call('core_course_get_contents', { courseid: emu.course.id })).rejects.toMatchObject({ kind: 'throttled', status: 429 });
    });
  });

  it('never puts a token in a URL or a message', async () => {
    const errors: unknown[] = [];
    for (const t of tokens) {
      const { ws, counter } = connect(t);
      await readMoodleCourse(ws, '999', { completions: true }).catch((e: unknown) => errors.push(e));
      await checkMoodleAccess(ws, { courseId: emu.course.id }).catch((e: unknown) => errors.push(e));
      for (const r of counter.log) expect(r.url).toBe(`${emu.url}${WS_PATH}`);
    }
    expect(errors.length).toBeGreaterThan(0);
    for (const t of tokens) {
      expect(emu.requests.filter((r) => r.path.includes(t))).toEqual([]);
      for (const e of errors) expect(String((e as Error).message)).not.toContain(t);
    }
  });
});
