/**
 * The Moodle 4.x web-service functions a grade-book source calls (digest §10), answering from the
 * seeded course in the shapes Moodle returns. Moodle pages none of them; only
 * core_enrol_get_enrolled_users offers limitfrom / limitnumber options.
 *
 * Each checks the token account's capabilities as Moodle 4.5 does, in its order (issue 13):
 * moodle/course:view to enter a course the account is not enrolled in, then each function's own;
 * and Moodle hides silently what the account may not see: a module without `mod/<type>:view`
 * (from the contents, the grade report and completion alike), and from the enrolment list
 * everyone but the course's contacts (editing teachers) without `moodle/user:viewdetails`.
 */
import type { CompletionRule, CourseRole, SeedActivity, SeedModuleItem, SeedResult, SeedUser } from './course.js';
import type { WsArgs, WsCaller, WsFunction } from './moodleWs.js';
import { codingError, courseContextNotValid, invalidParameter, missingRecord, moodleException, notAccessible, requiredCapability } from './moodleWsErrors.js';
import { findUser, type Platform } from './platform.js';
import { sendInstantMessages } from './moodleWsMessages.js';

export const MOODLE_WS_FUNCTIONS: Record<string, WsFunction> = {
  gradereport_user_get_grade_items: { params: ['courseid', 'userid', 'groupid'], run: gradeItems },
  core_completion_get_activities_completion_status: { params: ['courseid', 'userid'], run: completionStatus },
  core_course_get_contents: { params: ['courseid', 'options'], run: courseContents },
  core_enrol_get_enrolled_users: { params: ['courseid', 'options'], run: enrolledUsers },
  // Laurel's messages: moodleWsMessages.ts.
  core_message_send_instant_messages: { params: ['messages'], run: sendInstantMessages },
};

function checkCourse(p: Platform, args: WsArgs): void {
  if (String(args.int('courseid')) !== p.course.id) throw missingRecord('course');
}

/** validate_context(): Laurel's account is enrolled in no course, so it needs moodle/course:view to enter one. */
function enterCourse(caller: WsCaller): void {
  if (!caller.can('moodle/course:view')) throw notAccessible();
}

/** The English descriptions Moodle quotes for a missing capability. */
const DESCRIPTION: Record<string, string> = {
  'gradereport/user:view': 'View user report',
  'moodle/grade:viewall': 'View grades of other users',
  'report/progress:view': 'View activity completion reports',
  'moodle/course:enrolreview': 'Review course enrolments',
};

function requireCapability(caller: WsCaller, capability: string): void {
  if (!caller.can(capability)) throw requiredCapability(DESCRIPTION[capability] ?? capability);
}

/** A site user by Moodle id; one whose enrolment was removed (`Deleted`) still exists on the site. */
function siteUser(p: Platform, id: number): SeedUser {
  const u = findUser(p, String(id));
  if (!u) throw missingRecord('user');
  return u;
}

const seconds = (iso: string | undefined) => (iso ? Math.floor(Date.parse(iso) / 1000) : null);

// ---- course modules ----

type ModName = 'page' | 'quiz' | 'assign' | 'lti';
const MODNAME: Record<SeedModuleItem['type'], ModName> = { Page: 'page', Quiz: 'quiz', Assignment: 'assign', ExternalTool: 'lti' };
const MODPLURAL: Record<ModName, string> = { page: 'Pages', quiz: 'Quizzes', assign: 'Assignments', lti: 'External tools' };

interface CourseModule { item: SeedModuleItem; section: number; modname: ModName; instance: number; activity?: SeedActivity }

/** Every course module with its instance id: an LTI activity's is its resource link id, others count per module type. */
function courseModules(p: Platform): CourseModule[] {
  const counts = new Map<ModName, number>();
  return p.course.modules.flatMap((m) => m.items.map((item): CourseModule => {
    const modname = MODNAME[item.type];
    const activity = p.course.activities.find((a) => a.id === item.activityId);
    const n = (counts.get(modname) ?? 0) + 1;
    counts.set(modname, n);
    const instance = modname === 'lti' && activity?.resourceLinkId ? Number(activity.resourceLinkId) : n;
    return { item, section: m.position, modname, instance, activity };
  }));
}

/** The modules the account may view: Moodle hides the others entirely (cm_info::uservisible, no availability info). */
const visibleTo = (caller: WsCaller) => (cm: CourseModule) => caller.can(`mod/${cm.modname}:view`);

