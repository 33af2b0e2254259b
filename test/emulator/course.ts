/**
 * The seeded course: people, graded activities and their results, deterministic from a seed.
 * Ids follow the flavour, so a tool meets the shapes the real LMS sends: Canvas gives an opaque
 * uuid as the LTI user id (`sub`) and an opaque hash as the context id, next to numeric REST ids;
 * Moodle uses its numeric user id as `sub` and its numeric course id as the context id.
 */
import { createHash } from 'node:crypto';
import type { Flavour } from './flavours.js';
import { FAMILY_NAMES, GIVEN_NAMES } from './names.js';

/**
 * A course member's role. In the Moodle flavour the TeachingAssistant is Moodle's non-editing
 * teacher (role `teacher`): launched as Instructor, listed as Learner by NRPS, `teacher` by the
 * web services, refused a score by AGS (roles.ts, nrps.ts, ags.ts, moodleWsFunctions.ts).
 * Canvas only: the TestStudent is the Student View's fake student (StudentViewEnrollment), the
 * Observer an ObserverEnrollment linked to the learners in `observes` (canvas-lms
 * lib/lti/substitutions_helper.rb, LIS_V2_LTI_ADVANTAGE_ROLE_MAP).
 */
export type CourseRole = 'Instructor' | 'TeachingAssistant' | 'Learner' | 'TestStudent' | 'Observer';
/**
 * Concluded: Canvas's `completed` enrolment (app/models/enrollment.rb), as at term end. Canvas takes
 * NRPS members and launch context roles from current enrolments only (lib/lti/substitutions_helper.rb,
 * course_enrollments), so a concluded member leaves NRPS and launches with no course role.
 */
export type MemberStatus = 'Active' | 'Inactive' | 'Deleted' | 'Concluded';

export interface SeedUser {
  /** What the tool sees as `sub` and NRPS `user_id` (Canvas: opaque uuid; Moodle: numeric user id). */
  id: string;
  /** The LMS's own numeric user id (Canvas `$Canvas.user.id`; equal to `id` on Moodle). */
  lmsId: string;
  name: string;
  givenName: string;
  familyName: string;
  email: string;
  role: CourseRole;
  status: MemberStatus;
  /** SIS id, sent as `lis_person_sourcedid` where the LMS sends one. */
  sourcedId: string;
  /** An administrator of the whole LMS (Canvas account admin, Moodle site admin) besides their course role. */
  siteAdmin?: boolean;
  /**
   * Canvas: an administrator of a sub-account only (or of a custom account role). Canvas sends
   * them the same institution Administrator role as a root account admin; only
   * $Canvas.user.isRootAccountAdmin tells them apart (customVariables.ts).
   */
  subAccountAdmin?: boolean;
  /**
   * False: not enrolled in the course, as a Moodle site administrator usually is not: they launch
   * (as Instructor and Administrator), but NRPS and the web services' enrolment list leave them out.
   * On Canvas (the seeded sub-account admin) they launch with no course role at all: Canvas takes
   * context roles from current enrolments only (lib/lti/substitutions_helper.rb, all_roles).
   */
  enrolled?: false;
  /**
   * False: enrolled, but not in a role the grade book grades (Moodle's "Graded roles": students only),
   * so the LMS refuses their scores; a Moodle non-editing teacher, whom NRPS still lists as Learner.
   */
  gradable?: boolean;
  /** An observer's learners (SeedUser ids): Canvas's `role_scope_mentor` claim. */
  observes?: string[];
}

export interface SeedActivity {
  /** Line item id, the last segment of its AGS URL. */
  id: string;
  label: string;
  scoreMaximum: number;
  tag?: string;
  resourceId?: string;
  /** The tool link this line item belongs to; absent for columns not attached to a link. */
  resourceLinkId?: string;
  /** False for an ordinary LMS assignment: it has grades, but AGS never lists it. */
  ags: boolean;
  /** Set on line items a tool created (AGS or deep linking): only that tool sees them. */
  clientId?: string;
  /**
   * Canvas: the assignment behind a line item a tool created, whose id is not the line item's
   * (Lti::LineItem belongs to an Assignment); absent where both are the same id.
   */
  assignmentId?: string;
  /** Canvas: the assignment does not count towards the final grade (`omit_from_final_grade`). */
  omitFromFinalGrade?: boolean;
}

