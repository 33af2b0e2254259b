/**
 * The Canvas REST API a grade-book source reads (digest §10): assignments and their groups,
 * every student's submissions, modules with per-student completion, enrollments with current
 * scores. Numeric Canvas ids throughout (users by `lmsId`), lists paged by `page`/`per_page`
 * with the `Link` header, each request charged to the token's throttling bucket. An assignment
 * can be left out of the final grade (`omit_from_final_grade`, the one edit emulated), and the
 * enrolments' scores then leave it out. A module's items come inline (`include[]=items`) or from
 * their own list (`/modules/:module_id/items`, context_module_items_api_controller.rb#index:
 * paged, with each requirement's `completed` for `student_id`); a token of a key that enforces
 * scopes without "Allow Include Parameters" gets no `include` honoured (canvasOAuth.ts). Conversations (private messages) are canvasConversations.ts.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import { canvasIncludes, mountCanvasOAuth, requireCanvasScope, requireCanvasToken, type CanvasToken } from './canvasOAuth.js';
import { throttleCanvasApi } from './canvasThrottle.js';
import type { SeedActivity, SeedCompletion, SeedModule, SeedResult, SeedUser } from './course.js';
import { linkHeader, paginate } from './paging.js';
import type { Platform } from './platform.js';
import { logServiceRequests } from './serviceGuard.js';
import { mountCanvasConversations } from './canvasConversations.js';

export function mountCanvasRest(app: Express, p: Platform): void {
  mountCanvasOAuth(app, p);
  // Each endpoint's scope is named as Canvas names it (its route, with :course_id and :id).
  const guard = (scope: string) => [logServiceRequests(p), requireCanvasToken(p), throttleCanvasApi(p), requireCanvasScope(p, scope), teacherOfCourse(p)];
  const api = '/api/v1/courses/:courseId';
  const scope = (method: string, path: string) => guard(`url:${method}|/api/v1/courses/:course_id${path}`);
  app.get(`${api}/assignments`, ...scope('GET', '/assignments'), (req, res) => { sendPage(p, req, res, p.course.activities.map((a) => assignment(p, a))); });
  app.get(`${api}/assignment_groups`, ...scope('GET', '/assignment_groups'), (req, res) => { sendPage(p, req, res, assignmentGroups(p, canvasIncludes(p, req, res).includes('assignments'))); });
  app.get(`${api}/students/submissions`, ...scope('GET', '/students/submissions'), studentSubmissions(p));
  app.get(`${api}/modules`, ...scope('GET', '/modules'), modules(p));
  app.get(`${api}/modules/:moduleId/items`, ...scope('GET', '/modules/:module_id/items'), moduleItems(p));
  app.get(`${api}/enrollments`, ...scope('GET', '/enrollments'), enrollments(p));
  app.put(`${api}/assignments/:id`, express.json(), express.urlencoded({ extended: true }), ...scope('PUT', '/assignments/:id'), updateAssignment(p));
  // Laurel's messages to learners and instructors.
  mountCanvasConversations(app, p);
}

/** A line item's assignment id: its own for a column a tool made through AGS, else the line item's. */
export function assignmentIdOf(a: SeedActivity): string {
  return a.assignmentId ?? a.id;
}

/**
 * Edit an assignment (assignments_api_controller.rb#update): `assignment[omit_from_final_grade]`,
 * as JSON `{assignment: {...}}` or form fields; other fields are accepted and left as they are.
 */
function updateAssignment(p: Platform): RequestHandler {
  return (req, res) => {
    const a = p.course.activities.find((x) => assignmentIdOf(x) === req.params.id);
    if (!a) {
      res.status(404).json({ errors: [{ message: 'The specified resource does not exist.' }] });
      return;
    }
    const fields = ((req.body ?? {}) as { assignment?: Record<string, unknown> }).assignment ?? {};
    const omit = fields.omit_from_final_grade;
    if (omit !== undefined) a.omitFromFinalGrade = omit === true || omit === 'true' || omit === '1';
    res.json(assignment(p, a));
  };
}

