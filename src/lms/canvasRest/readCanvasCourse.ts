/**
 * A Canvas course as its REST API reports it (digest §10): every published assignment with every
 * student's submission, the student enrolments, and the modules with their completion
 * requirements and, when asked, each student's progress through them. Ids are Canvas's own.
 *
 * A module's items come inline (`include[]=items`) unless Canvas leaves them out: of a module it
 * finds too big, and of every module for a key that enforces scopes without "Allow Include
 * Parameters" (Canvas then ignores `include`: canvas-lms doc/api/developer_keys.md, "Canvas API
 * Includes", off by default). Laurel then lists them from the module's own items endpoint, when the
 * grant reaches it; when it does not, the reading says what an administrator changes.
 */
import type { Activity, LineItem, MemberStatus } from '../../rules/snapshot.js';
import { LmsError } from '../errors.js';
import { compact, num, record, sisIdText, text } from '../read.js';
import type { LmsCompletion, LmsLearner, LmsResult, LmsStaff, ReadOptions, SourceReading } from '../sources/reading.js';
import type { CanvasApi, CanvasQuery } from './canvasApi.js';
import { mapLimit } from '../mapLimit.js';
import { inputProblem, type InputProblem } from '../../inputProblem.js';
import { CANVAS_ITEMS_SCOPE } from './canvasOAuth.js';

const SOURCE = 'canvas-rest';
/** Laurel's own grade-book columns (AGS line items "Badge: <name>") are its output, not grades to set rules on. */
const BADGE_COLUMN = /^Badge: /;
/**
 * Per-student module reads under way at once: quick on a big course, and within Canvas's bucket
 * (it charges each request in flight up front; pacing by X-Rate-Limit-Remaining does the rest).
 */
const CONCURRENCY = 8;

/** What the grant reaches beyond the read scopes. */
export interface CanvasReach {
  /** The module items endpoint (`url:GET|…/modules/:module_id/items`): a key that enforces no scopes, or a grant given with that scope. */
  moduleItems: boolean;
}

/** Where a module's items are read from: inline, else their own endpoint if reached; modules left without them are noted. */
interface ItemsRead { course: string; reach: CanvasReach; unread: Set<string> }

export async function readCanvasCourse(api: CanvasApi, canvasCourseId: string, o: ReadOptions, reach: CanvasReach = { moduleItems: true }): Promise<SourceReading> {
  const course = `/api/v1/courses/${encodeURIComponent(canvasCourseId)}`;
  const items: ItemsRead = { course, reach, unread: new Set() };
  const reading = await readCourse(api, course, o, items);
  return items.unread.size ? { ...reading, problem: moduleItemsUnread([...items.unread]) } : reading;
}

/**
 * Modules whose items Canvas left out, the grant reaching no other way to them: said with what to
 * change, since rules on their items would otherwise just never be met.
 */
export function moduleItemsUnread(modules: string[]): InputProblem {
  const names = modules.slice(0, 5).join(', ') + (modules.length > 5 ? '…' : '');
  return inputProblem('lms.canvasModuleItems',
    `Canvas did not list the items of these modules: ${names}. Rules on their items cannot see them completed, because Laurel's API developer key enforces scopes without allowing include parameters, ` +
    `and the connection has no scope to list module items. A Canvas administrator turns on "Allow Include Parameters" on Laurel's API developer key in Canvas (Admin → Developer Keys); ` +
    `or ticks ${CANVAS_ITEMS_SCOPE} on it, and an instructor then connects Canvas again from Laurel's course page.`,
    { modules: names, scope: CANVAS_ITEMS_SCOPE });
}

async function readCourse(api: CanvasApi, course: string, o: ReadOptions, items: ItemsRead): Promise<SourceReading> {
  if (o.itemsOnly) {
    const [lineItems, modules] = await Promise.all([assignments(api, course), courseModules(api, items)]);
    return { source: SOURCE, lineItems, results: [], learners: [], ...modules };
  }
  if (o.learnersOnly) {
    const { learners, staff } = await enrollments(api, course, undefined);
    return { source: SOURCE, lineItems: [], results: [], activities: [], completions: [], learners, staff };
  }
  const enrolled = enrollments(api, course, o.lmsUserIds);
  const students = async () => o.lmsUserIds ?? (await enrolled).learners.map((l) => l.lmsUserId);
  // Without a completion rule the modules are not needed (the pickers read them with itemsOnly).
  const modulesRead = o.completions ? students().then((ids) => studentModules(api, items, ids)) : Promise.resolve({ activities: [], completions: [] });
  const [lineItems, results, { learners, staff }, modules] = await Promise.all([assignments(api, course), submissions(api, course, o.lmsUserIds), enrolled, modulesRead]);
  // Submissions of the columns left out (Laurel's own) are not results either.
  const kept = new Set(lineItems.map((i) => i.id));
  return { source: SOURCE, lineItems, results: results.filter((r) => kept.has(r.lineItemId)), learners, staff, ...modules };
}

