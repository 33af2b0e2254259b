/**
 * One consistent picture of a course, as the LMS reports it: the roster, the line items
 * (grade columns) and their results, and where an LMS's own API is connected, the activities
 * and modules a learner completes. The rules read nothing else. Each fact says which source
 * reported it, so a rule's reason can say where a grade came from.
 */
export type Source = 'ags' | 'nrps' | 'canvas-rest' | 'moodle-ws';

/** The sources beyond LTI: an LMS's own API, connected by an administrator. */
export type LmsApiSource = 'canvas-rest' | 'moodle-ws';

/**
 * Which source an item id belongs to. Items read through an LMS's own API have ids of their own
 * (`canvas:assignment:17`, `canvas:module:5`, `moodle:cm:42`); AGS line items are URLs.
 */
export function sourceOfItem(id: string): Source {
  return id.startsWith('canvas:') ? 'canvas-rest' : id.startsWith('moodle:') ? 'moodle-ws' : 'ags';
}

export type MemberStatus = 'Active' | 'Inactive' | 'Deleted';

export interface Member {
  /** The LMS's LTI user id (launch `sub`, NRPS `user_id`). */
  userId: string;
  status: MemberStatus;
  /** As the LMS sends them: full URIs or short forms. */
  roles: string[];
  /** Absent when the LMS's privacy settings hide them. */
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  /** NRPS `lis_person_sourcedid` (the SIS id), where the LMS sends it: matches Canvas REST users. */
  sourcedId?: string;
  source: Source;
}

export interface LineItem {
  /** The line item's URL (AGS `id`), stable for the life of the column. */
  id: string;
  label: string;
  /** May be 0 on a misconfigured column: percent rules then cannot be met. */
  scoreMaximum: number;
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
  source: Source;
}

export interface Result {
  lineItemId: string;
  userId: string;
  /** Absent: not graded yet (no score, excused, pending). */
  resultScore?: number;
  /** The maximum the score is given against; absent means the line item's scoreMaximum. */
  resultMaximum?: number;
  comment?: string;
  /**
   * When the score was given (ISO 8601), where the LMS says: Moodle's AGS results and both LMS
   * APIs do, Canvas's AGS results do not. Only rules bounded in time ("within the last 90 days") read it.
   */
  gradedAt?: string;
  source: Source;
}

/** Something a learner completes: a Canvas module or module item, a Moodle activity. */
export interface Activity {
  /** `canvas:module:5`, `canvas:module-item:500`, `moodle:cm:42` (a graded Moodle activity shares it with its grade item). */
  id: string;
  label: string;
  source: LmsApiSource;
}

export interface Completion {
  activityId: string;
  userId: string;
  completed: boolean;
  /** ISO 8601, when the LMS says. */
  completedAt?: string;
  source: LmsApiSource;
}

/**
 * `not connected`: no administrator connected the LMS's API for this platform; `not authorized`:
 * (Canvas) no instructor of the course has granted Laurel access yet; `needs reconnect`: the
 * grant or token was refused; `failed`: the API could not be read this time.
 */
export type SourceStatus = 'read' | 'not connected' | 'not authorized' | 'needs reconnect' | 'failed';

/** How a source beyond LTI fared in this snapshot; rules naming its items say what to do when it is not `read`. */
export interface SourceState {
  source: LmsApiSource;
  state: SourceStatus;
  /** What happened, for a person, when not `read`; or, when read, what was left unread (Canvas module items it would not list). */
  message?: string;
  /** The same, as a code and its values, so a page says it in its own language (when the source gave one). */
  problem?: { code: string; params: Record<string, string | number>; message: string };
}

export interface CourseSnapshot {
  /** When the LMS was read (ISO 8601): the "now" of every rule, so evaluation is deterministic. */
  takenAt: string;
  members: Member[];
  lineItems: LineItem[];
  results: Result[];
  /** Absent or empty without a connected LMS API. */
  activities?: Activity[];
  completions?: Completion[];
  /** The sources beyond LTI this platform has and how each was read; absent: none. */
  sources?: SourceState[];
  /**
   * Members who are course staff whatever their roster roles say: they launched Laurel in the course
   * as staff, or the LMS's API lists them as teachers (Moodle's NRPS lists a non-editing teacher as a
   * Learner). They are never evaluated, like the roster's own instructors.
   */
  staff?: string[];
}
