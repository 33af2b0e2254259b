/**
 * The course's staff pages: the dashboard, the badge editor, the preview of who qualifies and
 * why, "evaluate now", the approval queue, an award's revocation, a job's progress.
 */
import { Router, type Request, type Response } from 'express';
import { criteriaNarrative, validateBadge } from '../../rules/index.js';
import type { BadgeDefinition } from '../../rules/badge.js';
import { getBadge, listBadges, newBadgeId } from '../../store/badge.js';
import { awardById, awardsOf } from '../../store/award.js';
import { findJob, latestJob } from '../../store/evaluationJob.js';
import { courseLineItems, namedItems, type CourseLineItems } from '../../awards/courseLineItems.js';
import { unreadSourceText } from '../shared/reasonText.js';
import { evaluateCourse, type Evaluation } from '../../awards/evaluateCourse.js';
import type { CourseRecord } from '../../store/course.js';
import { startEvaluation } from '../../jobs/evaluateNow.js';
import { badgeFromForm, BadgeInputError } from '../shared/badgeInput.js';
import { courseOf, editorsOnly, staffOnly } from '../shared/courseContext.js';
import { linksToAdmin, PAGES, pageView } from '../shared/pageView.js';
import { badgeNotFound, editor } from './badgeEditorPage.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { publicBase } from '../../publicBase.js';
import { issuedAmong } from '../../store/issuedCredential.js';
import { credentialUrls } from '../../credentials/urls.js';
import { csv } from '../shared/csv.js';
import { RevocationError } from '../../awards/revoke.js';
import { memberName } from '../../rules/memberName.js';
import { orphanColumns } from '../../nextTerm/orphanColumns.js';
import { standingOfCourse } from '../../store/courseStanding.js';
import { figuresOf } from '../../rules/standing.js';
import { unsetIssuer } from '../shared/issuerNotice.js';
import { engagementOfCourse } from '../../store/engagement.js';
import { approveInCourse, deleteBadgeInCourse, revokeInCourse, saveBadgeInCourse } from '../shared/courseActions.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import type { Translator } from '../../i18n/translate.js';
import { inputProblemsIn, inputProblemText } from '../shared/inputProblemText.js';
import { criteriaWords } from '../shared/criteriaWords.js';
import { revocationProblem } from '../shared/revocationProblem.js';
import { jobPhase } from './jobPhase.js';
import { gradebookProblems } from './gradebookNotes.js';
import { lacksEditScope, scopedCanvasGrant } from '../../awards/courseTotal.js';
import { lacksConversationsScope } from './conversationsScope.js';
import { currentValidUntil } from '../../awards/renewal.js';
import { renewalsOf } from '../../store/renewal.js';
import { expiryState, renewalOpens } from '../../rules/renewal.js';

