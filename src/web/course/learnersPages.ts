/**
 * Staff pages about learners: the roster with the badges each holds (and awarding by hand to
 * any of them, in bulk), and one learner's drill-down: every badge, earned or not, and why.
 */
import { Router, type Request, type Response } from 'express';
import { evaluateCourse } from '../../awards/evaluateCourse.js';
import { memberName } from '../../rules/memberName.js';
import { isLearner, rosterOf } from '../../awards/courseStaff.js';
import { lmsClientFor } from '../../lms/forCourse.js';
import { mergeLmsApi, readLmsApi } from '../../lms/sources/readLmsApi.js';
import type { Member } from '../../rules/snapshot.js';
import { awardsOf } from '../../store/award.js';
import { getBadge, listBadges } from '../../store/badge.js';
import { startBulkAward, startBulkRevoke } from '../../jobs/bulkWork.js';
import { RevocationError, revocationReason } from '../../awards/revoke.js';
import { courseOf, staffOnly } from '../shared/courseContext.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { linksToAdmin, pageView } from '../shared/pageView.js';
import { personName } from '../shared/personName.js';
import { sendProblem } from '../shared/errorPage.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { revocationProblem } from '../shared/revocationProblem.js';
import { unsetIssuer } from '../shared/issuerNotice.js';