export interface SeedResult {
  /** SeedUser.id */
  userId: string;
  /** SeedActivity.id */
  lineItemId: string;
  /** Absent: not graded yet. */
  score?: number;
  /** The maximum the score was given against; defaults to the activity's scoreMaximum. */
  scoreMaximum?: number;
  comment?: string;
  timestamp: string;
  activityProgress?: string;
  gradingProgress?: string;
}

/** What completes a module item (Canvas completion requirements; Moodle activity completion). */
export type CompletionRule = 'must_view' | 'must_submit' | 'min_score' | 'must_mark_done';

export interface SeedModuleItem {
  /** Canvas module item id; Moodle course module id (cmid). */
  id: string;
  title: string;
  /** Canvas item type; a Moodle module name (assign, quiz, page, lti) is derived from it. */
  type: 'Assignment' | 'Quiz' | 'Page' | 'ExternalTool';
  /** The graded activity behind it (SeedActivity.id), if any. */
  activityId?: string;
  completion?: { rule: CompletionRule; minScore?: number };
}

/** A Canvas module; a Moodle course section. */
export interface SeedModule {
  id: string;
  name: string;
  position: number;
  items: SeedModuleItem[];
}

/** A learner's completion of a module item that has a completion rule. */
export interface SeedCompletion {
  userId: string;
  itemId: string;
  completed: boolean;
  /** ISO 8601, when completed. */
  at?: string;
}

export interface SeedCourse {
  flavour: Flavour;
  /** Numeric course id used in service URLs (and `$Canvas.course.id`). */
  id: string;
  /** The LTI context id (Canvas: opaque hash; Moodle: the course id). */
  contextId: string;
  title: string;
  label: string;
  users: SeedUser[];
  activities: SeedActivity[];
  results: SeedResult[];
  modules: SeedModule[];
  completions: SeedCompletion[];
  /**
   * Context ids of the courses this one was copied from, most recent first: what the LMS
   * substitutes for `$Context.id.history` (courseCopy.ts). Absent: never copied.
   */
  contextHistory?: string[];
}

export interface SeedOptions {
  learners?: number;
  activities?: number;
  seed?: number;
  /** Shapes the ids; names and scores are the same for both flavours. Default canvas. */
  flavour?: Flavour;
}

/** Graded activities a chemistry course might carry; `shift` makes some harder than others. */
const ACTIVITY_TEMPLATES: { label: string; scoreMaximum: number; tag: string; shift: number }[] = [
  { label: 'Quiz 1', scoreMaximum: 10, tag: 'quiz', shift: 0.05 },
  { label: 'Lab: Safety', scoreMaximum: 20, tag: 'lab', shift: 0.1 },
  { label: 'Essay', scoreMaximum: 100, tag: 'essay', shift: -0.05 },
  { label: 'Quiz 2', scoreMaximum: 10, tag: 'quiz', shift: -0.02 },
  { label: 'Lab: Titration', scoreMaximum: 20, tag: 'lab', shift: 0 },
  { label: 'Final Project', scoreMaximum: 50, tag: 'project', shift: -0.08 },
  { label: 'Quiz 3', scoreMaximum: 10, tag: 'quiz', shift: -0.04 },
  { label: 'Lab: Spectroscopy', scoreMaximum: 20, tag: 'lab', shift: -0.03 },
  { label: 'Midterm Exam', scoreMaximum: 100, tag: 'exam', shift: -0.1 },
];

