/**
 * The instructor's JSON API for the course of the session (Authorization: Bearer <ltik>):
 * grade columns, badges and their rules, a preview with reasons, and evaluation jobs.
 */
import express, { Router, type Request, type Response } from 'express';
import { validateBadge } from '../../rules/index.js';
import { getBadge, listBadges, newBadgeId } from '../../store/badge.js';
import { deleteBadgeInCourse, saveBadgeInCourse } from '../shared/courseActions.js';
import { findJob } from '../../store/evaluationJob.js';
import { courseLineItems } from '../../awards/courseLineItems.js';
import { evaluateCourse } from '../../awards/evaluateCourse.js';
import { startEvaluation } from '../../jobs/evaluateNow.js';
import { badgeFromJson, BadgeInputError } from '../shared/badgeInput.js';
import { courseOf, editorsOnly, loadCourse, staffOnly } from '../shared/courseContext.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { apiProblem } from '../shared/apiProblem.js';
import { bodyLimit } from '../shared/bodyErrors.js';


/** Checks the badge's shape and rules; answers 400 and returns null when something is wrong. */
async function checkedBadge(req: Request, res: Response, id: string) {
  const { course } = courseOf(res);
  let badge;
  try {
    badge = badgeFromJson(req.body, id);
  } catch (err) {
    if (err instanceof BadgeInputError) { apiProblem(res, 400, 'invalid_badge', 'The badge is not valid.', err.problems.map((p) => p.message)); return null; }
    throw err;
  }
  const [badges, columns] = await Promise.all([listBadges(course.courseKey), courseLineItems(course, undefined, courseOf(res).token.user, req.log)]);
  if (columns.error) { apiProblem(res, 502, 'lms_unavailable', `Laurel could not read the grade columns from the LMS: ${columns.error}`); return null; }
  const problems = validateBadge(badge, [...badges.filter((b) => b.id !== id), badge], columns.lineItems, columns);
  if (problems.length) { apiProblem(res, 400, 'invalid_rules', 'The rules cannot be applied as written.', problems.map((p) => `${p.path}: ${p.message}`)); return null; }
  return badge;
}

export function courseApi(): Router {
  const router = Router();
  router.use('/api/course', bodyLimit(64 * 1024), express.json({ limit: '64kb' }), loadCourse, staffOnly);

  router.get('/api/course/line-items', asyncRoute(async (req, res) => {
    const { course, token } = courseOf(res);
    const { lineItems, activities, sources, hint, error } = await courseLineItems(course, undefined, token.user, req.log);
    res.status(error ? 502 : 200).json({ lineItems, activities, sources, hint, ...(error ? { error } : {}) });
  }));

  router.get('/api/course/badges', asyncRoute(async (_req, res) => { res.json({ badges: await listBadges(courseOf(res).course.courseKey) }); }));

  router.get('/api/course/badges/:id', asyncRoute(async (req, res) => {
    const badge = await getBadge(courseOf(res).course.courseKey, req.params.id);
    if (!badge) return apiProblem(res, 404, 'badge_not_found', 'No badge with this id in this course.');
    res.json(badge);
  }));

  router.post('/api/course/badges', editorsOnly, asyncRoute(async (req, res) => {
    const badge = await checkedBadge(req, res, newBadgeId());
    if (!badge) return;
    await saveBadgeInCourse(req, res, badge);
    res.status(201).json(badge);
  }));

  router.put('/api/course/badges/:id', editorsOnly, asyncRoute(async (req, res) => {
    if (!(await getBadge(courseOf(res).course.courseKey, req.params.id))) return apiProblem(res, 404, 'badge_not_found', 'No badge with this id in this course.');
    const badge = await checkedBadge(req, res, req.params.id);
    if (!badge) return;
    await saveBadgeInCourse(req, res, badge);
    res.json(badge);
  }));

  router.delete('/api/course/badges/:id', editorsOnly, asyncRoute(async (req, res) => {
    if (!(await deleteBadgeInCourse(req, res, req.params.id))) return apiProblem(res, 404, 'badge_not_found', 'No badge with this id in this course.');
    res.status(204).end();
  }));

  /** Who qualifies and why, from the LMS now; with a `badge` body, that draft is evaluated as if saved. */
  router.post('/api/course/preview', asyncRoute(async (req, res) => {
    const { course } = courseOf(res);
    let draft;
    if (req.body && req.body.badge) {
      // A draft is the editor's: a grader previews the badges as they stand.
      if (courseOf(res).grader) return editorsOnly(req, res, () => {});
      draft = await (async () => { req.body = req.body.badge; return checkedBadge(req, res, String(req.body.id ?? 'draft')); })();
      if (!draft) return;
    }
    const evaluation = await evaluateCourse(course, { apply: false, draft, log: req.log });
    res.json({ takenAt: evaluation.snapshot.takenAt, warnings: evaluation.warnings, verdicts: evaluation.verdicts });
  }));

  router.post('/api/course/evaluations', asyncRoute(async (req, res) => {
    const { course, token } = courseOf(res);
    const job = await startEvaluation(course, token.user, req.log);
    res.status(202).location(`/api/course/evaluations/${job.id}`).json(job);
  }));

  router.get('/api/course/evaluations/:id', asyncRoute(async (req, res) => {
    const job = await findJob(courseOf(res).course.courseKey, req.params.id);
    if (!job) return apiProblem(res, 404, 'job_not_found', 'No evaluation with this id in this course.');
    res.json(job);
  }));
  return router;
}