async function assignments(api: CanvasApi, course: string): Promise<LineItem[]> {
  return (await api.list(`${course}/assignments`)).flatMap((raw) => {
    const a = record(raw);
    const id = text(a.id);
    const name = text(a.name) ?? '';
    // Students see no unpublished assignment, so no rule can be met by one.
    if (!id || a.published === false || BADGE_COLUMN.test(name)) return [];
    return [{ id: assignmentId(id), label: name, scoreMaximum: num(a.points_possible) ?? 0, source: SOURCE }];
  });
}

function assignmentId(canvasId: string): string {
  return `canvas:assignment:${canvasId}`;
}

/** Grouped by student: one list item per student, each with a submission (perhaps unsubmitted) for every assignment. Mapped page by page, as read. */
async function submissions(api: CanvasApi, course: string, only: string[] | undefined): Promise<LmsResult[]> {
  const results: LmsResult[] = [];
  // One id string per assignment for every student's result, not a copy per submission.
  const ids = new Map<string, string>();
  await api.each(`${course}/students/submissions`, { 'student_ids[]': only ?? ['all'], grouped: 'true' }, (raw) => {
    const student = record(raw);
    const list = Array.isArray(student.submissions) ? student.submissions : [];
    for (const s of list.map(record)) {
      const canvasId = text(s.assignment_id);
      const lmsUserId = text(s.user_id) ?? text(student.user_id);
      if (!canvasId || !lmsUserId) continue;
      let lineItemId = ids.get(canvasId);
      if (!lineItemId) ids.set(canvasId, (lineItemId = assignmentId(canvasId)));
      const r: LmsResult = { lineItemId, lmsUserId };
      // Submitted, pending review or excused: a score may linger, but it is no grade.
      const score = num(s.score);
      if (score !== undefined && s.excused !== true && s.workflow_state === 'graded') {
        r.resultScore = score;
        const gradedAt = text(s.graded_at);
        if (gradedAt && !Number.isNaN(Date.parse(gradedAt))) r.gradedAt = new Date(gradedAt).toISOString();
      }
      results.push(r);
    }
  });
  return results;
}

/** Enrolments that teach the course: Canvas lets its TAs and designers edit content by default, so none grades only. */
const STAFF_ENROLLMENTS = ['TeacherEnrollment', 'TaEnrollment', 'DesignerEnrollment'];

/** The students, and in the same listing the course's staff (a person with both is staff: never a learner). */
async function enrollments(api: CanvasApi, course: string, only: string[] | undefined): Promise<{ learners: LmsLearner[]; staff: LmsStaff[] }> {
  const query: CanvasQuery = { 'type[]': ['StudentEnrollment', ...STAFF_ENROLLMENTS], 'state[]': ['active', 'inactive', 'completed'] };
  // A learner's launch: Canvas filters by one user itself (for several, Laurel filters below).
  if (only?.length === 1) query.user_id = only[0]!;
  const wanted = only && new Set(only);
  const byUser = new Map<string, LmsLearner>();
  const staff = new Map<string, LmsStaff>();
  await api.each(`${course}/enrollments`, query, (raw) => {
    const e = record(raw);
    const lmsUserId = text(e.user_id);
    if (!lmsUserId || (wanted && !wanted.has(lmsUserId))) return;
    if (STAFF_ENROLLMENTS.includes(String(e.type))) {
      staff.set(lmsUserId, compact({ lmsUserId, sisId: sisIdText(e.sis_user_id), gradesOnly: false }));
      return;
    }
    // A student enrolled in several sections has an enrolment in each: active if any is.
    if (byUser.get(lmsUserId)?.status === 'Active') return;
    const status: MemberStatus = e.enrollment_state === 'active' ? 'Active' : 'Inactive';
    byUser.set(lmsUserId, compact({ lmsUserId, sisId: sisIdText(e.sis_user_id), name: text(record(e.user).name), status }));
  });
  return { learners: [...byUser.values()], staff: [...staff.values()] };
}

type Modules = Pick<SourceReading, 'activities' | 'completions'>;

