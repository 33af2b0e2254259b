/**
 * A learner's own page. Each visit re-evaluates this learner only (a few LMS requests with
 * the user_id filter), so a badge earned since the last run shows up at once. Canvas's Test
 * Student (Student View) sees the same page as a preview: evaluated, never awarded.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Request, Response } from 'express';
import { evaluateCourse, type Evaluation } from '../../awards/evaluateCourse.js';
import { awardsOf, setShowName } from '../../store/award.js';
import { noteEngagement } from '../../store/engagement.js';
import { addEvidenceInCourse } from '../shared/courseActions.js';
import { listBadges } from '../../store/badge.js';
import { courseOf } from '../shared/courseContext.js';
import { issueLearnerCredentials } from '../../awards/issueCredential.js';
import { publicBase } from '../../publicBase.js';
import { credentialsOfAwards, type IssuedCredential } from '../../store/issuedCredential.js';
import { linkedInAddToProfile } from '../../credentials/linkedIn.js';
import { issuerProfileByKey } from '../../store/issuerProfile.js';
import { credentialUrls } from '../../credentials/urls.js';
import { pageView } from '../shared/pageView.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import type { MessageKey } from '../../i18n/en.js';
import type { EvidenceProblem } from '../../awards/evidence.js';
import { audienceOf } from '../../lti/roles.js';
import { courseStaffOf, staffIdsOf } from '../../store/courseStaff.js';
import type { Award } from '../../store/award.js';
import type { BadgeDefinition } from '../../rules/badge.js';
import type { Verdict } from '../../rules/verdict.js';
import { awardRenewals, currentValidUntil } from '../../awards/renewal.js';
import { expiryState } from '../../rules/renewal.js';
import { messagesChoiceView } from './messagesChoice.js';
import { myDataView } from './myData.js';

/** Past this, the page shows what is stored and the evaluation finishes in the background. */
const QUICK_MS = 5000;

export async function learnerPage(req: Request, res: Response): Promise<void> {
  const { course, token } = courseOf(res);
  let evaluation: Evaluation | undefined;
  let note: string | undefined;
  const { t, date } = pageTranslator(res);
  const audience = audienceOf(token.platformContext.roles);
  // An observer (Canvas's Mentor) earns nothing here, and a learner's badges are theirs to share:
  // a clear page saying so, rather than an empty "My badges".
  if (audience === 'observer') return res.render('course/observer', pageView(res));
  // Someone Laurel knows as staff of this course, launching with no staff role: their teaching
  // enrolment concluded (Canvas sends context roles of current enrolments only:
  // lib/lti/substitutions_helper.rb). Told so, never shown nor evaluated as a learner.
  if (audience === 'learner' && staffIdsOf(await courseStaffOf(course.courseKey)).has(token.user)) {
    return res.render('course/former-staff', pageView(res));
  }
  const preview = audience === 'test-student';
  const running = evaluateCourse(course, { apply: !preview, preview, userId: token.user, log: req.log });
  running.catch((err) => req.log.warn({ err, courseKey: course.courseKey }, 'learner evaluation failed'));
  try {
    evaluation = await Promise.race([running, delay(QUICK_MS, undefined, { ref: false })]);
    if (!evaluation) note = t('learner.note.stillReading');
  } catch (err) {
    note = t('learner.note.couldNotRead', { error: (err as Error).message });
  }
  const awards = preview ? [] : await awardsOf(course.courseKey, { userId: token.user });
  // Signing may need the LMS (the grade columns' names): like the evaluation, it may finish after the page is shown.
  const signing = issueLearnerCredentials(publicBase(), course, awards, req.log).catch((err) => req.log.warn({ err, courseKey: course.courseKey }, 'could not sign the learner\'s credentials'));
  await Promise.race([signing, delay(QUICK_MS, undefined, { ref: false })]);
  // Each award's first credential, and its latest renewal's where it was renewed: the page shows the latest.
  const credentials = new Map((await credentialsOfAwards(awards.flatMap((a) => (a.renewal ? [a.renewal.publicId, a.id] : [a.id])))).map((c) => [c.publicId, c]));
  const latestOf = (a: Award) => (a.renewal && credentials.get(a.renewal.publicId)) || credentials.get(a.id);
  const badges = evaluation?.badges ?? (await listBadges(course.courseKey));
  const verdicts = new Map(evaluation?.verdicts.map((v) => [v.badgeId, v]) ?? []);
  const earned = awards.filter((a) => a.status === 'awarded');
  await noteEngagement('viewed', earned.filter((a) => latestOf(a)));
  // The issuer's LinkedIn organization as its administrator sets it now, not as it was at signing.
  const issuerKeys = [...new Set([...credentials.values()].map((c) => c.facts.issuer.key))];
  const linkedInIds = new Map((await Promise.all(issuerKeys.map(issuerProfileByKey))).filter((p) => p?.linkedInOrganizationId).map((p) => [p!.key, p!.linkedInOrganizationId!]));
  res.render('course/learner', {
    ...pageView(res),
    preview,
    note: note ?? (typeof req.query.note === 'string' && req.query.note in NOTES ? t(NOTES[req.query.note]!) : undefined),
    earned: await Promise.all(earned.map(async (a) => {
      const badge = badges.find((b) => b.id === a.badgeId);
      return { award: a, badge, ...shareable(latestOf(a), linkedInIds), ...(await validityOf(a, badge, verdicts.get(a.badgeId), credentials.get(a.id))) };
    })),
    pending: awards.filter((a) => a.status === 'pending').map((a) => ({ award: a, badge: badges.find((b) => b.id === a.badgeId) })),
    progress: badges.filter((b) => !awards.some((a) => a.badgeId === b.id)).map((b) => ({ badge: b, verdict: verdicts.get(b.id) })),
    messages: await messagesChoiceView(token),
    myData: await myDataView(token, date),
  });
}

