/**
 * Awards by hand, in the course of the session: an instructor awards, approves what waits for
 * approval, revokes with a reason, and attaches evidence; a learner attaches evidence to their
 * own award and chooses whether the public page shows their name. Each write is idempotent.
 */
import type { Logger } from 'pino';
import express, { Router, type Request, type Response } from 'express';
import { awardById, awardsOf, createAward, setShowName, type Award } from '../../store/award.js';
import { getBadge } from '../../store/badge.js';
import { issueContext, issueCredential } from '../../awards/issueCredential.js';
import { recipientOf } from '../../awards/recipient.js';
import { RevocationError } from '../../awards/revoke.js';
import { announceAwards } from '../../awards/announce.js';
import { addEvidenceInCourse, approveInCourse, revokeInCourse } from '../shared/courseActions.js';
import { auditInCourse } from '../shared/audit.js';
import { publicBase } from '../../publicBase.js';
import { credentialUrls } from '../../credentials/urls.js';
import { issuedAmong } from '../../store/issuedCredential.js';
import { awardRenewals } from '../../awards/renewal.js';
import { notALearner, rosterOf } from '../../awards/courseStaff.js';
import { courseOf, loadCourse, staffOnly } from '../shared/courseContext.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { apiProblem } from '../shared/apiProblem.js';
import { bodyLimit } from '../shared/bodyErrors.js';
import type { CourseRecord } from '../../store/course.js';


/**
 * Awards as the API shows them: with the links of their credential once it is signed, and, for a
 * renewed badge, each renewal with its own credential's links (`renewal` names the latest).
 */
async function views(awards: Award[]) {
  const renewals = new Map(await Promise.all(awards.filter((a) => a.renewal).map(async (a) => [a.id, await awardRenewals(a)] as const)));
  const issued = new Set(await issuedAmong([...awards.map((a) => a.id), ...[...renewals.values()].flat().map((r) => r.id)]));
  const links = (id: string) => (issued.has(id) ? { links: credentialUrls(publicBase(), id) } : {});
  return awards.map((a) => ({
    ...a, ...links(a.id),
    ...(renewals.has(a.id) ? { renewals: renewals.get(a.id)!.map(({ id, period, renews, renewedAt, validUntil }) => ({ id, period, renews, renewedAt, validUntil, ...links(id) })) } : {}),
  }));
}

async function view(a: Award) {
  return (await views([a]))[0]!;
}

/** Signs the award's credential at once (a manual award or an approval is one learner: no need to wait). */
async function issueNow(course: CourseRecord, award: Award | null, log?: Logger): Promise<Award | null> {
  if (!award || award.status !== 'awarded') return award;
  await issueCredential(award, await issueContext(publicBase(), course, log));
  return awardById(award.id);
}

export function awardApi(): Router {
  const router = Router();
  // /api/course/* already passed the course API's body parser, course and staff checks.
  router.use('/api/me', bodyLimit(16 * 1024), express.json({ limit: '16kb' }), loadCourse);

  router.get('/api/course/awards', staffOnly, asyncRoute(async (_req, res) => {
    res.json({ awards: await views(await awardsOf(courseOf(res).course.courseKey)) });
  }));

  /** A manual award: `{ badgeId, userId, evidence? }`. Awarding again answers the existing award. */
  router.post('/api/course/awards', staffOnly, asyncRoute(async (req, res) => {
    const { course, token } = courseOf(res);
    const { badgeId, userId } = req.body ?? {};
    if (typeof badgeId !== 'string' || typeof userId !== 'string') return apiProblem(res, 400, 'invalid_award', 'Give "badgeId" and "userId" (the learner\'s LTI user id) as strings.');
    if (!(await getBadge(course.courseKey, badgeId))) return apiProblem(res, 404, 'badge_not_found', 'No badge with this id in this course.');
    const roster = await rosterOf(course);
    const member = roster.members.find((m) => m.userId === userId);
    if (!member) return apiProblem(res, 404, 'learner_not_found', `The course's roster has no member ${userId}.`);
    const staff = notALearner(member, roster.staff);
    if (staff) return apiProblem(res, 409, 'not_a_learner', `${staff} Award a learner of the course instead.`);
    const created = await createAward({
      courseKey: course.courseKey, badgeId, userId, status: 'awarded', origin: 'instructor', awardedBy: token.user, recipient: recipientOf(member),
    });
    const award = (await awardsOf(course.courseKey, { badgeId, userId }))[0]!;
    req.log.info({ courseKey: course.courseKey, badgeId, userId, by: token.user, created }, 'manual award');
    if (created) await auditInCourse(res, { action: 'award.manual', badgeId, awardId: award.id, userId, detail: award.recipient?.name ?? userId });
    const issued = (await issueNow(course, award, req.log))!;
    // Its learner is told, once the link in the message leads to the signed badge.
    if (created) await announceAwards(course.courseKey, [award]);
    res.status(created ? 201 : 200).json(await view(issued));
  }));

  router.post('/api/course/awards/:id/approve', staffOnly, asyncRoute(async (req, res) => {
    const { award, approved } = await approveInCourse(req, res, req.params.id!);
    if (!award) return apiProblem(res, 404, 'award_not_found', 'No award with this id in this course.');
    if (!approved && award.status !== 'awarded') return apiProblem(res, 409, 'not_pending', `This award is ${award.status}, not waiting for approval.`);
    res.json(await view((await awardById(award.id))!));
  }));

  router.post('/api/course/awards/:id/revoke', staffOnly, asyncRoute(async (req, res) => {
    try {
      const award = await revokeInCourse(req, res, req.params.id!, typeof req.body?.reason === 'string' ? req.body.reason : ''); // an object is no reason
      res.json(await view(award));
    } catch (err) {
      if (!(err instanceof RevocationError)) throw err;
      apiProblem(res, err.kind === 'not_found' ? 404 : 400, 'cannot_revoke', err.message);
    }
  }));

  router.post('/api/course/awards/:id/evidence', staffOnly, asyncRoute(async (req, res) => attachEvidence(req, res, false)));
  router.post('/api/me/awards/:id/evidence', asyncRoute(async (req, res) => attachEvidence(req, res, true)));

  /** The learner's choice: `{ showName: true }` shows their name on the public page. */
  router.put('/api/me/awards/:id/sharing', asyncRoute(async (req, res) => {
    const { course, token } = courseOf(res);
    if (typeof req.body?.showName !== 'boolean') return apiProblem(res, 400, 'invalid_sharing', 'Give "showName" as true or false.');
    if (!(await setShowName(course.courseKey, token.user, req.params.id!, req.body.showName))) return apiProblem(res, 404, 'award_not_found', 'You have no award with this id in this course.');
    res.json(await view((await awardById(req.params.id!))!));
  }));

  router.get('/api/me/awards', asyncRoute(async (_req, res) => {
    const { course, token } = courseOf(res);
    res.json({ awards: await views(await awardsOf(course.courseKey, { userId: token.user })) });
  }));
  return router;
}

/** Evidence goes on the award; a credential already signed keeps what it was signed with. */
async function attachEvidence(req: Request, res: Response, own: boolean) {
  const outcome = await addEvidenceInCourse(req, res, String(req.params.id), own);
  if ('problem' in outcome) return apiProblem(res, outcome.status, outcome.problem, outcome.detail);
  res.status(201).json(await view((await issueNow(courseOf(res).course, outcome.award, req.log))!));
}
