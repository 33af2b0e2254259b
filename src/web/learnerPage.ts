/**
 * A learner's own page. Each visit re-evaluates this learner only (a few LMS requests with
 * the user_id filter), so a badge earned since the last run shows up at once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { evaluateCourse, type Evaluation } from '../awards/evaluateCourse.js';
import { awardsOf, setShowName } from '../store/award.js';
import { listBadges } from '../store/badge.js';
import { courseOf } from './courseContext.js';
import { issueLearnerCredentials } from '../awards/issueCredential.js';
import { publicBase } from '../awards/publicBase.js';
import { credentialsOfLearner, type IssuedCredential } from '../store/issuedCredential.js';
import { linkedInAddToProfile } from '../credentials/linkedIn.js';
import { credentialUrls } from '../credentials/urls.js';
import { pageView } from './coursePages.js';

/** Past this, the page shows what is stored and the evaluation finishes in the background. */
const QUICK_MS = 5000;

export async function learnerPage(req: Request, res: Response): Promise<void> {
  const { course, token } = courseOf(res);
  let evaluation: Evaluation | undefined;
  let note: string | undefined;
  const running = evaluateCourse(course, { apply: true, userId: token.user });
  running.catch((err) => req.log.warn({ err, courseKey: course.courseKey }, 'learner evaluation failed'));
  try {
    evaluation = await Promise.race([running, delay(QUICK_MS, undefined, { ref: false })]);
    if (!evaluation) note = 'Laurel is still reading your grades from the course; reload this page in a moment.';
  } catch (err) {
    note = `Laurel could not read your grades from the course just now (${(err as Error).message}). Your earned badges are shown.`;
  }
  const awards = await awardsOf(course.courseKey, { userId: token.user });
  await issueLearnerCredentials(publicBase(), course, awards, req.log).catch((err) => req.log.warn({ err, courseKey: course.courseKey }, 'could not sign the learner\'s credentials'));
  const credentials = new Map((await credentialsOfLearner(course.courseKey, token.user)).map((c) => [c.publicId, c]));
  const badges = evaluation?.badges ?? (await listBadges(course.courseKey));
  const verdicts = new Map(evaluation?.verdicts.map((v) => [v.badgeId, v]) ?? []);
  res.render('course/learner', {
    ...pageView(res),
    note,
    earned: awards.filter((a) => a.status === 'awarded').map((a) => ({ award: a, badge: badges.find((b) => b.id === a.badgeId), ...shareable(credentials.get(a.id)) })),
    pending: awards.filter((a) => a.status === 'pending').map((a) => ({ award: a, badge: badges.find((b) => b.id === a.badgeId) })),
    progress: badges.filter((b) => !awards.some((a) => a.badgeId === b.id)).map((b) => ({ badge: b, verdict: verdicts.get(b.id) })),
  });
}

/** A signed badge's links: downloads, the verification page, and LinkedIn's form filled in. */
function shareable(c: IssuedCredential | undefined) {
  if (!c) return {};
  const urls = credentialUrls(publicBase(), c.publicId);
  const { achievement, issuer, award } = c.facts;
  return {
    urls,
    linkedIn: linkedInAddToProfile({ name: achievement.name, organizationName: issuer.name, issued: award.awardedAt, expires: award.validUntil, certUrl: urls.page, certId: c.publicId }),
  };
}

/** The learner's choice from their page: show their name on the public page, or not. */
export async function shareName(req: Request, res: Response): Promise<void> {
  const { course, token } = courseOf(res);
  const show = (req.body as Record<string, string>).showName === 'on';
  if (!(await setShowName(course.courseKey, token.user, String(req.params.id), show))) {
    res.status(404).render('error', { problem: { status: 404, reason: 'award_not_found', title: 'No such badge of yours', detail: 'It may have been revoked.' } });
    return;
  }
  res.redirect(303, `/me?${pageView(res).q}`);
}
