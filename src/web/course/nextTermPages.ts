/**
 * Next term, for course staff: "Bring badges from an earlier course" (the list, with the course
 * this one was copied from first, and the copy with its report), and the dashboard's old
 * "Badge: …" columns that came with the copy, to delete or to adopt.
 */
import { Router, type Request, type Response } from 'express';
import { courseOf, editorsOnly, staffOnly } from '../shared/courseContext.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { pageView } from '../shared/pageView.js';
import { auditInCourse } from '../shared/audit.js';
import { sendProblem } from '../shared/errorPage.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { contextHistoryOf } from '../../lti/contextHistory.js';
import { earlierCourses } from '../../nextTerm/earlierCourses.js';
import { bringBadges, BringRefused } from '../../nextTerm/bringBadges.js';
import { adoptOrphanColumn, deleteOrphanColumn } from '../../nextTerm/orphanColumns.js';
import type { Unmatched } from '../../rules/remap.js';
import type { Translator } from '../../i18n/translate.js';
import { itemDescription } from '../../rules/sources.js';

export const NEXT_TERM = { bring: '/course/bring-badges', columns: '/course/badge-columns' } as const;

async function listPage(_req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const courses = await earlierCourses(course, token.user, contextHistoryOf(token));
  res.render('course/bring-badges', { ...pageView(res), courses });
}

/** An item a rule names that was not found again, in the page's language. */
function unmatchedText(u: Unmatched, tr: Translator): string {
  switch (u.kind) {
    case 'unknownItem': return tr.t('nextTerm.unmatched.unknownItem', { item: itemDescription(u.itemId) });
    case 'notFound': return tr.t('nextTerm.unmatched.notFound', { label: u.label });
    case 'ambiguous': return tr.t('nextTerm.unmatched.ambiguous', { label: u.label, count: u.count });
    case 'unknownBadge': return tr.t('nextTerm.unmatched.unknownBadge');
  }
}

async function bring(req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const from = String((req.body as Record<string, unknown>).from ?? '');
  try {
    const report = await bringBadges(course, from, token.user, req.log);
    const created = report.badges.filter((b) => b.created);
    await auditInCourse(res, created.map((b) => ({ action: 'badge.copied' as const, badgeId: b.badgeId, detail: `${b.name}, from ${report.from.title || report.from.label}` })));
    const tr = pageTranslator(res);
    const badges = report.badges.map((b) => ({ ...b, problems: b.unmatched.map((u) => unmatchedText(u, tr)) }));
    res.render('course/bring-badges-done', { ...pageView(res), report, badges, created: created.length });
  } catch (err) {
    if (!(err instanceof BringRefused)) throw err;
    sendProblem(req, res, {
      status: 403, reason: err.code, key: `bring_${err.code}`, title: 'These badges cannot be brought here', detail: err.message,
    });
  }
}

async function changeColumn(req: Request, res: Response) {
  const { course } = courseOf(res);
  const action = req.params.action;
  const lineItem = String((req.body as Record<string, unknown>).lineItem ?? '');
  const done = action === 'adopt' ? await adoptOrphanColumn(course, lineItem, req.log) : action === 'delete' ? await deleteOrphanColumn(course, lineItem) : undefined;
  if (!done) {
    return sendProblem(req, res, {
      status: 404, reason: 'column_not_orphan', title: 'No such old badge column in this course',
      detail: 'The column may have been deleted or adopted already, or it belongs to a badge of this course.', todo: 'Go back to the course page, which lists the old columns as they are now.',
    });
  }
  const orphan = 'orphan' in done ? done.orphan : done;
  await auditInCourse(res, action === 'adopt'
    ? { action: 'column.adopted', badgeId: orphan.adoptBy!.badgeId, detail: orphan.lineItem.label }
    : { action: 'column.deleted', detail: orphan.lineItem.label });
  req.log.info({ courseKey: course.courseKey, lineItem: orphan.lineItem.id, action }, 'old badge column cleaned');
  res.redirect(303, `/course?${pageView(res).q}`);
}

export function nextTermPages(): Router {
  const router = Router();
  router.get(NEXT_TERM.bring, staffOnly, asyncRoute(listPage));
  router.post(NEXT_TERM.bring, editorsOnly, asyncRoute(bring));
  router.post(`${NEXT_TERM.columns}/:action`, editorsOnly, asyncRoute(changeColumn));
  return router;
}
