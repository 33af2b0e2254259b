/**
 * One consistent picture of a course, as the LMS reports it: the roster, the line items
 * (grade columns) and their results. The rules read nothing else. Each fact says which
 * source reported it, so a rule's reason can say where a grade came from.
 */
export type Source = 'ags' | 'nrps' | 'canvas-rest' | 'moodle-ws';

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
  source: Source;
}

export interface CourseSnapshot {
  /** When the LMS was read (ISO 8601): the "now" of every rule, so evaluation is deterministic. */
  takenAt: string;
  members: Member[];
  lineItems: LineItem[];
  results: Result[];
}
