/**
 * Where a launch lands: staff on the course dashboard, learners on their own page. Both read
 * the course and the person from the launch (ltijs's stored token), scoped to that course.
 */
import { Router, type Request, type Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { audienceOf, parseRole } from '../lti/roles.js';
import { sendProblem } from './errorPage.js';

export const PAGES = { staff: '/course', learner: '/me' } as const;

function tokenOf(res: Response): LtijsToken {
  return res.locals.token as LtijsToken;
}

export function personName(token: LtijsToken): string {
  const { name, given_name, family_name } = token.userInfo ?? {};
  return name || [given_name, family_name].filter(Boolean).join(' ') || `user ${token.user}`;
}

function roleLabel(roles: string[]): string {
  const names = roles.map((r) => parseRole(r).name);
  if (names.includes('TeachingAssistant')) return 'Teaching assistant';
  if (names.includes('Instructor')) return 'Instructor';
  if (names.includes('ContentDeveloper')) return 'Content developer';
  if (names.includes('Administrator')) return 'Administrator';
  return 'Learner';
}

function view(token: LtijsToken) {
  const context = token.platformContext.context;
  return {
    course: { title: context?.title ?? 'This course', label: context?.label ?? '' },
    person: { name: personName(token) },
    roleLabel: roleLabel(token.platformContext.roles),
    lang: (token.platformContext.launchPresentation?.locale ?? 'en').split(/[-_]/)[0],
  };
}

/** After a launch (or any request to /lti/launch with a valid ltik): go to the page for this role. */
export function landing(token: LtijsToken, _req: Request, res: Response): void {
  const page = audienceOf(token.platformContext.roles) === 'staff' ? PAGES.staff : PAGES.learner;
  res.redirect(303, `${page}?ltik=${encodeURIComponent(res.locals.ltik as string)}`);
}

export function coursePages(): Router {
  const router = Router();
  router.get(PAGES.staff, (req, res) => {
    const token = tokenOf(res);
    if (audienceOf(token.platformContext.roles) !== 'staff') {
      return sendProblem(req, res, { status: 403, reason: 'not_staff', title: 'This page is for course staff', detail: 'The course dashboard needs an instructor, teaching assistant or content developer role.' });
    }
    res.render('course/dashboard', { ...view(token), ltik: res.locals.ltik });
  });
  router.get(PAGES.learner, (_req, res) => {
    res.render('course/learner', { ...view(tokenOf(res)), ltik: res.locals.ltik });
  });
  return router;
}
