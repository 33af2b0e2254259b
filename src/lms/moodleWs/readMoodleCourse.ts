/**
 * A Moodle course's whole grade book and activity completion through its web services (digest
 * §10), in Moodle's own user ids: what AGS does not show (ordinary assignments, quizzes, manual
 * items) and what LTI has no word for (activity completion).
 */
import type { Activity, LineItem } from '../../rules/snapshot.js';
import { compact, listOf, num, record, text } from '../read.js';
import type { LmsCompletion, LmsLearner, LmsResult, LmsStaff, ReadOptions, SourceReading } from '../sources/reading.js';
import type { MoodleWs } from './moodleWsApi.js';
import { mapLimit } from '../mapLimit.js';

/** Per-learner calls at once: Moodle computes each learner's completion afresh, so go gently. */
const PER_LEARNER = 8;

/** Laurel's own grade columns (a badge awarded), which no rule should count as a grade. */
const BADGE_COLUMN = /^Badge: /;

export async function readMoodleCourse(ws: MoodleWs, courseId: string, o: ReadOptions): Promise<SourceReading> {
  if (o.itemsOnly) return moodleItems(ws, courseId);
  if (o.learnersOnly) return { source: 'moodle-ws', lineItems: [], results: [], activities: [], completions: [], learners: (await enrolledUsers(ws, courseId, undefined)).learners };
  // One failed call fails the reading: ask Moodle for no more learners after it.
  const failed = new AbortController();
  const failing = <T>(read: Promise<T>) => read.catch((err: unknown) => { failed.abort(); throw err; });
  const perLearner = <R>(ids: string[], fn: (userid: string) => Promise<R>) => mapLimit(ids, PER_LEARNER, fn, failed.signal);

  const enrolledRead = failing(enrolledUsers(ws, courseId, o.lmsUserIds));
  // userid 0: every learner with an active enrolment in one call (read as it arrives, learner by
  // learner); a learner's launch asks for just them.
  const grades = new Grades();
  const gradesRead = failing<unknown>(o.lmsUserIds
    ? perLearner(o.lmsUserIds, (userid) => gradeItems(ws, courseId, userid, grades))
    : gradeItems(ws, courseId, 0, grades));
  const completionsRead = o.completions
    ? failing((o.lmsUserIds ? Promise.resolve(o.lmsUserIds) : enrolledRead.then((e) => e.students))
      .then((ids) => perLearner(ids, (userid) => completionStatus(ws, courseId, userid))))
    : Promise.resolve([]);
  const [{ learners, staff }, , activities, completions] = await Promise.all([enrolledRead, gradesRead, failing(courseActivities(ws, courseId)), completionsRead]);
  return { source: 'moodle-ws', lineItems: [...grades.lineItems.values()], results: grades.results, activities, completions: completions.flat(), learners, staff };
}

/** What there is to set rules on: the grade items (as Moodle lists them for one student) and the activities. */
async function moodleItems(ws: MoodleWs, courseId: string): Promise<SourceReading> {
  const [{ students }, activities] = await Promise.all([enrolledUsers(ws, courseId, undefined), courseActivities(ws, courseId)]);
  const first = students[0];
  const grades = new Grades();
  if (first) await gradeItems(ws, courseId, first, grades);
  return { source: 'moodle-ws', lineItems: [...grades.lineItems.values()], results: [], activities, completions: [], learners: [] };
}

/** Just the fields read (Moodle otherwise sends each user's profile, groups and courses), active enrolments only (which needs moodle/course:enrolreview). */
export const ENROLLED_OPTIONS = {
  'options[0][name]': 'userfields', 'options[0][value]': 'fullname,idnumber,roles', 'options[1][name]': 'onlyactive', 'options[1][value]': 1,
} as const;

/** Without the files inside each resource, which Moodle otherwise lists. */
export const CONTENTS_OPTIONS = { 'options[0][name]': 'excludecontents', 'options[0][value]': 1 } as const;

/** Where a call's answer came from, for messages about a malformed one. */
const at = (ws: MoodleWs, wsfunction: string) => `${ws.endpoint} (${wsfunction})`;

/** Moodle's course roles that teach: the editing teacher, the non-editing teacher (`teacher`, grades only) and the manager. */
const TEACHING_ROLES = ['editingteacher', 'teacher', 'manager'];
const EDITING_ROLES = ['editingteacher', 'manager'];

/**
 * Everyone with an active enrolment, as Moodle's LTI roster lists them (suspended ones are not in
 * it): all of them to match with the roster (a non-editing teacher is a Learner over LTI), which
 * of them hold the student role (whose completion is read), and which teach (never learners).
 */