/** Moodle's completion tracking: 0 none, 1 manual (the learner ticks it), 2 automatic. */
function tracking(rule: CompletionRule | undefined): 0 | 1 | 2 {
  return rule === undefined ? 0 : rule === 'must_mark_done' ? 1 : 2;
}

// ---- gradereport_user_get_grade_items ----

/**
 * Every grade item of the course, ordinary assignments included, then the course total, for one
 * user or (userid 0) every learner with an active enrolment (the report's default).
 */
function gradeItems(p: Platform, args: WsArgs, caller: WsCaller) {
  const userid = args.int('userid', 0);
  args.int('groupid', 0);
  checkCourse(p, args);
  enterCourse(caller);
  requireCapability(caller, 'gradereport/user:view');
  if (!userid) requireCapability(caller, 'moodle/grade:viewall');
  const one = userid ? siteUser(p, userid) : undefined;
  if (!caller.can('moodle/grade:viewall')) throw moodleException('nopermissiontoviewgrades', 'Cannot view grades.');
  const users = one ? [one] : p.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');
  const modules = courseModules(p);
  const visible = visibleTo(caller);
  const scored = scoredResults(p);
  return {
    usergrades: users.map((u) => ({
      courseid: Number(p.course.id),
      courseidnumber: '',
      userid: Number(u.lmsId),
      userfullname: u.name,
      useridnumber: '',
      maxdepth: 2,
      gradeitems: userGradeItems(p, u, modules, scored, visible),
    })),
    warnings: [],
  };
}

/** Graded results by "user activity", built once a call: a report for every learner stays quick. */
function scoredResults(p: Platform): Map<string, SeedResult> {
  return new Map(p.course.results.filter((r) => r.score !== undefined).map((r) => [`${r.userId} ${r.lineItemId}`, r]));
}

function userGradeItems(p: Platform, u: SeedUser, modules: CourseModule[], scored: Map<string, SeedResult>, visible: (cm: CourseModule) => boolean) {
  const all = p.course.activities.map((a) => {
    const cm = modules.find((m) => m.activity === a);
    // Unenrolling deletes a user's grades.
    const r = u.status === 'Deleted' ? undefined : scored.get(`${u.id} ${a.id}`);
    // Moodle keeps grades against the item's maximum (digest §9: results scaled to it).
    const raw = r ? round5((r.score! * a.scoreMaximum) / (r.scoreMaximum ?? a.scoreMaximum)) : null;
    return {
      ...gradeItem(Number(a.id), a.label, 0, a.scoreMaximum, raw, seconds(r?.timestamp)),
      // A column a tool added through AGS, even one naming a resource link, is a manual item attached to
      // no activity (Moodle's add_standalone_lineitem): it never shares the link's cmid.
      itemtype: cm ? 'mod' : 'manual',
      itemmodule: cm?.modname ?? null,
      iteminstance: cm?.instance ?? null,
      itemnumber: cm ? 0 : null,
      ...(cm ? { cmid: Number(cm.item.id) } : {}),
      hidden: cm ? !visible(cm) : false,
    };
  });
  // The course total counts every item, those of activities hidden from the account included.
  const items = all.filter((i) => !i.hidden).map(({ hidden: _, ...i }) => i);
  const counted = all.map(({ hidden: _, ...i }) => i);
  // Natural aggregation (Moodle's default): the sum of the graded items.
  const graded = counted.filter((i) => i.graderaw !== null);
  const total = graded.length ? round5(graded.reduce((s, i) => s + i.graderaw!, 0)) : null;
  const max = counted.reduce((s, i) => s + i.grademax, 0);
  const ids = p.course.activities.map((a) => Number(a.id));
  const courseItem = { ...gradeItem(Math.min(...ids) - 1, null, 0, max, total, null), itemtype: 'course', itemmodule: null, iteminstance: 1, itemnumber: 0 };
  return [...items, courseItem];
}

function gradeItem(id: number, name: string | null, min: number, max: number, raw: number | null, graded: number | null) {
  return {
    id,
    itemname: name,
    idnumber: '',
    categoryid: name === null ? null : 1,
    outcomeid: null,
    scaleid: null,
    locked: false,
    weightraw: 0,
    weightformatted: '-',
    graderaw: raw,
    gradedatesubmitted: graded,
    gradedategraded: graded,
    gradehiddenbydate: false,
    gradeneedsupdate: false,
    gradeishidden: false,
    gradeislocked: false,
    gradeisoverridden: false,
    gradeformatted: raw === null ? '-' : raw.toFixed(2),
    grademin: min,
    grademax: max,
    rangeformatted: `${min.toFixed(2)}&ndash;${max.toFixed(2)}`,
    percentageformatted: raw === null ? '-' : `${((100 * (raw - min)) / (max - min)).toFixed(2)} %`,
    feedback: '',
    feedbackformat: 0,
  };
}

