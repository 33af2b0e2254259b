/**
 * What a change of an award tells people, put in the outbox (store/outbox.ts) once the award is
 * stored: its learner hears when it is awarded, waits for an instructor's approval or is revoked,
 * and some days before its credential expires; the course's staff get a digest of what waits for
 * their approval, at most one a day. The background sender (messages/) does the telling.
 *
 * Each event is enqueued under its key, once, whoever notices it (a run taken over, two
 * instances): the outbox's `_id` refuses the second. Enqueueing never stands in an award's way: it
 * runs after the award is stored, and a failure is logged, never thrown to the award's caller.
 * Where Laurel has nowhere to send (no SMTP server, no LMS API connected), nothing is enqueued.
 */
import type { Logger } from 'pino';
import type { Award } from '../store/award.js';
import { listBadges } from '../store/badge.js';
import { findCourse, type CourseRecord } from '../store/course.js';
import { courseStaffOf, staffIdsOf } from '../store/courseStaff.js';
import { lmsConnectionOf } from '../store/lmsConnection.js';
import { enqueueMessages, outboxMessage, type NewMessage } from '../store/outbox.js';
import { validUntil } from '../rules/validity.js';
import type { AwardRenewal } from '../store/renewal.js';

export interface AnnouncementSettings {
  /** An SMTP server is configured: every event can be told by e-mail. */
  email: boolean;
  /** Days before a credential's end that its learner is reminded; 0: never. */
  expiryReminderDays: number;
  /** Where a failure to enqueue is logged. */
  log?: Logger;
}

let settings: AnnouncementSettings = { email: false, expiryReminderDays: 30 };

/** Set at start (boot.ts) from the configuration. */
export function configureAnnouncements(s: AnnouncementSettings): void {
  settings = s;
}

export const expiryReminderDays = () => settings.expiryReminderDays;
/** Whether an SMTP server is configured (what the admin page says of where messages go). */
export const sendsEmail = () => settings.email;

/** How long the digest waits after the first award of the day to wait for approval, so that an evaluation's awards come in one digest. */
export const DIGEST_GATHER_MS = 15 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/** An award as the hooks have it: just created, approved or revoked. */
type Announced = Pick<Award, 'id' | 'badgeId' | 'userId' | 'status'> & { awardedAt?: Date };

/** New awards (an evaluation, a bulk or manual award): awarded ones to their learners, pending ones to them and to the staff's digest. */
export async function announceAwards(courseKey: string, awards: readonly Announced[], now = new Date()): Promise<void> {
  if (!awards.length) return;
  await guarded('awards', courseKey, async () => {
    const course = await courseToTell(courseKey);
    if (!course) return;
    const badges = new Map((await listBadges(courseKey)).map((b) => [b.id, b]));
    const messages: NewMessage[] = [];
    for (const a of awards) {
      if (a.status === 'awarded') messages.push(...awardedMessages(course, a, badges.get(a.badgeId)?.validFor, now));
      else if (a.status === 'pending') messages.push(message(course, 'pending', a.userId, a.id, now));
    }
    await enqueueMessages(messages, now);
    if (awards.some((a) => a.status === 'pending')) await enqueueDigests(course, now);
  });
}

/** An award an instructor approved: its learner is told it is theirs now. */
export async function announceApproval(courseKey: string, award: Announced, now = new Date()): Promise<void> {
  await announceAwards(courseKey, [{ ...award, status: 'awarded' }], now);
}

/**
 * Renewals just recorded: each new credential's expiry reminder, keyed by its period, so every
 * period gets its own (the award's first reminder gives way to it: messages/about.ts).
 */
export async function announceRenewals(courseKey: string, renewals: readonly Pick<AwardRenewal, 'awardId' | 'userId' | 'period' | 'validUntil'>[], now = new Date()): Promise<void> {
  const days = settings.expiryReminderDays;
  if (!renewals.length || days <= 0) return;
  await guarded('renewals', courseKey, async () => {
    const course = await courseToTell(courseKey);
    if (!course) return;
    const due = renewals.map((r) => ({ r, remindAt: new Date(r.validUntil.getTime() - days * DAY_MS) })).filter(({ remindAt }) => remindAt > now);
    await enqueueMessages(due.map(({ r, remindAt }) => message(course, 'expiring', r.userId, r.awardId, remindAt, `expiring ${r.awardId} ${r.period}`)), now);
  });
}

