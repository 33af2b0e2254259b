/**
 * What an LMS's own API (Canvas REST, Moodle web services) reports about a course, in that LMS's
 * own user ids. mergeReading.ts matches those ids to the LTI roster before anything reaches the
 * rules, so nobody is evaluated on someone else's grades.
 */
import type { Activity, LineItem, LmsApiSource, MemberStatus } from '../../rules/snapshot.js';
import type { InputProblem } from '../../inputProblem.js';

/** A learner as the LMS's API lists them. */
export interface LmsLearner {
  /** The LMS's own numeric user id (Canvas user id; Moodle user id). */
  lmsUserId: string;
  /** Canvas `sis_user_id`; Moodle `idnumber` (when set). */
  sisId?: string;
  name?: string;
  status: MemberStatus;
}

/** Someone the LMS's API lists as teaching the course: never a learner, whatever the LTI roster says. */
export interface LmsStaff {
  lmsUserId: string;
  sisId?: string;
  /** Grades and does not edit the course: Moodle's non-editing teacher (role `teacher`). */
  gradesOnly: boolean;
}

export interface LmsResult {
  lineItemId: string;
  lmsUserId: string;
  /** Absent: not graded (no score, excused, pending review). */
  resultScore?: number;
  /** The maximum the score is against, when it differs from the item's. */
  resultMaximum?: number;
  /** When it was graded (ISO 8601), where the API says. */
  gradedAt?: string;
}

export interface LmsCompletion {
  activityId: string;
  lmsUserId: string;
  completed: boolean;
  completedAt?: string;
}

export interface SourceReading {
  source: LmsApiSource;
  /** Every graded item the API sees, with ids `canvas:assignment:<id>`, `moodle:cm:<cmid>` or `moodle:gradeitem:<id>`. */
  lineItems: LineItem[];
  results: LmsResult[];
  /** Completable things; empty when completion was not asked for and the API lists none without it. */
  activities: Activity[];
  completions: LmsCompletion[];
  learners: LmsLearner[];
  /** Teachers of the course (Canvas teacher, TA and designer enrolments; Moodle's teacher roles); absent when not read. */
  staff?: LmsStaff[];
  /** Read, but not all of it: what was left unread and what to change (Canvas modules whose items it would not list). */
  problem?: InputProblem;
}

export interface ReadOptions {
  /** Only these learners (LMS user ids): a learner's launch. Absent: every learner of the course. */
  lmsUserIds?: string[];
  /** Read each learner's completion too (costs a request per learner on both LMSs). */
  completions: boolean;
  /** Only what there is to set rules on (line items and activities), nobody's grades: the rule pickers. */
  itemsOnly?: boolean;
  /** Only who is enrolled, with their names: a roster whose names the LTI roster hides. */
  learnersOnly?: boolean;
}