const round5 = (n: number) => Math.round(n * 1e5) / 1e5;

// ---- core_completion_get_activities_completion_status ----

/** States: 0 incomplete, 1 complete, 2 complete with a pass grade, 3 complete with a fail grade. */
function completionStatus(p: Platform, args: WsArgs, caller: WsCaller) {
  checkCourse(p, args);
  const u = siteUser(p, args.int('userid'));
  enterCourse(caller);
  // Someone else's completion (the account is never a course user here).
  requireCapability(caller, 'report/progress:view');
  // Moodle 4.x reads each user's stored completion data, so a suspended learner's shows too; only
  // learners with an active enrolment count as tracked.
  const tracked = u.role === 'Learner' && u.status === 'Active';
  const own = new Map(p.course.completions.filter((c) => c.userId === u.id).map((c) => [c.itemId, c]));
  const graded = new Set(p.course.results.filter((r) => r.userId === u.id && r.score !== undefined).map((r) => r.lineItemId));
  const statuses = courseModules(p).filter((cm) => cm.item.completion && visibleTo(caller)(cm)).map((cm) => {
    const rule = cm.item.completion!.rule;
    // Unenrolling deletes a user's completion data and grades.
    const gone = u.status === 'Deleted';
    const done = gone ? undefined : own.get(cm.item.id);
    const hasGrade = !gone && cm.activity && graded.has(cm.activity.id);
    const state = done?.completed ? (rule === 'min_score' ? 2 : 1) : rule === 'min_score' && hasGrade ? 3 : 0;
    return {
      cmid: Number(cm.item.id),
      modname: cm.modname,
      instance: cm.instance,
      state,
      timecompleted: (done?.completed && seconds(done.at)) || 0,
      tracking: tracking(rule),
      overrideby: null,
      valueused: false,
      hascompletion: true,
      isautomatic: tracking(rule) === 2,
      istrackeduser: tracked,
      uservisible: true,
      details: [],
    };
  });
  return { statuses, warnings: [] };
}

// ---- core_course_get_contents ----

/** Sections (section 0, "General", first) with their modules; options filter as Moodle's do. */
function courseContents(p: Platform, args: WsArgs, caller: WsCaller) {
  const o = Object.fromEntries(args.nameValues('options').map((x) => [x.name.toLowerCase(), x.value]));
  checkCourse(p, args);
  if (!caller.can('moodle/course:view')) throw courseContextNotValid(p.course.id);
  const modules = courseModules(p).filter(visibleTo(caller));
  const sections = [{ id: Math.min(...p.course.modules.map((m) => Number(m.id))) - 1, name: 'General', position: 0 }, ...p.course.modules.map((m) => ({ id: Number(m.id), name: m.name, position: m.position }))];
  return sections
    .filter((s) => (o.sectionid === undefined || String(s.id) === o.sectionid) && (o.sectionnumber === undefined || String(s.position) === o.sectionnumber))
    .map((s) => ({
      id: s.id,
      name: s.name,
      visible: 1,
      summary: '',
      summaryformat: 1,
      section: s.position,
      hiddenbynumsections: 0,
      uservisible: true,
      modules: o.excludemodules === '1' ? [] : modules
        .filter((cm) => cm.section === s.position && (o.cmid === undefined || cm.item.id === o.cmid) && (o.modname === undefined || cm.modname === o.modname))
        .map((cm) => ({
          id: Number(cm.item.id),
          url: `${p.url}/mod/${cm.modname}/view.php?id=${cm.item.id}`,
          name: cm.item.title,
          instance: cm.instance,
          contextid: 100 + Number(cm.item.id),
          visible: 1,
          uservisible: true,
          visibleoncoursepage: 1,
          modicon: `${p.url}/theme/image.php/boost/${cm.modname}/1/monologo`,
          modname: cm.modname,
          modplural: MODPLURAL[cm.modname],
          indent: 0,
          onclick: '',
          afterlink: null,
          customdata: '""',
          noviewlink: false,
          completion: tracking(cm.item.completion?.rule),
          downloadcontent: 1,
          dates: [],
        })),
    }));
}

// ---- core_enrol_get_enrolled_users ----