/** The course must be the emulated one, and the token's user must teach it (Canvas answers 401 otherwise). */
function teacherOfCourse(p: Platform): RequestHandler {
  return (req, res, next) => {
    if (req.params.courseId !== p.course.id) {
      res.status(404).json({ errors: [{ message: 'The specified resource does not exist.' }] });
      return;
    }
    const { user } = res.locals.canvasToken as CanvasToken;
    if (user.role === 'Learner' || user.status !== 'Active') {
      res.status(401).json({ status: 'unauthorized', errors: [{ message: 'user not authorized to perform that action' }] });
      return;
    }
    next();
  };
}

/** One page of `all`, each item shaped by `show` only once it is on the page (a big course stays quick). */
function sendPage<T, U = T>(p: Platform, req: Request, res: Response, all: T[], show: (t: T) => U = (t) => t as unknown as U): void {
  const page = paginate(p, req, all);
  res.set('Link', linkHeader(page.links));
  res.json(page.items.map(show));
}

/** A repeated query parameter, sent as `name[]=a&name[]=b` (or once, without brackets). */
function listParam(req: Request, name: string): string[] {
  const v = (req.query as Record<string, unknown>)[name];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
}

/** Assignment groups follow the activity tags: Quizzes, Labs, … in order of first appearance. */
function groupIds(p: Platform): Map<string, number> {
  const ids = new Map<string, number>();
  for (const a of p.course.activities) {
    const tag = a.tag ?? 'assignment';
    if (!ids.has(tag)) ids.set(tag, 200 + ids.size);
  }
  return ids;
}

function assignment(p: Platform, a: SeedActivity): Record<string, unknown> {
  const courseUrl = `${p.url}/courses/${p.course.id}`;
  const out: Record<string, unknown> = {
    id: Number(assignmentIdOf(a)),
    name: a.label,
    description: null,
    course_id: Number(p.course.id),
    assignment_group_id: groupIds(p).get(a.tag ?? 'assignment'),
    position: p.course.activities.indexOf(a) + 1,
    points_possible: a.scoreMaximum,
    grading_type: 'points',
    due_at: null,
    published: true,
    omit_from_final_grade: a.omitFromFinalGrade ?? false,
    // A link's line item is an external-tool assignment, a column a tool made through AGS takes no
    // submission ("none", Lti::LineItem.create_line_item!), the ordinary one takes uploads.
    submission_types: a.ags ? [a.resourceLinkId ? 'external_tool' : 'none'] : ['online_upload'],
    html_url: `${courseUrl}/assignments/${assignmentIdOf(a)}`,
  };
  if (a.ags) out.external_tool_tag_attributes = { url: a.resourceLinkId ? `${p.url}/courses/${p.course.id}/external_tools/retrieve` : null, new_tab: false, resource_link_id: a.resourceLinkId ?? null };
  return out;
}

function assignmentGroups(p: Platform, withAssignments: boolean): Record<string, unknown>[] {
  return [...groupIds(p)].map(([tag, id], i) => {
    const g: Record<string, unknown> = { id, name: `${tag[0]!.toUpperCase()}${tag.slice(1)}${tag.endsWith('s') ? '' : 's'}`, position: i + 1, group_weight: 0, rules: {} };
    if (withAssignments) g.assignments = p.course.activities.filter((a) => (a.tag ?? 'assignment') === tag).map((a) => assignment(p, a));
    return g;
  });
}

/** Learners Canvas still lists (a deleted enrolment is gone), in roster order. */
function students(p: Platform): SeedUser[] {
  return p.course.users.filter((u) => u.role === 'Learner' && u.status !== 'Deleted');
}

function resultsByKey(p: Platform): Map<string, SeedResult> {
  return new Map(p.course.results.map((r) => [`${r.userId} ${r.lineItemId}`, r]));
}

