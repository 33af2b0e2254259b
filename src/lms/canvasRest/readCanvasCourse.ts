/**
 * A Canvas course as its REST API reports it (digest §10): every published assignment with every
 * student's submission, the student enrolments, and the modules with their completion
 * requirements and, when asked, each student's progress through them. Ids are Canvas's own.
 */
import type { Activity, LineItem, MemberStatus } from '../../rules/snapshot.js';
import { LmsError } from '../errors.js';
import { compact, num, record, sisIdText, text } from '../read.js';
import type { LmsCompletion, LmsLearner, LmsResult, LmsStaff, ReadOptions, SourceReading } from '../sources/reading.js';
import type { CanvasApi, CanvasQuery } from './canvasApi.js';
import { mapLimit } from '../mapLimit.js';

const SOURCE = 'canvas-rest';
/** Laurel's own grade-book columns (AGS line items "Badge: <name>") are its output, not grades to set rules on. */
const BADGE_COLUMN = /^Badge: /;
/**
 * Per-student module reads under way at once: quick on a big course, and within Canvas's bucket
 * (it charges each request in flight up front; pacing by X-Rate-Limit-Remaining does the rest).
 */
const CONCURRENCY = 8;

export async function readCanvasCourse(api: CanvasApi, canvasCourseId: string, o: ReadOptions): Promise<SourceReading> {
  const course = `/api/v1/courses/${encodeURIComponent(canvasCourseId)}`;
  if (o.itemsOnly) {
    const [lineItems, modules] = await Promise.all([assignments(api, course), courseModules(api, course)]);
    return { source: SOURCE, lineItems, results: [], learners: [], ...modules };
  }
  if (o.learnersOnly) {
    const { learners, staff } = await enrollments(api, course, undefined);
    return { source: SOURCE, lineItems: [], results: [], activities: [], completions: [], learners, staff };
  }
  const enrolled = enrollments(api, course, o.lmsUserIds);
  const students = async () => o.lmsUserIds ?? (await enrolled).learners.map((l) => l.lmsUserId);
  // Without a completion rule the modules are not needed (the pickers read them with itemsOnly).
  const modulesRead = o.completions ? students().then((ids) => studentModules(api, course, ids)) : Promise.resolve({ activities: [], completions: [] });
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
async function courseModules(api: CanvasApi, course: string): Promise<Modules> {
  return { activities: activitiesOf(await readModules(api, course)), completions: [] };
}

/**
 * Canvas reports progress one student at a time. A student Canvas no longer knows in the course
 * (unenrolled since the roster was read) answers 404 and is left out. Each answer is merged as it
 * comes (its completions kept, its modules dropped): 2,000 students' modules are never all held.
 */
async function studentModules(api: CanvasApi, course: string, students: string[]): Promise<Modules> {
  // Every student sees the same modules, unless Canvas hides some from some: the union, in course
  // order (each where the first student, in roster order, who sees it lists it).
  const seen = new Map<string, { activity: Activity; student: number; position: number }>();
  const perStudent: LmsCompletion[][] = [];
  let answered = 0;
  await mapLimit(students.map((lmsUserId, student) => ({ lmsUserId, student })), CONCURRENCY, async ({ lmsUserId, student }) => {
    let modules: CanvasModule[];
    try {
      modules = await readModules(api, course, lmsUserId);
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
  if (!answered) return courseModules(api, course);
  const activities = [...seen.values()].sort((a, b) => a.student - b.student || a.position - b.position).map((s) => s.activity);
  return { activities, completions: perStudent.flatMap((c) => c ?? []) };
}

function activitiesOf(modules: CanvasModule[]): Activity[] {
  const byId = new Map<string, Activity>();
  for (const m of modules) for (const a of [m.activity, ...m.items.map((i) => i.activity)]) if (!byId.has(a.id)) byId.set(a.id, a);
  return [...byId.values()];
}

/**
 * Modules with their items inline. Canvas may leave the items out of a module it finds too big
 * (then only the module itself is read: its state still says whether it was completed).
 */
async function readModules(api: CanvasApi, course: string, studentId?: string): Promise<CanvasModule[]> {
  const query: CanvasQuery = studentId ? { 'include[]': 'items', student_id: studentId } : { 'include[]': 'items' };
  return (await api.list(`${course}/modules`, query)).flatMap((raw) => {
    const m = record(raw);
    const id = text(m.id);
    if (!id) return [];
    const name = text(m.name) ?? '';
    const items = (Array.isArray(m.items) ? m.items : []).map(record).flatMap((item) => {
      const itemId = text(item.id);
      const requirement = item.completion_requirement;
      if (!itemId || !requirement) return [];
      const activity: Activity = { id: `canvas:module-item:${itemId}`, label: `${text(item.title) ?? ''} (${name})`, source: SOURCE };
      return [{ activity, completed: record(requirement).completed === true }];
    });
    return [compact({ activity: { id: `canvas:module:${id}`, label: name, source: SOURCE } satisfies Activity, state: text(m.state), completedAt: text(m.completed_at), items })];
  });
}