async function dashboard(req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const tr = pageTranslator(res);
  const [badges, awards, job, columns, standing, engagement, issuerUnset, admin] = await Promise.all([
    listBadges(course.courseKey), awardsOf(course.courseKey), latestJob(course.courseKey), courseLineItems(course, tr.t, token.user, req.log),
    standingOfCourse(course.courseKey), engagementOfCourse(course.courseKey), unsetIssuer({ issuer: course.issuer, clientId: course.clientId }), linksToAdmin(res),
  ]);
  const byId = new Map(badges.map((b) => [b.id, b]));
  const rows = badges.map((b) => {
    const own = awards.filter((a) => a.badgeId === b.id);
    const reading = standing?.badges[b.id];
    return {
      badge: b,
      narrative: b.criteriaNarrative || criteriaNarrative(b, namedItems(columns), byId, criteriaWords(tr)),
      // Every award of the badge, for the link to its holders.
      awarded: own.filter((a) => a.status === 'awarded').length,
      pending: own.filter((a) => a.status === 'pending').length,
      // The learners of the last evaluation, each counted once, by their award as it is now.
      figures: reading && figuresOf(reading, new Map(own.map((a) => [a.userId, a.status]))),
      engagement: engagement.get(b.id) ?? { viewed: 0, downloaded: 0, shared: 0 },
    };
  });
  // Waiting for approval: who, for which badge, and the rules they met.
  const queue = awards.filter((a) => a.status === 'pending').map((a) => ({ award: a, badge: byId.get(a.badgeId), learner: a.recipient?.name ?? a.userId }));
  // Both scope questions below ask the same grant: read once.
  const grant = scopedCanvasGrant(course);
  const [gradebook, orphans, editScopeMissing, conversationsScopeMissing] = await Promise.all([
    gradebookProblems(course, badges, tr), columns.badgeColumns?.length ? orphanColumns(course, columns.badgeColumns, badges) : [],
    // A "Badge:" column Laurel cannot leave out of Canvas's final grade with this grant: connecting again asks for the scope.
    badges.some((b) => b.gradebookColumn) ? lacksEditScope(course, grant) : false,
    // Messages Laurel cannot send as Canvas conversations with this grant: connecting again asks for that scope too.
    lacksConversationsScope(course, grant),
  ]);
    // Term end (jobs/courseConclusion.ts): the dates Laurel stopped reading the course, or resumed it.
  const ended = course.concludedAt ? dayOf(course.concludedAt) : undefined;
  const resumed = !ended && course.resumedAfterEnd ? dayOf(course.resumedAfterEnd) : undefined;
  res.render('course/dashboard', { ...pageView(res), admin, ended, resumed, rows, job, columns, sources: sourceLines(columns, tr), queue, standingAt: standing?.at, gradebook, nextTerm: { orphans }, issuerUnset, editScopeMissing, conversationsScopeMissing });
}

const dayOf = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

/**
 * Who holds a badge, with a way to revoke; for a badge that expires, until when each holds it,
 * who renewed (and when), whose renewal window is open, and who lapsed.
 */
async function badgeAwards(req: Request, res: Response) {
  const { course } = courseOf(res);
  const badge = await getBadge(course.courseKey, String(req.params.id));
  if (!badge) return badgeNotFound(req, res);
  const [all, renewals] = await Promise.all([awardsOf(course.courseKey, { badgeId: badge.id }), badge.validFor ? renewalsOf(course.courseKey, badge.id) : []]);
  const awards = all.filter((a) => a.status !== 'pending');
  const now = new Date();
  const rows = awards.map((award) => {
    const validUntil = award.status === 'awarded' ? currentValidUntil(award, badge) : undefined;
    const state = validUntil && expiryState(validUntil, badge.renewal, now);
    const opens = validUntil && badge.renewal ? renewalOpens(validUntil, badge.renewal.windowDays) : undefined;
    const renewedOn = renewals.filter((r) => r.awardId === award.id).sort((a, b) => a.period - b.period).map((r) => r.renewedAt);
    return { award, validUntil, state, opens, renewedOn };
  });
  const expiry = badge.validFor && {
    renewable: rows.filter((r) => r.state === 'renewable').length,
    lapsed: rows.filter((r) => r.state === 'lapsed').length,
    renewed: rows.filter((r) => r.award.status === 'awarded' && r.renewedOn.length).length,
  };
  res.render('course/badge-awards', { ...pageView(res), badge, awards, rows, expiry });
}

/** The confirmation before a revocation: what, for whom, how many are affected, and the reason to give. */
async function revokeForm(req: Request, res: Response, problem?: string) {
  const { course } = courseOf(res);
  const award = await awardById(String(req.params.id));
  const badge = award?.courseKey === course.courseKey ? await getBadge(course.courseKey, award.badgeId) : null;
  if (!award || !badge) return badgeNotFound(req, res);
  res.status(problem ? 400 : 200).render('course/revoke', { ...pageView(res), award, badge, learner: award.recipient?.name ?? award.userId, problem });
}

async function revokeFromPage(req: Request, res: Response) {
  try {
    const award = await revokeInCourse(req, res, String(req.params.id), String((req.body as Record<string, string>).reason ?? ''));
    res.redirect(303, `/course/badges/${encodeURIComponent(award.badgeId)}/awards?${pageView(res).q}`);
  } catch (err) {
    if (!(err instanceof RevocationError)) throw err;
    return revokeForm(req, res, revocationProblem(err, pageTranslator(res)));
  }
}