async function enrolledUsers(ws: MoodleWs, courseId: string, only: string[] | undefined): Promise<{ learners: LmsLearner[]; students: string[]; staff: LmsStaff[] }> {
  const f = 'core_enrol_get_enrolled_users';
  const users = listOf(await ws.call(f, { courseid: courseId, ...ENROLLED_OPTIONS }), 'enrolled users', at(ws, f));
  const students: string[] = [];
  const staff: LmsStaff[] = [];
  const learners = users.map(record).flatMap((u): LmsLearner[] => {
    const lmsUserId = text(u.id);
    if (!lmsUserId || (only && !only.includes(lmsUserId))) return [];
    const roles = listOf(u.roles ?? [], 'roles', at(ws, f)).map((r) => String(record(r).shortname ?? ''));
    const sisId = text(u.idnumber);
    if (roles.some((r) => TEACHING_ROLES.includes(r))) staff.push(compact({ lmsUserId, sisId, gradesOnly: !roles.some((r) => EDITING_ROLES.includes(r)) }));
    else if (roles.includes('student')) students.push(lmsUserId);
    return [compact({ lmsUserId, sisId, name: text(u.fullname), status: 'Active' as const })];
  });
  return { learners, students, staff };
}

/** The grade items (each once, as first listed) and every learner's results, merged as read. */
class Grades {
  readonly lineItems = new Map<string, LineItem>();
  readonly results: LmsResult[] = [];
}

/** The grade items of each learner listed, minus the course total, categories and Laurel's badge columns. */
async function gradeItems(ws: MoodleWs, courseId: string, userid: string | 0, into: Grades): Promise<void> {
  const f = 'gradereport_user_get_grade_items';
  const answer = await ws.callEach(f, { courseid: courseId, userid }, 'usergrades', (ug) => learnerGrades(record(ug), ws, into));
  listOf(record(answer).usergrades, 'user grades', at(ws, f));
}

function learnerGrades(ug: Record<string, unknown>, ws: MoodleWs, into: Grades): void {
  const lmsUserId = text(ug.userid);
  for (const item of listOf(ug.gradeitems, 'grade items', at(ws, 'gradereport_user_get_grade_items')).map(record)) {
    const label = text(item.itemname) ?? '';
    if (item.itemtype === 'course' || item.itemtype === 'category' || BADGE_COLUMN.test(label)) continue;
    const min = num(item.grademin) ?? 0;
    // An activity's first grade item is the activity's (ids shared with its completion); further ones (a workshop's assessment grade) are items of their own.
    const cmid = text(item.cmid);
    const itemId = text(item.id);
    const id = cmid && !num(item.itemnumber) ? `moodle:cm:${cmid}` : itemId && `moodle:gradeitem:${itemId}`;
    if (!id) continue;
    let lineItem = into.lineItems.get(id);
    if (!lineItem) into.lineItems.set(id, (lineItem = { id, label, scoreMaximum: (num(item.grademax) ?? 0) - min, source: 'moodle-ws' }));
    const raw = num(item.graderaw);
    const graded = num(item.gradedategraded);
    // The item's own id string, not this learner's copy of it: one string for every learner's result.
    if (lmsUserId) {
      into.results.push(raw === undefined ? { lineItemId: lineItem.id, lmsUserId }
        : { lineItemId: lineItem.id, lmsUserId, resultScore: raw - min, ...(graded ? { gradedAt: new Date(graded * 1000).toISOString() } : {}) });
    }
  }
}

/** Every course module with completion tracking (manual or automatic). */
async function courseActivities(ws: MoodleWs, courseId: string): Promise<Activity[]> {
  const f = 'core_course_get_contents';
  const sections = listOf(await ws.call(f, { courseid: courseId, ...CONTENTS_OPTIONS }), 'sections', at(ws, f));
  return sections.flatMap((s) => listOf(record(s).modules ?? [], 'modules', at(ws, f)).map(record))
    .filter((m) => (num(m.completion) ?? 0) > 0 && text(m.id))
    .map((m) => ({ id: `moodle:cm:${text(m.id)}`, label: text(m.name) ?? '', source: 'moodle-ws' }));
}

/** One learner's state of each tracked activity: 1 complete, 2 complete with a pass; 3 (complete, failed) counts as not completed. */
async function completionStatus(ws: MoodleWs, courseId: string, lmsUserId: string): Promise<LmsCompletion[]> {
  const f = 'core_completion_get_activities_completion_status';
  const statuses = listOf(record(await ws.call(f, { courseid: courseId, userid: lmsUserId })).statuses, 'completion statuses', at(ws, f));
  return statuses.map(record).filter((s) => text(s.cmid)).map((s) => {
    const state = num(s.state);
    const timecompleted = num(s.timecompleted);
    return compact({
      activityId: `moodle:cm:${text(s.cmid)}`,
      lmsUserId,
      completed: state === 1 || state === 2,
      completedAt: timecompleted ? new Date(timecompleted * 1000).toISOString() : undefined,
    });
  });
}
