/**
 * Every course page and API call works inside the course of its launch: the course comes
 * from the session token, never from the URL, so no id can reach another course.
 */
import type { NextFunction, Request, Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { audienceOf, isGraderByRoles } from '../../lti/roles.js';
import { courseKeyOfToken } from '../../lti/courseOfLaunch.js';
import { recordLaunchedCourse } from '../../awards/launchedCourse.js';
import { findCourse, type CourseRecord } from '../../store/course.js';
import { courseStaffOf } from '../../store/courseStaff.js';
import { sendProblem } from './errorPage.js';
import { apiProblem } from './apiProblem.js';

export interface CourseLocals {
  token: LtijsToken;
  course: CourseRecord;
  staff: boolean;
  /** Staff who grade and do not edit (Moodle's non-editing teacher, LTI's Grader): see gradersMay below. */
  grader: boolean;
  ltik: string;
}

export function courseOf(res: Response): CourseLocals {
  return res.locals as unknown as CourseLocals;
}

export async function loadCourse(req: Request, res: Response, next: NextFunction): Promise<void> {
  try {
    const token = res.locals.token as LtijsToken;
    const course: CourseRecord = (await findCourse(courseKeyOfToken(token))) ?? (await recordLaunchedCourse(token, req.log));
    const staff = audienceOf(token.platformContext.roles) === 'staff';
    res.locals.course = course;
    res.locals.staff = staff;
    res.locals.grader = staff && (isGraderByRoles(token.platformContext.roles) || (await courseStaffOf(course.courseKey)).graders.includes(token.user));
    next();
  } catch (err) {
    next(err);
  }
}

export function staffOnly(req: Request, res: Response, next: NextFunction): void {
  if (res.locals.staff) return next();
  sendProblem(req, res, { status: 403, reason: 'not_staff', title: 'This is for course staff', detail: 'It needs an instructor, teaching assistant or content developer role in this course.' });
}

/**
 * What a grader may do, the decision for Moodle's non-editing teacher ("grade, not edit"): everything
 * staff see (dashboard, learners, previews, the audit log) and the grading acts (evaluate, award,
 * approve, revoke, evidence); not creating, changing or deleting badges, their images, or how the
 * course is read (the Canvas connection). Those routes pass through here.
 */
export function editorsOnly(req: Request, res: Response, next: NextFunction): void {
  if (!res.locals.staff) return staffOnly(req, res, next);
  if (!res.locals.grader) return next();
  const problem = {
    status: 403, reason: 'grader_cannot_edit', title: 'You grade in this course; you do not edit its badges',
    detail: 'The LMS gives you a grading role here (in Moodle, a non-editing teacher): you may award, approve and revoke badges, but creating, changing or deleting them is for the course\'s editing teachers.',
    todo: 'Ask an editing teacher of the course to make this change, or the LMS administrator to give you an editing role.',
  };
  // The JSON API answers as it always does: a code and what to do.
  if (req.originalUrl.startsWith('/api/')) {
    req.log?.warn({ reason: problem.reason, status: 403 }, problem.title);
    return apiProblem(res, 403, problem.reason, `${problem.detail} ${problem.todo}`);
  }
  sendProblem(req, res, problem);
}
