/**
 * What a message is about, found when it is sent rather than when it was enqueued: the award as
 * it stands now (a message about an award that changed since says nothing any more), its badge and
 * course by name, the link to its verification page once its credential is signed, and for a
 * reminder the credential's own end. Also the person's e-mail address and name, for e-mail and to
 * keep them out of what is recorded.
 */
import type { InputProblem } from '../inputProblem.js';
import type { OutboxMessage } from '../store/outbox.js';
import type { MessageRecipient } from '../store/messageRecipient.js';
import { awardById, pendingAwardsOf, type Award } from '../store/award.js';
import { getBadge, listBadges } from '../store/badge.js';
import { findCourse, type CourseRecord } from '../store/course.js';
import { credentialByPublicId, issuedAmong } from '../store/issuedCredential.js';
import { latestCredential } from '../awards/renewal.js';
import { credentialUrls } from '../credentials/urls.js';
import type { MessageFacts } from './compose.js';
import { skipped } from './failures.js';

export type About =
  | { tell: MessageFacts; course: CourseRecord; email?: string; names: string[] }
  | { skip: InputProblem }
  /** Not yet: its credential is being signed, or the credential's end moved. */
  | { later: Date };

export interface AboutOptions {
  base: string;
  expiryReminderDays: number;
  now: Date;
}

/** How long an award's message waits for its credential to be signed before it goes with the link all the same. */
const WAIT_FOR_SIGNING_MS = 24 * 60 * 60_000;
const RETRY_SIGNED_MS = 60_000;
const DAY_MS = 24 * 60 * 60_000;

export async function aboutMessage(m: OutboxMessage, person: MessageRecipient | null, o: AboutOptions): Promise<About> {
  const course = await findCourse(m.courseKey);
  if (!course) return { skip: skipped.outdated() };
  if (m.kind === 'digest') return aboutDigest(course, person);
  const award = m.awardId ? await awardById(m.awardId) : null;
  if (!award || award.courseKey !== m.courseKey) return { skip: skipped.outdated() };
  const badge = await getBadge(award.courseKey, award.badgeId);
  const email = award.recipient?.email ?? person?.email;
  const names = [award.recipient?.name].filter((n): n is string => Boolean(n));
  const link = credentialUrls(o.base, award.id).page;
  const signed = async () => (await issuedAmong([award.id])).length > 0;
  const tell = (facts: MessageFacts): About => ({ tell: facts, course, ...(email ? { email } : {}), names });
  const badgeName = badge?.name ?? (await credentialByPublicId(award.id))?.facts.achievement.name;
  if (!badgeName) return { skip: skipped.outdated() }; // the badge was deleted before anything was signed
  const common = { badge: badgeName, course: course.title };

  switch (m.kind) {
    case 'awarded': {
      if (award.status !== 'awarded') return { skip: skipped.outdated() };
      if (await signed()) return tell({ kind: 'awarded', ...common, link });
      if (badge?.evidenceRequired && !award.evidence?.length) return tell({ kind: 'awarded', ...common });
      // Signed within moments of the award, usually: the message waits for the link to work.
      if (o.now.getTime() - m.createdAt.getTime() < WAIT_FOR_SIGNING_MS) return { later: new Date(o.now.getTime() + RETRY_SIGNED_MS) };
      return tell({ kind: 'awarded', ...common, link });
    }
    case 'pending':
      return award.status === 'pending' ? tell({ kind: 'pending', ...common }) : { skip: skipped.outdated() };
    case 'revoked':
      if (award.status !== 'revoked') return { skip: skipped.outdated() };
      return tell({ kind: 'revoked', ...common, reason: award.revocationReason ?? '', at: award.revokedAt ?? o.now, ...((await signed()) ? { link } : {}) });
    case 'expiring':
      return aboutExpiry(m, award, common, o, tell);
    default:
      return { skip: skipped.outdated() };
  }
}

/**
 * The reminder goes by the end of the award's latest signed credential. Each period has its own
 * (`expiring <award>` for the first credential, `expiring <award> <n>` for the n-th renewal's,
 * enqueued when it is recorded): one whose period a renewal has passed gives way to the next's.
 */
async function aboutExpiry(m: OutboxMessage, award: Award, common: { badge: string; course: string }, o: AboutOptions, tell: (f: MessageFacts) => About): Promise<About> {
  if (award.status !== 'awarded') return { skip: skipped.outdated() };
  if (Number(m._id.split(' ')[2] ?? 0) !== (award.renewal?.period ?? 0)) return { skip: skipped.outdated() };
  const latest = await latestCredential(award);
  const until = latest?.facts.award.validUntil;
  const link = credentialUrls(o.base, latest?.publicId ?? award.id).page;
  if (!until || o.expiryReminderDays <= 0) return { skip: skipped.noReminder() };
  if (until.getTime() <= o.now.getTime()) return { skip: skipped.outdated() };
  const remindAt = new Date(until.getTime() - o.expiryReminderDays * DAY_MS);
  if (remindAt.getTime() > o.now.getTime() + RETRY_SIGNED_MS) return { later: remindAt };
  return tell({ kind: 'expiring', ...common, link, until });
}

/** What waits for approval in the course when the digest goes: none, nothing to say. */
async function aboutDigest(course: CourseRecord, person: MessageRecipient | null): Promise<About> {
  const waiting = await pendingAwardsOf(course.courseKey);
  if (!waiting.length) return { skip: skipped.nothingWaiting() };
  const badges = new Map((await listBadges(course.courseKey)).map((b) => [b.id, b.name]));
  const items = waiting
    .map((a) => ({ badge: badges.get(a.badgeId) ?? a.badgeId, learner: a.recipient?.name ?? a.userId }))
    .sort((a, b) => a.badge.localeCompare(b.badge) || a.learner.localeCompare(b.learner));
  return { tell: { kind: 'digest', course: course.title, waiting: items }, course, ...(person?.email ? { email: person.email } : {}), names: [] };
}