/** Every award of the course as CSV, for the registrar's spreadsheet. */
async function exportAwards(_req: Request, res: Response) {
  const { course } = courseOf(res);
  const [badges, awards] = await Promise.all([listBadges(course.courseKey), awardsOf(course.courseKey)]);
  const names = new Map(badges.map((b) => [b.id, b.name]));
  const issued = new Set(await issuedAmong(awards.map((a) => a.id)));
  const rows = awards.map((a) => [
    names.get(a.badgeId) ?? '(deleted badge)', a.userId, a.recipient?.name ?? '', a.recipient?.email ?? '', a.status, a.origin,
    a.awardedAt, a.awardedBy ?? '', a.revokedAt, a.revocationReason ?? '', issued.has(a.id) ? credentialUrls(publicBase(), a.id).page : '',
  ]);
  res.attachment(`${(course.label || 'course').replace(/[^\w-]+/g, '-')}-badges.csv`);
  res.type('text/csv').send(csv([['badge', 'learner id', 'name', 'email', 'status', 'origin', 'awarded at', 'awarded by', 'revoked at', 'revocation reason', 'verification page'], ...rows]));
}

/** An instructor approves a learner's pending award from the queue; the credential is signed at once. */
async function approveFromQueue(req: Request, res: Response) {
  const { award } = await approveInCourse(req, res, String(req.params.id));
  if (!award) return res.status(404).render('error', { problem: { status: 404, reason: 'award_not_found', title: 'No such award in this course', detail: 'It may belong to another course.' } });
  res.redirect(303, `/course?${pageView(res).q}`);
}

/** Each LMS API's state in words: read, or why not and what to do. */
function sourceLines(columns: CourseLineItems, tr: Translator) {
  return columns.sources.map((s) => ({
    ...s,
    // Read, but with something left unread (Canvas module items): said after, with what to change.
    text: s.state === 'read' ? [tr.t(`sources.read.${s.source}`), ...(s.problem ? [inputProblemText(s.problem, tr)] : [])].join(' ')
      // What failed, in Laurel's words and the page's language, with who can fix it.
      : s.state === 'failed' && s.problem ? tr.t('sources.failed', { source: tr.t(`source.name.${s.source}`), problem: inputProblemText(s.problem, tr) })
        : tr.t('sources.unread', { why: unreadSourceText(s.source, s.state, tr) }),
  }));
}


/** The form's badge, checked against the course's columns and other badges: problems (in the page's language), or the badge. */
async function checkedDraft(res: Response, body: Record<string, unknown>, id: string): Promise<{ badge?: BadgeDefinition; problems: string[] }> {
  const { course, token } = courseOf(res);
  let badge: BadgeDefinition;
  try {
    badge = badgeFromForm(body, id);
  } catch (err) {
    if (!(err instanceof BadgeInputError)) throw err;
    return { problems: inputProblemsIn(err.problems, pageTranslator(res)) };
  }
  const [badges, columns] = await Promise.all([listBadges(course.courseKey), courseLineItems(course, undefined, token.user, res.req.log)]);
  if (columns.error) return { badge, problems: [pageTranslator(res).t('editor.columnsUnread', { error: columns.error })] };
  return { badge, problems: inputProblemsIn(validateBadge(badge, [...badges.filter((b) => b.id !== id), badge], columns.lineItems, columns), pageTranslator(res)) };
}

async function save(req: Request, res: Response) {
  const { course } = courseOf(res);
  const id = req.params.id ?? newBadgeId();
  if (req.params.id && !(await getBadge(course.courseKey, id))) return badgeNotFound(req, res);
  const { badge, problems } = await checkedDraft(res, req.body as Record<string, unknown>, id);
  if (!badge || problems.length) return editor(req, res, req.params.id, { draft: badge, problems });
  await saveBadgeInCourse(req, res, badge);
  res.redirect(303, `/course?${pageView(res).q}`);
}

