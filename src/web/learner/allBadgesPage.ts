/**
 * All of a learner's badges, from every course they launched as a learner on this platform
 * (awards/learnerBadges.ts), course by course: where each stands (valid, expiring soon, expired,
 * revoked and why, waiting for approval), the same actions as the course page (downloads, the
 * link to share, LinkedIn, a wallet), and each stack they climb as a path, with what the next
 * level asks. Below, their public page of badges: off until they publish it, with the badges they
 * choose (store/publicProfile.ts). Nothing here evaluates: the course page does that.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { learnerAwards, withStates, type HeldBadge } from '../../awards/learnerBadges.js';
import { issueLearnerCredentials } from '../../awards/issueCredential.js';
import { courseLineItems, namedItems } from '../../awards/courseLineItems.js';
import { criteriaNarrative, type NamedItem } from '../../rules/criteria.js';
import { stacksHeld } from '../../rules/stack.js';
import type { CourseRecord } from '../../store/course.js';
import type { Person } from '../../store/learnerCourse.js';
import { issuerProfileByKey } from '../../store/issuerProfile.js';
import { publishedProfileOf, publishProfile, withdrawProfile } from '../../store/publicProfile.js';
import { publicBase } from '../../publicBase.js';
import type { MessageKey } from '../../i18n/en.js';
import { courseOf } from '../shared/courseContext.js';
import { pageView } from '../shared/pageView.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { criteriaWords } from '../shared/criteriaWords.js';
import { personName } from '../shared/personName.js';
import { sendProblem } from '../shared/errorPage.js';
import { shareable } from './learnerPage.js';

/** Past this, the page shows what is signed so far, and the grade columns' names are left out. */
const QUICK_MS = 5000;

export const ALL_BADGES = '/me/all';

/** The session's person: their registration and LTI user id, never anything from the request. */
export function personOf(res: Response): Person {
  const { token } = courseOf(res);
  return { issuer: token.iss, clientId: token.clientId, userId: token.user };
}

/** The page's URL of a public page of badges. */
export const profileUrl = (id: string) => `${publicBase()}/profiles/${encodeURIComponent(id)}`;

const NOTES: Record<string, MessageKey> = {
  published: 'allBadges.note.published',
  saved: 'allBadges.note.saved',
  withdrawn: 'allBadges.note.withdrawn',
  nothingChosen: 'allBadges.note.nothingChosen',
};

/** The names the LMS gives a course's grade columns, if it answers quickly: criteria read "Quiz 2", not a URL. */
async function columnsQuickly(course: CourseRecord, log: Logger): Promise<readonly NamedItem[]> {
  const reading = courseLineItems(course, undefined, undefined, log).then(namedItems);
  reading.catch(() => {});
  return (await Promise.race([reading, delay(QUICK_MS, undefined, { ref: false })])) ?? [];
}