const ROLE: Record<CourseRole, { roleid: number; shortname: string; sortorder: number }> = {
  Instructor: { roleid: 3, shortname: 'editingteacher', sortorder: 3 },
  TeachingAssistant: { roleid: 4, shortname: 'teacher', sortorder: 4 },
  Learner: { roleid: 5, shortname: 'student', sortorder: 5 },
  // Canvas's people: never seeded on Moodle (Moodle's parent role is a user-context role, not an enrolment).
  TestStudent: { roleid: 5, shortname: 'student', sortorder: 5 },
  Observer: { roleid: 0, shortname: '', sortorder: 9 },
};

/**
 * Everyone enrolled, suspended enrolments included and not marked as such (Moodle's default;
 * `onlyactive` / `onlysuspended` choose); a removed enrolment is gone.
 */
function enrolledUsers(p: Platform, args: WsArgs, caller: WsCaller) {
  const courseid = args.int('courseid');
  // Moodle reads the options (case-sensitive names, unknown ones ignored) before the course.
  const o = new Map(args.nameValues('options').map((x) => [x.name, x.value]));
  const flag = (name: string) => !['', '0', undefined].includes(o.get(name)); // PHP's !empty()
  const sortby = o.get('sortby') ?? 'id';
  if (!['id', 'firstname', 'lastname', 'siteorder'].includes(sortby)) throw invalidParameter(`Invalid value for sortby parameter (value: ${sortby}), allowed values are: id,firstname,lastname,siteorder`);
  const direction = (o.get('sortdirection') ?? 'ASC').toUpperCase();
  if (!['ASC', 'DESC'].includes(direction)) throw invalidParameter(`Invalid value for sortdirection parameter (value: ${direction}),allowed values are: ASC,DESC`);
  if (String(courseid) !== p.course.id) throw missingRecord('course');
  if (!caller.can('moodle/course:view')) throw courseContextNotValid(p.course.id);
  // course_require_view_participants(): either capability lets the list be read; Moodle names the first (checked against 4.5).
  if (!caller.can('moodle/course:viewparticipants') && !caller.can('moodle/course:enrolreview')) throw requiredCapability('View participants');
  if (flag('onlyactive') || flag('onlysuspended')) requireCapability(caller, 'moodle/course:enrolreview');
  if (flag('onlyactive') && flag('onlysuspended')) throw codingError('Both onlyactive and onlysuspended are set, this is probably not what you want!');

  let users = p.course.users.filter((u) => u.enrolled !== false && u.status !== 'Deleted' && (!flag('onlyactive') || u.status === 'Active') && (!flag('onlysuspended') || u.status === 'Inactive'));
  // user_get_user_details() gives nothing for a user whose profile the account may not see, unless a course contact (editing teacher).
  if (!caller.can('moodle/user:viewdetails')) users = users.filter((u) => u.role === 'Instructor');
  // 'siteorder' is Moodle's default name order: last name, then first name.
  const key = (u: SeedUser) => (sortby === 'firstname' ? u.givenName : sortby === 'lastname' ? u.familyName : sortby === 'siteorder' ? `${u.familyName} ${u.givenName}` : u.lmsId.padStart(12, '0'));
  users = [...users].sort((a, b) => key(a).localeCompare(key(b)) * (direction === 'DESC' ? -1 : 1));

  const from = Math.max(0, Number.parseInt(o.get('limitfrom') ?? '0', 10) || 0);
  const count = Number.parseInt(o.get('limitnumber') ?? '0', 10) || 0;
  users = users.slice(from, count > 0 ? from + count : undefined);

  const fields = o.get('userfields')?.split(',').map((f) => f.trim());
  return users.map((u) => {
    const full = enrolledUser(p, u);
    return fields ? Object.fromEntries(Object.entries(full).filter(([k]) => k === 'id' || fields.includes(k))) : full;
  });
}

function enrolledUser(p: Platform, u: SeedUser): Record<string, unknown> {
  const avatar = `${p.url}/images/messages/avatar-50.png`;
  return {
    id: Number(u.lmsId),
    username: u.email.split('@')[0],
    firstname: u.givenName,
    lastname: u.familyName,
    fullname: u.name,
    email: u.email,
    department: '',
    firstaccess: 1735689600,
    lastaccess: 1736899200,
    lastcourseaccess: 1736899200,
    description: '',
    descriptionformat: 1,
    profileimageurlsmall: avatar,
    profileimageurl: avatar,
    groups: [],
    roles: [{ ...ROLE[u.role], name: '' }],
    enrolledcourses: [{ id: Number(p.course.id), fullname: p.course.title, shortname: p.course.label }],
  };
}