/** Who would qualify, and why, with the badge as it stands in the form: nothing is saved. */
async function previewDraft(req: Request, res: Response) {
  const { course } = courseOf(res);
  const body = req.body as Record<string, unknown>;
  const storedId = typeof body.id === 'string' && body.id && (await getBadge(course.courseKey, body.id)) ? body.id : undefined;
  const { badge, problems } = await checkedDraft(res, body, storedId ?? 'draft');
  if (!badge || problems.length) return editor(req, res, storedId, { draft: badge, problems });
  const { evaluation, error, names } = await previewOf(course, req.log, badge);
  const own = evaluation && { ...evaluation, verdicts: evaluation.verdicts.filter((v) => v.badgeId === badge.id) };
  return editor(req, res, storedId, { draft: badge, preview: { evaluation: own, error, names } });
}

/** Who qualifies now, with a draft badge as if saved; what the LMS could not answer is said, not thrown. */
async function previewOf(course: CourseRecord, log: Request['log'], draft?: BadgeDefinition) {
  let evaluation: Evaluation | undefined;
  let error: string | undefined;
  try {
    evaluation = await evaluateCourse(course, { apply: false, draft, log });
  } catch (err) {
    error = (err as Error).message;
  }
  const names = new Map(evaluation?.snapshot.members.map((m) => [m.userId, memberName(m) ?? m.userId]) ?? []);
  return { evaluation, error, names };
}

async function remove(req: Request, res: Response) {
  if (!(await deleteBadgeInCourse(req, res, String(req.params.id)))) return badgeNotFound(req, res);
  res.redirect(303, `/course?${pageView(res).q}`);
}

async function preview(req: Request, res: Response) {
  const { evaluation, error, names } = await previewOf(courseOf(res).course, req.log);
  const learners = [...new Set(evaluation?.verdicts.map((v) => v.userId) ?? [])];
  res.render('course/preview', { ...pageView(res), evaluation, error, learners, names });
}

async function evaluateNow(req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const job = await startEvaluation(course, token.user, req.log);
  res.redirect(303, `/course/jobs/${job.id}?${pageView(res).q}`);
}

async function jobPage(req: Request, res: Response) {
  const job = await findJob(courseOf(res).course.courseKey, req.params.id);
  if (!job) return res.status(404).render('error', { problem: { status: 404, reason: 'job_not_found', title: 'No such evaluation in this course', detail: 'It may belong to another course.' } });
  res.render('course/job', { ...pageView(res), job, phase: jobPhase(job.phase, pageTranslator(res)) });
}


export function coursePages(): Router {
  const router = Router();
  router.get(PAGES.staff, staffOnly, asyncRoute(dashboard));
  router.get('/course/badges/new', editorsOnly, asyncRoute((req, res) => editor(req, res, undefined)));
  router.post('/course/badges/preview', editorsOnly, asyncRoute(previewDraft));
  router.get('/course/badges/:id', editorsOnly, asyncRoute((req, res) => editor(req, res, req.params.id)));
  router.post('/course/badges', editorsOnly, asyncRoute(save));
  router.post('/course/badges/:id', editorsOnly, asyncRoute(save));
  router.post('/course/badges/:id/delete', editorsOnly, asyncRoute(remove));
  router.get('/course/preview', staffOnly, asyncRoute(preview));
  router.post('/course/evaluate', staffOnly, asyncRoute(evaluateNow));
  router.post('/course/awards/:id/approve', staffOnly, asyncRoute(approveFromQueue));
  router.get('/course/awards.csv', staffOnly, asyncRoute(exportAwards));
  router.get('/course/badges/:id/awards', staffOnly, asyncRoute(badgeAwards));
  router.get('/course/awards/:id/revoke', staffOnly, asyncRoute((req, res) => revokeForm(req, res)));
  router.post('/course/awards/:id/revoke', staffOnly, asyncRoute(revokeFromPage));
  router.get('/course/jobs/:id', staffOnly, asyncRoute(jobPage));
  return router;
}
