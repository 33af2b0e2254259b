/**
 * Checks a Moodle web-service token by doing what Laurel does with it, on a real course: each
 * function Laurel calls, with the parameters it calls them with. Asking Moodle which functions a
 * service holds is not enough (issue 13): a token whose account lacks a capability passes that
 * and then fails, or worse, answers with less than there is. So each refusal names the capability
 * Moodle checked, and the silent ones are inferred:
 *
 * - the enrolment list leaves out learners the grade report lists: `moodle/user:viewdetails`
 *   (Moodle drops users whose profile the account may not see);
 * - an activity type known to be in the course is not in its contents: `mod/<type>:view` (Moodle
 *   hides a module, its grade item and its completion from an account without it). Laurel knows
 *   its own link (an external tool, `lti`) is in a course it is used in, and which activities the
 *   course's rules name.
 *
 * Moodle stops at the first capability a function lacks, so a check after granting may find more.
 */
import { listOf, record, text } from '../read.js';
import { MOODLE_WS_FUNCTIONS, MoodleWsError, type MoodleWs } from './moodleWsApi.js';
import { modView } from './moodleCapabilities.js';
import { CONTENTS_OPTIONS, ENROLLED_OPTIONS } from './readMoodleCourse.js';

export interface MoodleCheckTarget {
  /** Moodle's course id. */
  courseId: string;
  /** Activity types known to be in the course (`lti` for Laurel's own link). */
  expectedTypes?: readonly string[];
  /** Activities (course module ids) the course's rules name, with the badge naming each. */
  namedActivities?: readonly { cmid: string; badge: string }[];
}

/** How the check found a capability missing: a call Moodle refused, or what it left out. */
export type MissingHow =
  | { kind: 'refused'; wsfunction: string }
  | { kind: 'learnersLeftOut'; count: number }
  | { kind: 'typeHidden'; type: string }
  | { kind: 'activityHidden'; cmid: string; badge: string };

export interface MissingCapability {
  capability: string;
  how: MissingHow;
}

export interface MoodleCheck {
  courseId: string;
  /** Moodle refused every function: the service is disabled, restricted to other users, or the account lacks webservice/rest:use. */
  serviceRefused: boolean;
  /** Functions Moodle refused while allowing others: missing from the service. */
  missingFunctions: string[];
  missingCapabilities: MissingCapability[];
  /** What could not be checked: completion (no learner to ask for), activities (none listed). */
  unchecked: ('completion' | 'activities')[];
}

type Attempt = { value: unknown; error?: undefined } | { value?: undefined; error: MoodleWsError };

/** A call whose Moodle refusal is kept as a result; the token refused, web services off, a missing course or a transport failure throw. */
async function attempt(call: Promise<unknown>): Promise<Attempt> {
  try {
    return { value: await call };
  } catch (err) {
    if (err instanceof MoodleWsError && !['reconnect', 'not_found'].includes(err.kind) && err.errorcode !== 'webservicesoff') return { error: err };
    throw err;
  }
}

export async function checkMoodleAccess(ws: MoodleWs, target: MoodleCheckTarget): Promise<MoodleCheck> {
  const courseid = target.courseId;
  const [contents, grades, enrolled] = await Promise.all([
    attempt(ws.call('core_course_get_contents', { courseid, ...CONTENTS_OPTIONS })),
    attempt(ws.call('gradereport_user_get_grade_items', { courseid, userid: 0 })),
    attempt(ws.call('core_enrol_get_enrolled_users', { courseid, ...ENROLLED_OPTIONS })),
  ]);
  const graded = grades.value === undefined ? [] : listOf(record(grades.value).usergrades ?? [], 'user grades', ws.endpoint).map((u) => text(record(u).userid)).filter((id): id is string => Boolean(id));
  const listed = enrolled.value === undefined ? [] : listOf(enrolled.value, 'enrolled users', ws.endpoint).map(record);
  const students = enrolled.value === undefined ? [] : studentsOf(ws, enrolled.value);
  // Someone else's completion: the account's own would not need report/progress:view. Without the
  // grade report or the active enrolments, the plain enrolment list (no capability of its own) names one.
  const learner = graded[0] ?? students[0] ?? (grades.error && enrolled.error ? await anyStudent(ws, courseid) : undefined);
  const unchecked: MoodleCheck['unchecked'] = [];
  if (!learner) unchecked.push('completion');
  const completion = await attempt(ws.call('core_completion_get_activities_completion_status', { courseid, userid: learner ?? 0 })
    // Moodle looks the service up before the user: with nobody to ask for, only whether the function is allowed is learnt.
    .catch((err: unknown) => { if (!learner && err instanceof MoodleWsError && err.kind === 'not_found') return { statuses: [] }; throw err; }));

  const calls: Record<string, Attempt> = {
    core_course_get_contents: contents, gradereport_user_get_grade_items: grades, core_enrol_get_enrolled_users: enrolled,
    core_completion_get_activities_completion_status: completion,
  };
  const refused = MOODLE_WS_FUNCTIONS.filter((f) => calls[f]!.error?.errorcode === 'accessexception');
  const serviceRefused = refused.length === MOODLE_WS_FUNCTIONS.length;
  const missing: MissingCapability[] = [];
  const add = (capability: string, how: MissingHow) => { if (!missing.some((m) => m.capability === capability)) missing.push({ capability, how }); };
  for (const f of MOODLE_WS_FUNCTIONS) {
    const cap = calls[f]!.error?.capability;
    if (cap) add(cap, { kind: 'refused', wsfunction: f });
  }

  if (grades.value !== undefined && enrolled.value !== undefined) {
    const ids = new Set(listed.map((u) => text(u.id)));
    const left = graded.filter((id) => !ids.has(id));
    if (left.length) add('moodle/user:viewdetails', { kind: 'learnersLeftOut', count: left.length });
  }
  if (contents.value !== undefined) {
    const modules = listOf(contents.value, 'sections', ws.endpoint).flatMap((s) => listOf(record(s).modules ?? [], 'modules', ws.endpoint).map(record));
    const types = new Set(modules.map((m) => text(m.modname)));
    const ids = new Set(modules.map((m) => text(m.id)));
    for (const type of target.expectedTypes ?? []) {
      if (!types.has(type)) add(modView(type), { kind: 'typeHidden', type });
    }
    for (const a of target.namedActivities ?? []) {
      if (!ids.has(a.cmid)) add(`${modView('<type>')} of activity ${a.cmid}`, { kind: 'activityHidden', cmid: a.cmid, badge: a.badge });
    }
    if (modules.length === 0 && !(target.expectedTypes ?? []).length) unchecked.push('activities');
  }
  return { courseId: courseid, serviceRefused, missingFunctions: serviceRefused ? [] : refused, missingCapabilities: serviceRefused ? [] : missing, unchecked: serviceRefused ? [] : unchecked };
}

const studentsOf = (ws: MoodleWs, users: unknown) => listOf(users, 'enrolled users', ws.endpoint).map(record)
  .filter((u) => listOf(u.roles ?? [], 'roles', ws.endpoint).some((r) => record(r).shortname === 'student')).map((u) => text(u.id)).filter((id): id is string => Boolean(id));

async function anyStudent(ws: MoodleWs, courseid: string): Promise<string | undefined> {
  const found = await attempt(ws.call('core_enrol_get_enrolled_users', { courseid, 'options[0][name]': 'userfields', 'options[0][value]': 'roles' }));
  return found.value === undefined ? undefined : studentsOf(ws, found.value)[0];
}