/**
 * How long a badge that expires stays valid, and its renewals: until when, whether it lapsed,
 * when it was renewed and the credentials before the latest (still valid until they expire),
 * and, in its renewal window, what renews it.
 */
async function validityOf(award: Award, badge: BadgeDefinition | undefined, verdict: Verdict | undefined, first: IssuedCredential | undefined) {
  const validUntil = currentValidUntil(award, badge);
  if (!validUntil) return { history: [] };
  const renewals = await awardRenewals(award);
  const history = award.renewal ? [
    { page: credentialUrls(publicBase(), award.id).page, from: award.awardedAt, until: first?.facts.award.validUntil },
    ...renewals.slice(0, -1).map((r) => ({ page: credentialUrls(publicBase(), r.id).page, from: r.renewedAt, until: r.validUntil })),
  ] : [];
  return {
    validUntil, lapsed: expiryState(validUntil, badge?.renewal, new Date()) === 'lapsed', renewedAt: award.renewal?.renewedAt,
    // In the renewal window and not renewed yet: what renews it (once renewed, the dates above say so).
    renewal: verdict?.renewal && !verdict.renewal.met ? verdict.renewal : undefined, history,
  };
}

/** A signed badge's links: downloads, the verification page, and LinkedIn's form filled in. */
export function shareable(c: IssuedCredential | undefined, linkedInIds: ReadonlyMap<string, string>) {
  if (!c) return {};
  const urls = credentialUrls(publicBase(), c.publicId);
  const { achievement, issuer, award } = c.facts;
  // Links the learner hands out carry "via=share", so the instructor's figures can count shares.
  const shareLink = `${urls.page}?via=share`;
  const download = (url: string) => `${url}?download`;
  return {
    urls,
    image: achievement.imageUrl,
    shareLink,
    downloads: { png: download(urls.png), svg: download(urls.svg), json: download(`${urls.credential}.json`), jwt: download(urls.jwt), jwtEdDsa: download(urls.jwtEdDsa) },
    linkedIn: linkedInAddToProfile({ name: achievement.name, organizationName: issuer.name, organizationId: linkedInIds.get(issuer.key), issued: award.awardedAt, expires: award.validUntil, certUrl: shareLink, certId: c.publicId }),
  };
}

/** What a redirect back to the page may say (by key, so no text travels in the URL). */
const NOTES: Record<string, MessageKey> = {
  evidence: 'learner.note.evidence',
  sharing: 'learner.note.sharing',
  messagesOff: 'learner.note.messagesOff',
  messagesOn: 'learner.note.messagesOn',
  erasureRequested: 'erasure.note.requested',
  erasureCancelled: 'erasure.note.cancelled',
};

/** The catalogue's words for each evidence problem (the problem page), and for each kind of invalid evidence. */
const EVIDENCE_PROBLEMS: Record<string, string> = { award_not_found: 'evidence_not_found', already_issued: 'evidence_already_issued', invalid_evidence: 'evidence_invalid' };
const INVALID_EVIDENCE: Record<EvidenceProblem, MessageKey> = { missing: 'evidence.missing', not_http: 'evidence.notHttp', too_long: 'evidence.tooLong' };

/** Evidence from the learner's page, for a badge that asks for it; the page signs the badge when it was all that was missing. */
export async function submitEvidence(req: Request, res: Response): Promise<void> {
  const outcome = await addEvidenceInCourse(req, res, String(req.params.id), true);
  if ('problem' in outcome) {
    const detail = outcome.code ? pageTranslator(res).t(INVALID_EVIDENCE[outcome.code], outcome.values) : outcome.detail;
    res.status(outcome.status).render('error', { problem: { status: outcome.status, reason: outcome.problem, key: EVIDENCE_PROBLEMS[outcome.problem], title: 'The evidence could not be added', detail } });
    return;
  }
  res.redirect(303, `/me?${pageView(res).q}&note=evidence`);
}

/** The learner's choice from their page: show their name on the public page, or not. */
export async function shareName(req: Request, res: Response): Promise<void> {
  const { course, token } = courseOf(res);
  const show = (req.body as Record<string, string>).showName === 'on';
  if (!(await setShowName(course.courseKey, token.user, String(req.params.id), show))) {
    res.status(404).render('error', { problem: { status: 404, reason: 'award_not_found', title: 'No such badge of yours', detail: 'It may have been revoked.' } });
    return;
  }
  res.redirect(303, `/me?${pageView(res).q}&note=sharing`);
}