function submission(a: SeedActivity, u: SeedUser, r: SeedResult | undefined): Record<string, unknown> {
  const graded = r?.score !== undefined;
  // A score given against another maximum is scaled, as Canvas does with AGS scores.
  const score = graded ? Math.round((r!.score! * a.scoreMaximum / (r!.scoreMaximum ?? a.scoreMaximum)) * 100) / 100 : null;
  const state = graded ? 'graded' : !r ? 'unsubmitted' : r.gradingProgress === 'PendingManual' ? 'pending_review' : 'submitted';
  return {
    id: Number(a.id) * 100000 + Number(u.lmsId),
    assignment_id: Number(assignmentIdOf(a)),
    user_id: Number(u.lmsId),
    score,
    entered_score: score,
    grade: score === null ? null : String(score),
    entered_grade: score === null ? null : String(score),
    excused: false,
    workflow_state: state,
    submitted_at: r ? r.timestamp : null,
    graded_at: graded ? r!.timestamp : null,
    late: false,
    missing: false,
  };
}

function studentSubmissions(p: Platform): RequestHandler {
  return (req, res) => {
    const ids = listParam(req, 'student_ids');
    const assignmentIds = listParam(req, 'assignment_ids');
    const who = ids.includes('all') ? students(p) : students(p).filter((u) => ids.includes(u.lmsId));
    const activities = p.course.activities.filter((a) => !assignmentIds.length || assignmentIds.includes(assignmentIdOf(a)));
    const results = resultsByKey(p);
    const of = (u: SeedUser) => activities.map((a) => submission(a, u, results.get(`${u.id} ${a.id}`)));
    if (req.query.grouped === 'true' || req.query.grouped === '1') {
      sendPage(p, req, res, who, (u) => ({ user_id: Number(u.lmsId), section_id: Number(p.course.id), integration_id: null, sis_user_id: u.sourcedId, submissions: of(u) }));
    } else {
      sendPage(p, req, res, who.flatMap(of));
    }
  };
}

/** The student of `student_id`, if asked for one; 404 answered (false) for one Canvas does not know in the course. */
function studentOf(p: Platform, req: Request, res: Response): { student?: SeedUser; done: Map<string, SeedCompletion> } | false {
  const sid = typeof req.query.student_id === 'string' ? req.query.student_id : undefined;
  const student = sid === undefined ? undefined : students(p).find((u) => u.lmsId === sid);
  if (sid !== undefined && !student) {
    res.status(404).json({ errors: [{ message: 'The specified resource does not exist.' }] });
    return false;
  }
  return { student, done: new Map(student ? p.course.completions.filter((c) => c.userId === student.id).map((c) => [c.itemId, c]) : []) };
}

function modules(p: Platform): RequestHandler {
  return (req, res) => {
    const who = studentOf(p, req, res);
    if (!who) return;
    const withItems = canvasIncludes(p, req, res).includes('items');
    sendPage(p, req, res, p.course.modules, (m) => module(p, m, withItems, who.student, who.done));
  };
}

function moduleItems(p: Platform): RequestHandler {
  return (req, res) => {
    const m = p.course.modules.find((x) => x.id === req.params.moduleId);
    if (!m) {
      res.status(404).json({ errors: [{ message: 'The specified resource does not exist.' }] });
      return;
    }
    const who = studentOf(p, req, res);
    if (!who) return;
    sendPage(p, req, res, m.items.map((item, i) => ({ item, i })), ({ item, i }) => moduleItem(p, m, item, i, who.student, who.done));
  };
}

function module(p: Platform, m: SeedModule, withItems: boolean, student: SeedUser | undefined, done: Map<string, SeedCompletion>): Record<string, unknown> {
  const required = m.items.filter((i) => i.completion);
  const completed = required.filter((i) => done.get(i.id)?.completed);
  const out: Record<string, unknown> = {
    id: Number(m.id),
    name: m.name,
    position: m.position,
    unlock_at: null,
    require_sequential_progress: false,
    requirement_type: 'all',
    prerequisite_module_ids: [],
    published: true,
    items_count: m.items.length,
    items_url: `${p.url}/api/v1/courses/${p.course.id}/modules/${m.id}/items`,
  };
  if (student) {
    // No prerequisites here, so nothing is locked: completed, started (some progress) or unlocked.
    const all = completed.length === required.length && required.length > 0;
    out.state = all ? 'completed' : completed.length ? 'started' : 'unlocked';
    out.completed_at = all ? completed.map((i) => done.get(i.id)!.at ?? '').sort().at(-1) : null;
  }
  if (withItems) out.items = m.items.map((item, i) => moduleItem(p, m, item, i, student, done));
  return out;
}

