/**
 * Where a validated launch lands (ltijs's onConnect): the course is recorded, then staff go to the
 * dashboard and everyone else to their own page.
 */
import type { NextFunction, Request, Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { audienceOf } from '../../rules/audience.js';
import { recordLaunchedCourse } from '../../awards/launchedCourse.js';
import { PAGES } from '../shared/pageView.js';

/** After a launch (or any request to /lti/launch with a valid ltik): record the course, go to the page for this role. */
export async function landing(token: LtijsToken, req: Request, res: Response, next: NextFunction): Promise<void> {
  try {
    await recordLaunchedCourse(token, req.log);
  } catch (err) {
    return next(err); // ltijs does not catch a rejected callback: without this the request never ends
  }
  const page = audienceOf(token.platformContext.roles) === 'staff' ? PAGES.staff : PAGES.learner;
  res.redirect(303, `${page}?ltik=${encodeURIComponent(res.locals.ltik as string)}`);
}