/** The learners among roster members (staff, by their roles or as Laurel knows them, are not evaluated), by name. */
function learnersIn(members: Member[], staff: ReadonlySet<string>) {
  return members.filter((m) => isLearner(m, staff))
    .map((m) => ({ userId: m.userId, name: memberName(m) ?? m.userId, status: m.status, member: m }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The roster's learners from NRPS (listing or choosing them needs none of their grades), and the
 * staff of the roster. Where the LMS shares no names over LTI, the names its API lists (when an
 * administrator connected it).
 */
async function rosterLearners(res: Response) {
  const { course } = courseOf(res);
  const roster = await rosterOf(course);
  const { staff } = roster;
  let { members } = roster;
  if (members.some((m) => !memberName(m) && isLearner(m, staff))) {
    const client = await lmsClientFor(course);
    const outcome = await readLmsApi(course, { badges: [], learnersOnly: true, transport: client.transport, roster: async () => members });
    members = mergeLmsApi({ takenAt: new Date().toISOString(), members, lineItems: [], results: [] }, outcome).snapshot.members;
  }
  return Object.assign(learnersIn(members, staff), { staffMembers: members.filter((m) => !isLearner(m, staff)) });
}

/** A bulk award naming staff (only a hand-made form can): refused, saying who. */
function refuseStaff(req: Request, res: Response, chosen: Member[]): boolean {
  if (!chosen.length) return false;
  const names = chosen.map((m) => memberName(m) ?? m.userId).join(', ');
  sendProblem(req, res, {
    status: 409, reason: 'not_a_learner', params: { names },
    title: 'Badges are for learners',
    detail: `These people are not learners of this course (staff, Canvas's Test Student or observers) and cannot be awarded a badge: ${names}.`,
    todo: 'Go back and choose learners only. A teacher who should hold a badge earns it in a course where they are a learner.',
  });
  return true;
}

async function learnersPage(_req: Request, res: Response) {
  const { course } = courseOf(res);
  const [learners, awards, badges] = await Promise.all([rosterLearners(res), awardsOf(course.courseKey), listBadges(course.courseKey)]);
  const names = new Map(badges.map((b) => [b.id, b.name]));
  const held = (userId: string) => awards.filter((a) => a.userId === userId && a.status === 'awarded').map((a) => names.get(a.badgeId) ?? a.badgeId);
  res.render('course/learners', { ...pageView(res), learners: learners.map((l) => ({ ...l, held: held(l.userId) })), badges });
}

async function learnerDrillDown(req: Request, res: Response) {
  const { course } = courseOf(res);
  const userId = String(req.params.userId);
  const [evaluation, awards] = await Promise.all([evaluateCourse(course, { apply: false, userId, log: req.log }), awardsOf(course.courseKey, { userId })]);
  const learner = learnersIn(evaluation.snapshot.members, new Set(evaluation.snapshot.staff)).find((l) => l.userId === userId);
  if (!learner) return sendProblem(req, res, { status: 404, reason: 'learner_not_found', title: 'No such learner in this course', detail: 'The course\'s roster has no learner with this id.' });
  const rows = evaluation.badges.map((badge) => ({ badge, verdict: evaluation.verdicts.find((v) => v.badgeId === badge.id), award: awards.find((a) => a.badgeId === badge.id) }));
  res.render('course/learner-detail', { ...pageView(res), learner, rows });
}

const selected = (body: Record<string, unknown>, field: string): string[] => {
  const v = body[field];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(String);
};

/** Step one of a bulk award: say what will happen, to how many, before it does. */
async function confirmBulkAward(req: Request, res: Response) {
  const { course } = courseOf(res);
  const body = req.body as Record<string, unknown>;
  const badge = await getBadge(course.courseKey, String(body.badgeId ?? ''));
  const userIds = selected(body, 'userId');
  if (!badge || userIds.length === 0) {
    return sendProblem(req, res, { status: 400, reason: 'nothing_selected', key: 'nothing_selected_award', title: 'Choose a badge and at least one learner', detail: 'Go back, tick the learners to award and choose the badge.' });
  }
  const learners = await rosterLearners(res);
  if (refuseStaff(req, res, learners.staffMembers.filter((m) => userIds.includes(m.userId)))) return;
  const chosen = learners.filter((l) => userIds.includes(l.userId));
  const holders = new Set((await awardsOf(course.courseKey, { badgeId: badge.id })).filter((a) => a.status !== 'pending').map((a) => a.userId));
  const issuerUnset = await unsetIssuer({ issuer: course.issuer, clientId: course.clientId });
  res.render('course/bulk-award', { ...pageView(res), admin: await linksToAdmin(res), badge, chosen, already: chosen.filter((l) => holders.has(l.userId)).length, issuerUnset });
}

async function bulkAward(req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const body = req.body as Record<string, unknown>;
  const badge = await getBadge(course.courseKey, String(body.badgeId ?? ''));
  if (!badge) return sendProblem(req, res, { status: 404, reason: 'badge_not_found', title: 'No such badge in this course', detail: 'It may have been deleted.' });
  const userIds = new Set(selected(body, 'userId'));
  // Only learners on the roster now: an id sent by hand cannot award someone outside the course.
  const learners = await rosterLearners(res);
  if (refuseStaff(req, res, learners.staffMembers.filter((m) => userIds.has(m.userId)))) return;
  const members = learners.filter((l) => userIds.has(l.userId)).map((l) => l.member);
  const job = await startBulkAward(course, badge, members, { id: token.user, name: personName(token) }, req.log);
  res.redirect(303, `/course/jobs/${job.id}?${pageView(res).q}`);
}

/** Step one of a bulk revocation from the holders page: how many, who, and the reason to give. */
async function confirmBulkRevoke(req: Request, res: Response, problem?: string) {
  const { course } = courseOf(res);
  const body = req.body as Record<string, unknown>;
  const ids = new Set(selected(body, 'awardId'));
  const awards = (await awardsOf(course.courseKey)).filter((a) => ids.has(a.id) && a.status === 'awarded');
  if (awards.length === 0) {
    return sendProblem(req, res, { status: 400, reason: 'nothing_selected', key: 'nothing_selected_revoke', title: 'Choose at least one award to revoke', detail: 'Go back and tick the learners whose badge is to be revoked.' });
  }
  const badge = await getBadge(course.courseKey, awards[0]!.badgeId);
  res.status(problem ? 400 : 200).render('course/bulk-revoke', { ...pageView(res), awards, badge, problem, reason: String(body.reason ?? '') });
}

async function bulkRevoke(req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const body = req.body as Record<string, unknown>;
  let reason: string;
  try {
    reason = revocationReason(String(body.reason ?? ''));
  } catch (err) {
    if (!(err instanceof RevocationError)) throw err;
    return confirmBulkRevoke(req, res, revocationProblem(err, pageTranslator(res)));
  }
  const ids = new Set(selected(body, 'awardId'));
  const awardIds = (await awardsOf(course.courseKey)).filter((a) => ids.has(a.id)).map((a) => a.id);
  const job = await startBulkRevoke(course, awardIds, reason, { id: token.user, name: personName(token) }, req.log);
  res.redirect(303, `/course/jobs/${job.id}?${pageView(res).q}`);
}

export function learnersPages(): Router {
  const router = Router();
  router.get('/course/learners', staffOnly, asyncRoute(learnersPage));
  router.get('/course/learners/:userId', staffOnly, asyncRoute(learnerDrillDown));
  router.post('/course/bulk/award/confirm', staffOnly, asyncRoute(confirmBulkAward));
  router.post('/course/bulk/award', staffOnly, asyncRoute(bulkAward));
  router.post('/course/bulk/revoke/confirm', staffOnly, asyncRoute((req, res) => confirmBulkRevoke(req, res)));
  router.post('/course/bulk/revoke', staffOnly, asyncRoute(bulkRevoke));
  return router;
}