interface CanvasModule {
  activity: Activity;
  state?: string;
  completedAt?: string;
  /** Items with a completion requirement; completed only when read for a student who completed them. */
  items: { activity: Activity; completed: boolean }[];
}

/** The modules alone, once: what there is to complete, without anyone's progress. */
async function courseModules(api: CanvasApi, items: ItemsRead): Promise<Modules> {
  return { activities: activitiesOf(await readModules(api, items)), completions: [] };
}

/**
 * Canvas reports progress one student at a time. A student Canvas no longer knows in the course
 * (unenrolled since the roster was read) answers 404 and is left out. Each answer is merged as it
 * comes (its completions kept, its modules dropped): 2,000 students' modules are never all held.
 */
async function studentModules(api: CanvasApi, items: ItemsRead, students: string[]): Promise<Modules> {
  // Every student sees the same modules, unless Canvas hides some from some: the union, in course
  // order (each where the first student, in roster order, who sees it lists it).
  const seen = new Map<string, { activity: Activity; student: number; position: number }>();
  const perStudent: LmsCompletion[][] = [];
  let answered = 0;
  await mapLimit(students.map((lmsUserId, student) => ({ lmsUserId, student })), CONCURRENCY, async ({ lmsUserId, student }) => {
    let modules: CanvasModule[];
    try {
      modules = await readModules(api, items, lmsUserId);
    } catch (err) {
      if (err instanceof LmsError && err.kind === 'not_found') return;
      throw err;
    }
    answered++;
    let position = 0;
    /** The activity's id as first seen: one string for every student's completion of it. */
    const known = (activity: Activity): string => {
      const first = seen.get(activity.id);
      if (!first || student < first.student) seen.set(activity.id, { activity: first?.activity ?? activity, student, position });
      position++;
      return (first?.activity ?? activity).id;
    };
    const completions: LmsCompletion[] = [];
    for (const m of modules) {
      completions.push(compact({ activityId: known(m.activity), lmsUserId, completed: m.state === 'completed', completedAt: m.completedAt }));
      for (const item of m.items) completions.push({ activityId: known(item.activity), lmsUserId, completed: item.completed });
    }
    perStudent[student] = completions;
  });
  // With no student to ask, the modules are still there to name in rules.
  if (!answered) return courseModules(api, items);
  const activities = [...seen.values()].sort((a, b) => a.student - b.student || a.position - b.position).map((s) => s.activity);
  return { activities, completions: perStudent.flatMap((c) => c ?? []) };
}

function activitiesOf(modules: CanvasModule[]): Activity[] {
  const byId = new Map<string, Activity>();
  for (const m of modules) for (const a of [m.activity, ...m.items.map((i) => i.activity)]) if (!byId.has(a.id)) byId.set(a.id, a);
  return [...byId.values()];
}

/**
 * Modules with their items: inline, or else (Canvas left them out) from the module's items
 * endpoint, one module after another (the students' reads already run CONCURRENCY at once). A
 * module whose items can be read neither way is read alone (its state still says whether it was
 * completed) and noted in `items.unread`.
 */
async function readModules(api: CanvasApi, items: ItemsRead, studentId?: string): Promise<CanvasModule[]> {
  const forStudent: CanvasQuery = studentId ? { student_id: studentId } : {};
  const modules: CanvasModule[] = [];
  for (const raw of await api.list(`${items.course}/modules`, { 'include[]': 'items', ...forStudent })) {
    const m = record(raw);
    const id = text(m.id);
    if (!id) continue;
    const name = text(m.name) ?? '';
    let listed: unknown[] = Array.isArray(m.items) ? m.items : [];
    if (!Array.isArray(m.items) && (num(m.items_count) ?? 0) > 0) {
      if (items.reach.moduleItems) listed = await api.list(`${items.course}/modules/${encodeURIComponent(id)}/items`, forStudent);
      else items.unread.add(name || id);
    }
    const required = listed.map(record).flatMap((item) => {
      const itemId = text(item.id);
      const requirement = item.completion_requirement;
      if (!itemId || !requirement) return [];
      const activity: Activity = { id: `canvas:module-item:${itemId}`, label: `${text(item.title) ?? ''} (${name})`, source: SOURCE };
      return [{ activity, completed: record(requirement).completed === true }];
    });
    modules.push(compact({ activity: { id: `canvas:module:${id}`, label: name, source: SOURCE } satisfies Activity, state: text(m.state), completedAt: text(m.completed_at), items: required }));
  }
  return modules;
}