/** A revocation: its learner is told, with the reason (read from the award when the message is sent). */
export async function announceRevocation(courseKey: string, award: Pick<Award, 'id' | 'userId'>, now = new Date()): Promise<void> {
  await guarded('revocation', courseKey, async () => {
    const course = await courseToTell(courseKey);
    if (course) await enqueueMessages([message(course, 'revoked', award.userId, award.id, now)], now);
  });
}

/** The course, when Laurel can tell anyone there: an SMTP server, or the platform's LMS API connected. */
async function courseToTell(courseKey: string): Promise<CourseRecord | null> {
  const course = await findCourse(courseKey);
  if (!course) return null;
  if (settings.email) return course;
  return (await lmsConnectionOf(course.issuer, course.clientId)) ? course : null;
}

function message(course: CourseRecord, kind: NewMessage['kind'], userId: string, awardId: string | undefined, dueAt: Date, key = `${kind} ${awardId}`): NewMessage {
  return { key, kind, issuer: course.issuer, clientId: course.clientId, courseKey: course.courseKey, userId, ...(awardId ? { awardId } : {}), dueAt };
}

/**
 * "You earned it", and the reminder before the credential ends, due that many days before (the
 * sender checks the credential's own end when it is due). A credential valid for less than that
 * gets no reminder: its learner was just told when it ends.
 */
function awardedMessages(course: CourseRecord, a: Announced, validFor: string | undefined, now: Date): NewMessage[] {
  const out = [message(course, 'awarded', a.userId, a.id, now)];
  const days = settings.expiryReminderDays;
  const until = days > 0 && validFor ? validUntilOrNone(a.awardedAt ?? now, validFor) : undefined;
  if (until) {
    const remindAt = new Date(until.getTime() - days * DAY_MS);
    if (remindAt.getTime() > (a.awardedAt ?? now).getTime()) out.push(message(course, 'expiring', a.userId, a.id, remindAt));
  }
  return out;
}

function validUntilOrNone(at: Date, validFor: string): Date | undefined {
  try {
    return validUntil(at, validFor);
  } catch {
    return undefined; // a period the editor would refuse: no credential end, no reminder
  }
}

/** The UTC day, as digest keys name it. */
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Each staff member's digest of the day, due a little later so one evaluation's awards come in
 * one; when today's went already, tomorrow's, due at the start of that day. It lists what waits
 * when it is sent, so an award that waits when today's is still due goes in today's.
 */
async function enqueueDigests(course: CourseRecord, now: Date): Promise<void> {
  const staff = [...staffIdsOf(await courseStaffOf(course.courseKey))];
  if (!staff.length) return;
  const today = dayOf(now);
  const key = (day: string, userId: string) => `digest ${course.courseKey} ${day} ${userId}`;
  const inserted = new Set(await enqueueMessages(staff.map((userId) => message(course, 'digest', userId, undefined, new Date(now.getTime() + DIGEST_GATHER_MS), key(today, userId))), now));
  const tomorrowStart = new Date(`${today}T00:00:00.000Z`).getTime() + DAY_MS;
  const later: NewMessage[] = [];
  for (const userId of staff.filter((u) => !inserted.has(key(today, u)))) {
    const todays = await outboxMessage(key(today, userId));
    if (todays && todays.state !== 'due') later.push(message(course, 'digest', userId, undefined, new Date(tomorrowStart), key(dayOf(new Date(tomorrowStart)), userId)));
  }
  await enqueueMessages(later, now);
}

async function guarded(event: string, courseKey: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    settings.log?.warn({ err, courseKey, event }, 'could not enqueue messages: the award stands, its messages are not sent');
  }
}