export async function allBadgesPage(req: Request, res: Response): Promise<void> {
  const { course } = courseOf(res);
  const person = personOf(res);
  const tr = pageTranslator(res);
  const list = await learnerAwards(person, course.courseKey);
  // Awards not signed yet (a background run's, say) are signed while the learner looks, as on the course page.
  const signing = Promise.all(list.map((c) => issueLearnerCredentials(publicBase(), c.course, c.awards, req.log)))
    .catch((err) => req.log.warn({ err }, 'could not sign the learner\'s credentials'));
  await Promise.race([signing, delay(QUICK_MS, undefined, { ref: false })]);
  const [courses, profile] = await Promise.all([withStates(list), publishedProfileOf(person)]);

  // The issuer's LinkedIn organization as its administrator sets it now, not as it was at signing.
  const issuerKeys = [...new Set(courses.flatMap((c) => c.held.flatMap((h) => (h.credential ? [h.credential.facts.issuer.key] : []))))];
  const linkedInIds = new Map((await Promise.all(issuerKeys.map(issuerProfileByKey))).filter((p) => p?.linkedInOrganizationId).map((p) => [p!.key, p!.linkedInOrganizationId!]));
  const card = (h: HeldBadge) => ({
    award: h.award, state: h.state, validUntil: h.validUntil,
    name: h.credential?.facts.achievement.name ?? h.badge?.name ?? tr.t('learner.aBadge'),
    level: h.badge?.level,
    // Revoked: shown with its reason, nothing more to share. Waiting for approval: nothing yet.
    ...(h.award.status === 'awarded' ? shareable(h.credential, linkedInIds) : {}),
    ...(h.credential ? { image: h.credential.facts.achievement.imageUrl } : {}),
  });

  const sections = await Promise.all(courses.map(async (c) => {
    const held = new Set(c.awards.filter((a) => a.status === 'awarded').map((a) => a.badgeId));
    const stacks = stacksHeld(c.badges, held);
    const needsColumns = stacks.some((s) => s.next && !s.next.criteriaNarrative?.trim());
    const columns = needsColumns ? await columnsQuickly(c.course, req.log) : [];
    const byId = new Map(c.badges.map((b) => [b.id, b]));
    return {
      title: c.course.title || tr.t('common.thisCourse'),
      label: c.course.label,
      current: c.course.courseKey === course.courseKey,
      badges: c.held.map(card),
      stacks: stacks.map((s) => ({
        ...s,
        nextCriteria: s.next ? s.next.criteriaNarrative?.trim() || criteriaNarrative(s.next, columns, byId, criteriaWords(tr)) : undefined,
      })),
    };
  }));
  const choosable = courses.flatMap((c) => c.held.filter((h) => h.credential).map((h) => ({ ...card(h), course: c.course.title || tr.t('common.thisCourse') })));
  res.set('Cache-Control', 'no-store');
  res.render('course/all-badges', {
    ...pageView(res),
    note: typeof req.query.note === 'string' && req.query.note in NOTES ? tr.t(NOTES[req.query.note]!) : undefined,
    sections,
    profile: profile ? { url: profileUrl(profile.id), chosen: new Set(profile.awardIds), showName: profile.showName } : undefined,
    choosable,
  });
}

const chosenIds = (body: unknown): string[] => {
  const value = (body as Record<string, unknown> | undefined)?.award;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');
};

/**
 * Publishes the learner's page with the badges they ticked, or changes what it shows. Only their
 * own signed badges can be chosen: any other id refuses the whole change.
 */
export async function saveProfile(req: Request, res: Response): Promise<void> {
  const { course, token } = courseOf(res);
  const person = personOf(res);
  const chosen = [...new Set(chosenIds(req.body))];
  const q = pageView(res).q;
  if (chosen.length === 0) return res.redirect(303, `${ALL_BADGES}?${q}&note=nothingChosen`);
  const courses = await withStates(await learnerAwards(person, course.courseKey));
  const own = new Set(courses.flatMap((c) => c.held.filter((h) => h.credential).map((h) => h.award.id)));
  if (!chosen.every((id) => own.has(id))) {
    return sendProblem(req, res, { status: 404, reason: 'award_not_found', title: 'No such badge of yours', detail: 'It may have been revoked.' });
  }
  const showName = (req.body as Record<string, unknown>).showName === 'on';
  const before = await publishedProfileOf(person);
  await publishProfile(person, { awardIds: chosen, showName, name: showName ? personName(token) : undefined });
  res.redirect(303, `${ALL_BADGES}?${q}&note=${before ? 'saved' : 'published'}`);
}

/** Stops publishing: the page's address answers "gone" from now on. */
export async function unpublishProfile(_req: Request, res: Response): Promise<void> {
  const withdrawn = await withdrawProfile(personOf(res));
  res.redirect(303, `${ALL_BADGES}?${pageView(res).q}${withdrawn ? '&note=withdrawn' : ''}`);
}
