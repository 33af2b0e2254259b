/**
 * The emulated Moodle's web services (digest §10): the grade book, activity completion, course
 * contents and enrolled users, from the seeded course, with Moodle's tokens and errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from './index.js';

const ALL = ['gradereport_user_get_grade_items', 'core_completion_get_activities_completion_status', 'core_course_get_contents', 'core_enrol_get_enrolled_users'];

// Answers are read loosely: the assertions check their shape.
type Json = any;

describe('moodle web services', () => {
  let emu: Emulator;
  let token: string;

  /** Calls a function with form fields (POST, as most clients do) or the query (GET). */
  async function ws(wsfunction: string, params: Record<string, string | number> = {}, o: { token?: string; method?: 'GET' | 'POST' } = {}): Promise<Json> {
    const fields = new URLSearchParams({ wstoken: o.token ?? token, wsfunction, moodlewsrestformat: 'json' });
    for (const [k, v] of Object.entries(params)) fields.set(k, String(v));
    const url = `${emu.url}/webservice/rest/server.php`;
    const res = o.method === 'GET' ? await fetch(`${url}?${fields}`) : await fetch(url, { method: 'POST', body: fields });
    expect(res.status).toBe(200); // Moodle answers errors with 200 too
    return res.json();
  }

  beforeAll(async () => {
    emu = await startEmulator({ flavour: 'moodle' });
    token = emu.moodleWsToken({ functions: ALL });
  });
  afterAll(async () => { await emu.close(); });

  const learners = () => emu.course.users.filter((u) => u.role === 'Learner');

  it('gradereport_user_get_grade_items lists every grade item of each active learner, ordinary assignments and the course total included', async () => {
    const body = await ws('gradereport_user_get_grade_items', { courseid: emu.course.id });
    expect(body.warnings).toEqual([]);
    const active = learners().filter((u) => u.status === 'Active');
    expect(body.usergrades.map((g: Json) => String(g.userid))).toEqual(active.map((u) => u.lmsId));

    for (const ug of body.usergrades) {
      expect(ug.courseid).toBe(Number(emu.course.id));
      const user = active.find((u) => u.lmsId === String(ug.userid))!;
      expect(ug.userfullname).toBe(user.name);
      expect(ug.gradeitems).toHaveLength(emu.course.activities.length + 1);
      for (const a of emu.course.activities) {
        const item = ug.gradeitems.find((i: Json) => String(i.id) === a.id);
        const r = emu.course.results.find((x) => x.userId === user.id && x.lineItemId === a.id);
        const cm = emu.course.modules.flatMap((m) => m.items).find((x) => x.activityId === a.id)!;
        expect(item).toMatchObject({ itemname: a.label, itemtype: 'mod', itemmodule: a.ags ? 'lti' : 'assign', cmid: Number(cm.id), grademin: 0, grademax: a.scoreMaximum });
        expect(item.graderaw).toBe(r?.score ?? null);
        expect(item.gradeformatted).toBe(r?.score === undefined ? '-' : r.score.toFixed(2));
      }
      const total = ug.gradeitems.at(-1);
      expect(total).toMatchObject({ itemtype: 'course', itemmodule: null, itemname: null });
      expect(total.cmid).toBeUndefined();
    }
    // The ordinary assignment AGS never lists is in the grade book.
    const participation = emu.course.activities.find((a) => !a.ags)!;
    expect(body.usergrades[0].gradeitems.some((i: Json) => i.itemname === participation.label)).toBe(true);
  });

  it('gradereport_user_get_grade_items for one user, over GET, with percentages', async () => {
    const r = emu.course.results.find((x) => x.score !== undefined && learners().some((u) => u.id === x.userId && u.status === 'Inactive'))!;
    const body = await ws('gradereport_user_get_grade_items', { courseid: emu.course.id, userid: r.userId }, { method: 'GET' });
    expect(body.usergrades).toHaveLength(1);
    const a = emu.course.activities.find((x) => x.id === r.lineItemId)!;
    const item = body.usergrades[0].gradeitems.find((i: Json) => String(i.id) === a.id);
    expect(item.graderaw).toBe(r.score);
    expect(item.percentageformatted).toBe(`${((100 * r.score!) / a.scoreMaximum).toFixed(2)} %`);
  });

  it('core_completion_get_activities_completion_status matches the seeded completions', async () => {
    const user = learners().find((u) => u.status === 'Active')!;
    const body = await ws('core_completion_get_activities_completion_status', { courseid: emu.course.id, userid: user.lmsId });
    expect(body.warnings).toEqual([]);
    const items = emu.course.modules.flatMap((m) => m.items).filter((i) => i.completion);
    expect(body.statuses.map((s: Json) => String(s.cmid))).toEqual(items.map((i) => i.id));
    for (const s of body.statuses) {
      const item = items.find((i) => i.id === String(s.cmid))!;
      const c = emu.course.completions.find((x) => x.userId === user.id && x.itemId === item.id)!;
      expect([1, 2].includes(s.state)).toBe(c.completed);
      expect(s.timecompleted).toBe(c.completed ? Math.floor(Date.parse(c.at!) / 1000) : 0);
      expect(s.tracking).toBe(2);
      expect(s.modname).toBe({ Page: 'page', Quiz: 'quiz', Assignment: 'assign', ExternalTool: 'lti' }[item.type]);
      if (item.completion!.rule === 'min_score') expect([0, 2, 3]).toContain(s.state);
      else expect([0, 1]).toContain(s.state);
    }
  });

  it('core_completion_get_activities_completion_status: a suspended learner keeps their data, untracked; an unenrolled one has none', async () => {
    const suspended = learners().find((u) => u.status === 'Inactive')!;
    const body = await ws('core_completion_get_activities_completion_status', { courseid: emu.course.id, userid: suspended.lmsId });
    for (const s of body.statuses) {
      const c = emu.course.completions.find((x) => x.userId === suspended.id && x.itemId === String(s.cmid))!;
      expect([1, 2].includes(s.state)).toBe(c.completed);
      expect(s.istrackeduser).toBe(false);
    }
    const removed = learners().find((u) => u.status === 'Deleted')!;
    const none = await ws('core_completion_get_activities_completion_status', { courseid: emu.course.id, userid: removed.lmsId });
    expect(none.statuses.every((s: Json) => s.state === 0 && s.timecompleted === 0)).toBe(true);
    const grades = await ws('gradereport_user_get_grade_items', { courseid: emu.course.id, userid: removed.lmsId });
    expect(grades.usergrades[0].gradeitems.every((i: Json) => i.graderaw === null)).toBe(true);
  });

  it('core_course_get_contents lists sections and their modules by cmid', async () => {
    const body = await ws('core_course_get_contents', { courseid: emu.course.id });
    expect(body).toHaveLength(emu.course.modules.length + 1);
    expect(body[0]).toMatchObject({ section: 0, name: 'General', modules: [] });
    emu.course.modules.forEach((m, i) => {
      const s = body[i + 1];
      expect(s).toMatchObject({ id: Number(m.id), name: m.name, section: m.position });
      expect(s.modules.map((x: Json) => [String(x.id), x.name, x.completion])).toEqual(m.items.map((it) => [it.id, it.title, it.completion ? 2 : 0]));
    });
    const lti = body[1].modules.find((x: Json) => x.modname === 'lti');
    const activity = emu.course.activities.find((a) => a.label === lti.name)!;
    expect(String(lti.instance)).toBe(activity.resourceLinkId);

    const one = await ws('core_course_get_contents', { courseid: emu.course.id, 'options[0][name]': 'sectionnumber', 'options[0][value]': 2 });
    expect(one.map((s: Json) => s.section)).toEqual([2]);
  });

  it('core_enrol_get_enrolled_users lists every enrolment, suspended ones included, with Moodle roles', async () => {
    const body = await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id });
    const enrolled = emu.course.users.filter((u) => u.status !== 'Deleted');
    expect(body.map((u: Json) => String(u.id))).toEqual(enrolled.map((u) => u.lmsId));
    const [teacher, ta, learner] = body;
    expect(teacher.roles).toEqual([expect.objectContaining({ roleid: 3, shortname: 'editingteacher' })]);
    expect(ta.roles).toEqual([expect.objectContaining({ roleid: 4, shortname: 'teacher' })]);
    expect(learner).toMatchObject({ fullname: enrolled[2]!.name, firstname: enrolled[2]!.givenName, lastname: enrolled[2]!.familyName, email: enrolled[2]!.email, roles: [{ shortname: 'student' }], enrolledcourses: [{ id: Number(emu.course.id) }] });

    const opts = (pairs: [string, string | number][]) => Object.fromEntries(pairs.flatMap(([n, v], i) => [[`options[${i}][name]`, n], [`options[${i}][value]`, v]]));
    const active = await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id, ...opts([['onlyactive', 1]]) });
    expect(active).toHaveLength(emu.course.users.filter((u) => u.status === 'Active').length);
    const suspended = await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id, ...opts([['onlysuspended', 1]]) });
    expect(suspended.map((u: Json) => String(u.id))).toEqual(emu.course.users.filter((u) => u.status === 'Inactive').map((u) => u.lmsId));
    const byName = await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id, ...opts([['sortby', 'lastname'], ['sortdirection', 'desc']]) });
    const names = byName.map((u: Json) => u.lastname as string);
    expect(names).toEqual([...names].sort((x, y) => y.localeCompare(x)));
    expect(await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id, ...opts([['sortby', 'email']]) })).toMatchObject({ errorcode: 'invalidparameter' });
    expect(await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id, ...opts([['onlyactive', 1], ['onlysuspended', 1]]) })).toMatchObject({ exception: 'core\\exception\\coding_exception', errorcode: 'codingerror' });
    const page = await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id, ...opts([['limitfrom', 5], ['limitnumber', 10]]) });
    expect(page.map((u: Json) => u.id)).toEqual(body.slice(5, 15).map((u: Json) => u.id));
  });

  it('logs calls and can be throttled like the LTI services', async () => {
    emu.throttle({ times: 1, retryAfterSeconds: 2, paths: /webservice/ });
    const res = await fetch(`${emu.url}/webservice/rest/server.php?wstoken=${token}&wsfunction=core_course_get_contents&courseid=${emu.course.id}&moodlewsrestformat=json`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(Array.isArray(await ws('core_course_get_contents', { courseid: emu.course.id }))).toBe(true);
    expect(emu.requests.filter((r) => r.path.startsWith('/webservice/rest/server.php')).slice(-2).map((r) => r.status)).toEqual([429, 200]);
  });

  describe('errors, as Moodle words them', () => {
    it('refuses a function outside the service', async () => {
      const narrow = emu.moodleWsToken({ functions: ['core_course_get_contents'] });
      expect(await ws('gradereport_user_get_grade_items', { courseid: emu.course.id }, { token: narrow }))
        .toMatchObject({ exception: 'webservice_access_exception', errorcode: 'accessexception', message: 'Access control exception' });
      expect(Array.isArray(await ws('core_course_get_contents', { courseid: emu.course.id }, { token: narrow }))).toBe(true);
    });

    it('refuses an unknown or revoked token', async () => {
      const invalid = { exception: 'core\\exception\\moodle_exception', errorcode: 'invalidtoken', message: 'Invalid token - token not found' };
      expect(await ws('core_course_get_contents', { courseid: emu.course.id }, { token: 'nope' })).toEqual(invalid);
      const t = emu.moodleWsToken({ functions: ALL });
      expect(Array.isArray(await ws('core_course_get_contents', { courseid: emu.course.id }, { token: t }))).toBe(true);
      emu.revokeMoodleWsToken(t);
      expect(await ws('core_course_get_contents', { courseid: emu.course.id }, { token: t })).toEqual(invalid);
    });

    it('refuses bad parameters', async () => {
      const invalid = { exception: 'core\\exception\\invalid_parameter_exception', errorcode: 'invalidparameter', message: 'Invalid parameter value detected' };
      expect(await ws('core_course_get_contents')).toMatchObject(invalid);
      expect(await ws('core_course_get_contents', { courseid: 'abc' })).toMatchObject(invalid);
      expect(await ws('core_completion_get_activities_completion_status', { courseid: emu.course.id })).toMatchObject(invalid);
      expect(await ws('core_course_get_contents', { courseid: emu.course.id, userid: 3 })).toMatchObject(invalid);
    });

    it('a disabled service refuses every function in the same words as one it lacks; web services off answer a bare 403', async () => {
      const t = emu.moodleWsToken({ functions: ALL, serviceEnabled: false });
      for (const f of ALL) {
        expect(await ws(f, { courseid: emu.course.id, userid: 0 }, { token: t })).toEqual({ exception: 'webservice_access_exception', errorcode: 'accessexception', message: 'Access control exception' });
      }
      emu.changeMoodleWsToken(t, { serviceEnabled: true });
      expect(Array.isArray(await ws('core_course_get_contents', { courseid: emu.course.id }, { token: t }))).toBe(true);
      // Without webservice/rest:use, Moodle refuses the account as it logs in, in the same words.
      const noRest = emu.moodleWsToken({ functions: ALL, capabilities: [] });
      expect(await ws('core_course_get_contents', { courseid: emu.course.id }, { token: noRest })).toMatchObject({ errorcode: 'accessexception' });

      emu.moodleWebServices(false);
      try {
        const res = await fetch(`${emu.url}/webservice/rest/server.php`, { method: 'POST', body: new URLSearchParams({ wstoken: token, wsfunction: 'core_course_get_contents', courseid: emu.course.id, moodlewsrestformat: 'json' }) });
        expect(res.status).toBe(403);
        expect(await res.text()).toBe('');
      } finally {
        emu.moodleWebServices(true);
      }
    });

    it('checks the account\'s capabilities as Moodle 4.5 does, naming each by its description', async () => {
      const FULL = ['webservice/rest:use', 'moodle/course:view', 'moodle/grade:viewall', 'gradereport/user:view', 'report/progress:view', 'moodle/user:viewdetails', 'moodle/course:enrolreview', 'mod/assign:view', 'mod/quiz:view', 'mod/page:view', 'mod/lti:view'];
      const without = (cap: string) => emu.moodleWsToken({ functions: ALL, capabilities: FULL.filter((c) => c !== cap) });
      const learner = learners().find((u) => u.status === 'Active')!;
      const course = { courseid: emu.course.id };
      const active = { ...course, 'options[0][name]': 'onlyactive', 'options[0][value]': 1 };
      const nopermissions = (what: string) => ({ exception: 'core\\exception\\required_capability_exception', errorcode: 'nopermissions', message: `Sorry, but you do not currently have permissions to do that (${what}).` });

      expect(await ws('gradereport_user_get_grade_items', course, { token: without('gradereport/user:view') })).toEqual(nopermissions('View user report'));
      expect(await ws('gradereport_user_get_grade_items', course, { token: without('moodle/grade:viewall') })).toEqual(nopermissions('View grades of other users'));
      expect(await ws('gradereport_user_get_grade_items', { ...course, userid: learner.lmsId }, { token: without('moodle/grade:viewall') }))
        .toEqual({ exception: 'core\\exception\\moodle_exception', errorcode: 'nopermissiontoviewgrades', message: 'Cannot view grades.' });
      expect(await ws('core_completion_get_activities_completion_status', { ...course, userid: learner.lmsId }, { token: without('report/progress:view') })).toEqual(nopermissions('View activity completion reports'));
      // course_require_view_participants() comes first, naming moodle/course:viewparticipants (Moodle 4.5, test/moodle/contract.test.ts).
      expect(await ws('core_enrol_get_enrolled_users', active, { token: without('moodle/course:enrolreview') })).toEqual(nopermissions('View participants'));
      // Not enrolled, and not allowed to view courses: require_login() refuses, as each function words it.
      const outsider = without('moodle/course:view');
      expect(await ws('gradereport_user_get_grade_items', course, { token: outsider })).toEqual({ exception: 'core\\exception\\require_login_exception', errorcode: 'requireloginerror', message: 'Course or activity not accessible.' });
      expect(await ws('core_course_get_contents', course, { token: outsider })).toEqual({
        exception: 'core\\exception\\moodle_exception', errorcode: 'errorcoursecontextnotvalid',
        message: `You cannot execute functions in the course context (course id:${emu.course.id}). The context error message was: Course or activity not accessible.`,
      });
      // Every capability: the whole answer.
      const full = emu.moodleWsToken({ functions: ALL, capabilities: FULL });
      expect((await ws('core_enrol_get_enrolled_users', active, { token: full })).length).toBe(emu.course.users.filter((u) => u.status === 'Active').length);
    });

    it('hides silently what the account may not see: modules without mod/<type>:view, profiles without moodle/user:viewdetails', async () => {
      const FULL = ['webservice/rest:use', 'moodle/course:view', 'moodle/grade:viewall', 'gradereport/user:view', 'report/progress:view', 'moodle/user:viewdetails', 'moodle/course:enrolreview', 'mod/assign:view', 'mod/quiz:view', 'mod/page:view', 'mod/lti:view'];
      const t = emu.moodleWsToken({ functions: ALL, capabilities: FULL.filter((c) => c !== 'mod/assign:view' && c !== 'moodle/user:viewdetails') });
      const learner = learners().find((u) => u.status === 'Active')!;
      const modnames = (sections: Json[]) => new Set(sections.flatMap((s: Json) => s.modules.map((m: Json) => m.modname)));
      expect(modnames(await ws('core_course_get_contents', { courseid: emu.course.id }))).toContain('assign');
      const contents = await ws('core_course_get_contents', { courseid: emu.course.id }, { token: t });
      expect(contents.length).toBeGreaterThan(1); // the sections are all there
      expect(modnames(contents)).not.toContain('assign');
      const statuses = (await ws('core_completion_get_activities_completion_status', { courseid: emu.course.id, userid: learner.lmsId }, { token: t })).statuses;
      expect(statuses.map((s: Json) => s.modname)).not.toContain('assign');
      const items = (await ws('gradereport_user_get_grade_items', { courseid: emu.course.id, userid: learner.lmsId }, { token: t })).usergrades[0].gradeitems;
      expect(items.map((i: Json) => i.itemmodule)).not.toContain('assign');
      const everything = (await ws('gradereport_user_get_grade_items', { courseid: emu.course.id, userid: learner.lmsId })).usergrades[0].gradeitems;
      // The course total still counts the hidden items.
      expect(items.at(-1).grademax).toBe(everything.at(-1).grademax);
      // Only the course's contacts (editing teachers) are listed without moodle/user:viewdetails.
      const listed = await ws('core_enrol_get_enrolled_users', { courseid: emu.course.id }, { token: t });
      expect(listed.map((u: Json) => String(u.id)).sort()).toEqual(emu.course.users.filter((u) => u.role === 'Instructor' && u.status !== 'Deleted').map((u) => u.lmsId).sort());
    });

    it('answers invalidrecord for an unknown course, user or function', async () => {
      expect(await ws('gradereport_user_get_grade_items', { courseid: 999 }))
        .toEqual({ exception: 'dml_missing_record_exception', errorcode: 'invalidrecord', message: "Can't find data record in database table course." });
      expect(await ws('core_completion_get_activities_completion_status', { courseid: emu.course.id, userid: 99999 })).toMatchObject({ errorcode: 'invalidrecord' });
      expect(await ws('core_user_get_users', {})).toMatchObject({ errorcode: 'invalidrecord' });
    });
  });
});

describe('canvas emulator', () => {
  it('has no Moodle web services', async () => {
    const emu = await startEmulator({ flavour: 'canvas' });
    try {
      const res = await fetch(`${emu.url}/webservice/rest/server.php?wsfunction=core_course_get_contents&moodlewsrestformat=json`);
      expect(res.status).toBe(404);
    } finally {
      await emu.close();
    }
  });
});
