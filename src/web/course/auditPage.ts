/**
 * The course's audit log for its staff: a page, and the same entries as CSV.
 */
import { Router, type Request, type Response } from 'express';
import { auditOfCourse, type AuditAction } from '../../store/auditLog.js';
import { listBadges } from '../../store/badge.js';
import { courseOf, staffOnly } from '../shared/courseContext.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { pageView } from '../shared/pageView.js';
import { csv } from '../shared/csv.js';
import type { MessageKey } from '../../i18n/en.js';

/** The page names each action by its catalogue entry, "audit.action.<action>": this stops compiling when an action has none. */
const everyActionHasWords: `audit.action.${AuditAction}` extends MessageKey ? true : never = true;
void everyActionHasWords;

async function entriesAndNames(res: Response) {
  const { course } = courseOf(res);
  const [entries, badges] = await Promise.all([auditOfCourse(course.courseKey), listBadges(course.courseKey)]);
  return { entries, badgeNames: new Map(badges.map((b) => [b.id, b.name])) };
}

async function auditPage(_req: Request, res: Response) {
  res.render('course/audit', { ...pageView(res), ...(await entriesAndNames(res)) });
}

async function auditCsv(_req: Request, res: Response) {
  const { course } = courseOf(res);
  const { entries, badgeNames } = await entriesAndNames(res);
  const rows = entries.map((e) => [e.at, e.actor, e.actorName ?? '', e.action, e.badgeId ? badgeNames.get(e.badgeId) ?? e.badgeId : '', e.userId ?? '', e.awardId ?? '', e.detail]);
  res.attachment(`${(course.label || 'course').replace(/[^\w-]+/g, '-')}-audit.csv`);
  res.type('text/csv').send(csv([['at', 'by (user id)', 'by (name)', 'action', 'badge', 'learner id', 'award id', 'details'], ...rows]));
}

export function auditPages(): Router {
  const router = Router();
  router.get('/course/audit', staffOnly, asyncRoute(auditPage));
  router.get('/course/audit.csv', staffOnly, asyncRoute(auditCsv));
  return router;
}
