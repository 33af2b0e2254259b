/**
 * Every course page and API call works inside the course of its launch: the course comes
 * from the session token, never from the URL, so no id can reach another course.
 */
import type { NextFunction, Request, Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { audienceOf } from '../lti/roles.js';
import { courseKeyOfToken, recordLaunchedCourse } from '../lti/courseOfLaunch.js';
import { findCourse, type CourseRecord } from '../store/course.js';
import { sendProblem } from './errorPage.js';

export interface CourseLocals {
  token: LtijsToken;
  course: CourseRecord;
  staff: boolean;
  ltik: string;
}

export function courseOf(res: Response): CourseLocals {
  return res.locals as unknown as CourseLocals;
}

export async function loadCourse(req: Request, res: Response, next: NextFunction): Promise<void> {
  try {
    const token = res.locals.token as LtijsToken;
    res.locals.course = (await findCourse(courseKeyOfToken(token))) ?? (await recordLaunchedCourse(token));
    res.locals.staff = audienceOf(token.platformContext.roles) === 'staff';
    next();
  } catch (err) {
    next(err);
  }
}

export function staffOnly(req: Request, res: Response, next: NextFunction): void {
  if (res.locals.staff) return next();
  sendProblem(req, res, { status: 403, reason: 'not_staff', title: 'This is for course staff', detail: 'It needs an instructor, teaching assistant or content developer role in this course.' });
}
