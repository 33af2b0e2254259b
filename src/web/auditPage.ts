/**
 * The course's audit log for its staff: a page, and the same entries as CSV.
 */
import { Router, type Request, type Response } from 'express';
import { auditOfCourse, type AuditAction } from '../store/auditLog.js';
import { listBadges } from '../store/badge.js';
import { courseOf, staffOnly } from './courseContext.js';
import { asyncRoute } from './asyncRoute.js';
import { pageView } from './coursePages.js';
import { csv } from './csv.js';

export const AUDIT_LABELS: Record<AuditAction, string> = {
  'badge.created': 'Badge created',
  'badge.changed': 'Badge changed',
  'badge.deleted': 'Badge deleted',
  'badge.image': 'Badge image changed',
  'award.manual': 'Awarded by hand',
  'award.approved': 'Award approved',
  'award.revoked': 'Award revoked',
  'award.evidence': 'Evidence added',
  'evaluation.run': 'Course evaluated',
  'issuer.changed': 'Issuer profile changed',
  'issuer.keysRotated': 'Signing keys rotated',
  'platform.settings': 'Platform settings changed',
};

async function entriesAndNames(res: Response) {
  const { course } = courseOf(res);
  const [entries, badges] = await Promise.all([auditOfCourse(course.courseKey), listBadges(course.courseKey)]);
  return { entries, badgeNames: new Map(badges.map((b) => [b.id, b.name])) };
}

async function auditPage(_req: Request, res: Response) {
  res.render('course/audit', { ...pageView(res), ...(await entriesAndNames(res)), actionLabels: AUDIT_LABELS });
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