export function seedCourse(o: SeedOptions = {}): SeedCourse {
  const seed = o.seed ?? 1;
  const flavour = o.flavour ?? 'canvas';
  const random = mulberry32(seed);
  const ids = idShapes(flavour, seed);

  const people: { role: CourseRole; status: MemberStatus }[] = [
    { role: 'Instructor', status: 'Active' },
    { role: 'TeachingAssistant', status: 'Active' },
    ...Array.from({ length: o.learners ?? 30 }, (_, i) => ({
      role: 'Learner' as const,
      // A real roster has a few dropped or removed enrolments.
      status: (i === 7 || i === 19 ? 'Inactive' : i === 23 ? 'Deleted' : 'Active') as MemberStatus,
    })),
  ];
  const usedNames = new Set<string>();
  const users = people.map((p, i): SeedUser => {
    let givenName = pick(GIVEN_NAMES, random);
    let familyName = pick(FAMILY_NAMES, random);
    // Unique names while the lists last; a large course (the benchmark's 2,000) repeats some.
    for (let tries = 0; usedNames.has(givenName + familyName) && tries < 50; tries++) {
      givenName = pick(GIVEN_NAMES, random);
      familyName = pick(FAMILY_NAMES, random);
    }
    usedNames.add(givenName + familyName);
    const lmsId = ids.userLmsId(i);
    const domain = p.role === 'Learner' ? 'student.example.edu' : 'example.edu';
    return {
      id: ids.userSub(lmsId),
      lmsId,
      name: `${givenName} ${familyName}`,
      givenName,
      familyName,
      email: `${ascii(givenName)}.${ascii(familyName)}@${domain}`,
      role: p.role,
      status: p.status,
      sourcedId: p.role === 'Learner' ? `S${2024000 + i * 17}` : `T${9000 + i}`,
    };
  });

  const activities = Array.from({ length: o.activities ?? 6 }, (_, i): SeedActivity => {
    const t = ACTIVITY_TEMPLATES[i] ?? { label: `Quiz ${i - 5}`, scoreMaximum: 10, tag: 'quiz', shift: 0 };
    return { id: ids.lineItemId(i), label: t.label, scoreMaximum: t.scoreMaximum, tag: t.tag, resourceLinkId: ids.resourceLinkId(i), ags: true };
  });
  // An ordinary assignment graded in the LMS: AGS must not list it (digest §4).
  activities.push({ id: ids.lineItemId(activities.length), label: 'Participation', scoreMaximum: 10, ags: false });

  const results: SeedResult[] = [];
  users.forEach((u, ui) => {
    if (u.role !== 'Learner') return;
    // Most learners do well, a few struggle; inactive and deleted ones stopped handing work in.
    const ability = ui % 11 === 5 ? 0.3 + random() * 0.2 : 0.62 + random() * 0.33;
    const missingChance = u.status === 'Active' ? 0.07 : 0.6;
    activities.forEach((a, ai) => {
      const shift = ACTIVITY_TEMPLATES[ai]?.shift ?? 0;
      const noise = gaussian(random) * 0.08;
      if (random() < missingChance || (a.label === 'Final Project' && random() < 0.2)) return;
      const fraction = Math.min(1, Math.max(0, ability + shift + noise));
      results.push({
        userId: u.id,
        lineItemId: a.id,
        score: roundScore(fraction * a.scoreMaximum, a.scoreMaximum),
        timestamp: new Date(Date.UTC(2025, 0, 10 + ai * 7, 14, ui)).toISOString(),
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
      });
    });
  });

  if (flavour === 'canvas') users.push(...canvasNonLearners(users, ids));

  const modules = seedModules(activities, ids.moduleItemId);
  const completions = seedCompletions(modules, users, results, random);
  // Canvas: an admin of the sub-account the course is in, not enrolled; added last, so the seeded
  // people, results and completions before it stay as they were.
  if (flavour === 'canvas') {
    const lmsId = ids.userLmsId(users.length); // after the Test Student and the observer: an id of its own
    users.push({ id: ids.userSub(lmsId), lmsId, name: 'Samira Okafor', givenName: 'Samira', familyName: 'Okafor', email: 'samira.okafor@example.edu', role: 'Instructor', status: 'Active', sourcedId: `A${9000 + users.length}`, subAccountAdmin: true, enrolled: false });
  }
  return { flavour, id: ids.courseId, contextId: ids.contextId, title: 'Introduction to Chemistry', label: 'CHEM 101', users, activities, results, modules, completions };
}

/**
 * Canvas's people who are not learners, after everyone else so the seeded names, scores and
 * counts of learners stay as they were: the Student View's "Test Student" (Canvas creates it the
 * first time a teacher uses Student View; it has no grades here) and an observer of the first
 * active learner (a parent, as Canvas's observers usually are).
 */
function canvasNonLearners(users: SeedUser[], ids: ReturnType<typeof idShapes>): SeedUser[] {
  const observed = users.find((u) => u.role === 'Learner' && u.status === 'Active');
  const person = (i: number, role: CourseRole, givenName: string, familyName: string, email: string): SeedUser => {
    const lmsId = ids.userLmsId(i);
    return { id: ids.userSub(lmsId), lmsId, name: `${givenName} ${familyName}`.trim(), givenName, familyName, email, role, status: 'Active', sourcedId: '' };
  };
  const testStudent = person(users.length, 'TestStudent', 'Test', 'Student', '');
  const observer = { ...person(users.length + 1, 'Observer', 'Morgan', 'Parent', 'morgan.parent@example.net'), observes: observed ? [observed.id] : [] };
  return [testStudent, observer];
}