function moduleItem(p: Platform, m: SeedModule, item: SeedModule['items'][number], i: number, student: SeedUser | undefined, done: Map<string, SeedCompletion>): Record<string, unknown> {
  const it: Record<string, unknown> = {
    id: Number(item.id),
    module_id: Number(m.id),
    position: i + 1,
    title: item.title,
    indent: 0,
    type: item.type,
    html_url: `${p.url}/courses/${p.course.id}/modules/items/${item.id}`,
    published: true,
  };
  if (item.activityId) Object.assign(it, { content_id: Number(item.activityId), url: `${p.url}/api/v1/courses/${p.course.id}/assignments/${item.activityId}` });
  else if (item.type === 'Page') it.page_url = item.title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  if (item.completion) {
    it.completion_requirement = {
      type: item.completion.rule,
      ...(item.completion.minScore !== undefined ? { min_score: item.completion.minScore } : {}),
      ...(student ? { completed: Boolean(done.get(item.id)?.completed) } : {}),
    };
  }
  return it;
}

const ENROLLMENT_TYPE: Record<SeedUser['role'], string> = { Instructor: 'TeacherEnrollment', TeachingAssistant: 'TaEnrollment', Learner: 'StudentEnrollment', TestStudent: 'StudentViewEnrollment', Observer: 'ObserverEnrollment' };
const ENROLLMENT_STATE: Record<SeedUser['status'], string> = { Active: 'active', Inactive: 'inactive', Deleted: 'deleted', Concluded: 'completed' };

function enrollments(p: Platform): RequestHandler {
  return (req, res) => {
    const types = listParam(req, 'type');
    const states = listParam(req, 'state');
    const wanted = states.length ? states : ['active', 'invited']; // Canvas's default
    const results = resultsByKey(p);
    const position = new Map(p.course.users.map((u, i) => [u, i]));
    const listed = p.course.users.filter((u) => u.enrolled !== false && (!types.length || types.includes(ENROLLMENT_TYPE[u.role])) && wanted.includes(ENROLLMENT_STATE[u.status]));
    sendPage(p, req, res, listed, (u) => {
      const e: Record<string, unknown> = {
        id: 300000 + position.get(u)!,
        user_id: Number(u.lmsId),
        course_id: Number(p.course.id),
        course_section_id: Number(p.course.id),
        type: ENROLLMENT_TYPE[u.role],
        role: ENROLLMENT_TYPE[u.role],
        enrollment_state: ENROLLMENT_STATE[u.status],
        sis_user_id: u.sourcedId,
        html_url: `${p.url}/courses/${p.course.id}/users/${u.lmsId}`,
        user: {
          id: Number(u.lmsId),
          name: u.name,
          sortable_name: `${u.familyName}, ${u.givenName}`,
          short_name: u.name,
          ...(p.privacy.hideEmails ? {} : { login_id: u.email }),
        },
      };
      if (u.role === 'Learner') e.grades = grades(p, u, results);
      return e;
    });
  };
}

/**
 * Canvas's unweighted course score: current counts graded assignments only, final counts the
 * ungraded ones as zero; an assignment omitted from the final grade counts in neither.
 * Percentages with two decimals; null current score when nothing is graded.
 */
function grades(p: Platform, u: SeedUser, results: Map<string, SeedResult>): Record<string, unknown> {
  let got = 0, gradedMax = 0, allMax = 0;
  for (const a of p.course.activities) {
    if (a.omitFromFinalGrade) continue;
    allMax += a.scoreMaximum;
    const score = submission(a, u, results.get(`${u.id} ${a.id}`)).score as number | null;
    if (score === null) continue;
    got += score;
    gradedMax += a.scoreMaximum;
  }
  const pct = (n: number, d: number) => (d ? Math.round((n / d) * 10000) / 100 : null);
  return {
    html_url: `${p.url}/courses/${p.course.id}/grades/${u.lmsId}`,
    current_score: pct(got, gradedMax),
    final_score: pct(got, allMax) ?? 0,
    current_grade: null,
    final_grade: null,
  };
}