/**
 * The course's weeks: each graded activity in turn, three to a week, plus a reading page at the
 * start of each (must be viewed). Graded items are completed by a submission, the first quiz of
 * a week by a minimum score.
 */
function seedModules(activities: SeedActivity[], itemId: (i: number) => string): SeedModule[] {
  const modules: SeedModule[] = [];
  let n = 0;
  for (let week = 0; week * 3 < activities.length; week++) {
    const graded = activities.slice(week * 3, week * 3 + 3);
    const items: SeedModuleItem[] = [
      { id: itemId(n++), title: week === 0 ? 'Safety briefing' : `Week ${week + 1} reading`, type: 'Page', completion: { rule: 'must_view' } },
      ...graded.map((a): SeedModuleItem => {
        const quiz = a.tag === 'quiz';
        const rule: SeedModuleItem['completion'] = quiz && a === graded.find((g) => g.tag === 'quiz') ? { rule: 'min_score', minScore: a.scoreMaximum * 0.6 } : { rule: 'must_submit' };
        return { id: itemId(n++), title: a.label, type: a.ags ? 'ExternalTool' : quiz ? 'Quiz' : 'Assignment', activityId: a.id, completion: rule };
      }),
    ];
    modules.push({ id: String(100 + week), name: week === 0 ? 'Week 1: Foundations' : `Week ${week + 1}`, position: week + 1, items });
  }
  return modules;
}

function seedCompletions(modules: SeedModule[], users: SeedUser[], results: SeedResult[], random: () => number): SeedCompletion[] {
  const score = new Map(results.map((r) => [`${r.userId} ${r.lineItemId}`, r]));
  const out: SeedCompletion[] = [];
  for (const u of users) {
    if (u.role !== 'Learner') continue;
    for (const m of modules) {
      for (const item of m.items) {
        if (!item.completion) continue;
        const result = item.activityId ? score.get(`${u.id} ${item.activityId}`) : undefined;
        const completed = item.activityId
          ? result?.score !== undefined && (item.completion.rule !== 'min_score' || result.score >= (item.completion.minScore ?? 0))
          : random() < (u.status === 'Active' ? 0.85 : 0.3);
        out.push({ userId: u.id, itemId: item.id, completed, ...(completed ? { at: result?.timestamp ?? new Date(Date.UTC(2025, 0, 8 + m.position * 7)).toISOString() } : {}) });
      }
    }
  }
  return out;
}

/** The id formats each LMS uses; derived by hashing so the random stream (names, scores) is flavour-independent. */
function idShapes(flavour: Flavour, seed: number) {
  if (flavour === 'moodle') {
    const courseId = String(2 + (seed % 40)); // course 1 is the site front page
    return {
      courseId,
      contextId: courseId,
      userLmsId: (i: number) => String(3 + i), // 1 is guest, 2 the admin
      userSub: (lmsId: string) => lmsId,
      lineItemId: (i: number) => String(12 + i), // grade item ids
      resourceLinkId: (i: number) => String(1 + i), // mod_lti instance ids
      moduleItemId: (i: number) => String(30 + i), // course module ids (cmid)
    };
  }
  const courseId = String(1000 + ((seed * 37) % 9000));
  return {
    courseId,
    contextId: hash(`context:${courseId}:${seed}`, 40),
    userLmsId: (i: number) => String(1040 + i),
    userSub: (lmsId: string) => uuid(`user:${lmsId}:${seed}`),
    lineItemId: (i: number) => String(40 + i),
    resourceLinkId: (i: number) => uuid(`link:${courseId}:${i}`),
    moduleItemId: (i: number) => String(500 + i),
  };
}

function roundScore(points: number, max: number): number {
  return max <= 20 ? Math.round(points * 2) / 2 : Math.round(points);
}

function ascii(s: string): string {
  return s.normalize('NFD').toLowerCase().replace(/[^a-z]/g, '');
}

export function hash(s: string, length: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, length);
}

/** A uuid-v4-shaped id, deterministic from `s`. */
export function uuid(s: string): string {
  const h = hash(s, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)]!;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Small seeded PRNG: same seed, same course. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
