/**
 * The background sender: every instance looks for due messages in the outbox (store/outbox.ts)
 * and delivers each attempt it claims, so two instances, or two passes, never send one attempt
 * twice. A message goes through the LMS where the platform's API is connected, else (or when the
 * LMS refuses it) by e-mail where an SMTP server is configured; a failed attempt is tried again
 * with backoff (1 minute, then 2, 4… up to 6 hours) and given up after MAX_ATTEMPTS, each failure
 * kept on the message for the admin page.
 *
 * The log says which message (its key), what it is about, where it went and why it failed, in
 * Laurel's words: never an address, a name, a grade or what the message says.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import { publicBase } from '../publicBase.js';
import { localeOf } from '../i18n/locale.js';
import { translator } from '../i18n/translate.js';
import { claimAttempt, dueMessages, markFailed, markSent, markSkipped, postpone, type MessageChannel, type OutboxMessage } from '../store/outbox.js';
import { messageRecipientOf } from '../store/messageRecipient.js';
import { lmsConnectionOf } from '../store/lmsConnection.js';
import { newTransport, type Transport } from '../lms/http.js';
import { mapLimit } from '../lms/mapLimit.js';
import type { InputProblem } from '../inputProblem.js';
import { composeMessage } from './compose.js';
import { aboutMessage } from './about.js';
import { emailSender, type EmailSender } from './email.js';
import { failures, skipped, withoutPerson } from './failures.js';
import { MessageFailure, sendThroughLms } from './throughLms.js';

/** Failed attempts before a message is given up: with the backoff, about a day of trying. */
export const MAX_ATTEMPTS = 12;
/** Messages a round reads, and sends at once; a pass reads round after round while they come full. */
const BATCH = 50;
const AT_ONCE = 4;
const ROUNDS = 20;
/**
 * How long a claimed attempt keeps others off the message: more than an attempt can take (the
 * LMS's five tries of 30 s at most, then the SMTP server's timeouts), so no second sender starts it
 * meanwhile; the failed attempt then sets the backoff's time.
 */
const ATTEMPT_HELD_MS = 5 * 60_000;

export interface Sender {
  logger: Logger;
  /** Where e-mail goes, when an SMTP server is configured. */
  email?: EmailSender;
  expiryReminderDays: number;
  /** The LMS's network and clock (tests give their own). */
  transport?: () => Transport;
}

/** 1 minute after the first attempt, then 2, 4 … at most 6 hours. */
export function retryAfter(attempt: number, now: Date): Date {
  const minutes = Math.min(6 * 60, 2 ** Math.max(0, attempt - 1));
  return new Date(now.getTime() + minutes * 60_000);
}

type Outcome =
  | { sent: MessageChannel; note?: InputProblem }
  | { skip: InputProblem }
  | { failed: InputProblem }
  | { later: Date };

/** One pass: delivers what is due at `now`; answers how many it sent. */
export async function deliverDueMessages(s: Sender, now = new Date()): Promise<number> {
  let sent = 0;
  // Each message a round claims is due again only later than `now`: the next round reads the next ones.
  for (let round = 0; round < ROUNDS; round++) {
    const due = await dueMessages(now, BATCH);
    sent += (await mapLimit(due, AT_ONCE, (m) => deliverClaimed(s, m, now))).filter(Boolean).length;
    if (due.length < BATCH) break;
  }
  return sent;
}

async function deliverClaimed(s: Sender, m: OutboxMessage, now: Date): Promise<boolean> {
  const failed = (m.failures ?? 0) + 1; // should this attempt fail, the how-manieth failure
  if (!(await claimAttempt(m, new Date(now.getTime() + ATTEMPT_HELD_MS), now))) return false;
  const where = { message: m._id, kind: m.kind, courseKey: m.courseKey, attempt: m.attempts + 1 };
  let outcome: Outcome;
  try {
    outcome = await deliver(s, m, now);
  } catch (err) {
    // Laurel's own failure (the database, a bug): the attempt counts, and is tried again.
    s.logger.warn({ ...where, err: { type: (err as Error).name, message: withoutPerson(String((err as Error).message), []) } }, 'message not sent: Laurel failed while sending it');
    outcome = { failed: failures.lmsFailed('Laurel failed while sending it; see its log.') };
  }
  if ('sent' in outcome) {
    await markSent(m._id, outcome.sent, outcome.note, new Date());
    s.logger.info({ ...where, channel: outcome.sent, ...(outcome.note ? { lmsRefused: outcome.note.code } : {}) }, 'message sent');
    return true;
  }
  if ('skip' in outcome) {
    await markSkipped(m._id, outcome.skip);
    s.logger.info({ ...where, why: outcome.skip.code }, 'message skipped');
  } else if ('later' in outcome) {
    await postpone(m._id, outcome.later);
  } else {
    const final = failed >= MAX_ATTEMPTS;
    await markFailed(m._id, outcome.failed, failed, final ? undefined : retryAfter(failed, now), new Date());
    s.logger.warn({ ...where, problem: outcome.failed.code, why: outcome.failed.message, givenUp: final }, final ? 'message given up' : 'message not sent: tried again later');
  }
  return false;
}

async function deliver(s: Sender, m: OutboxMessage, now: Date): Promise<Outcome> {
  const person = await messageRecipientOf(m);
  if (person?.messagesOff) return { skip: skipped.optedOut() };
  const about = await aboutMessage(m, person, { base: publicBase(), expiryReminderDays: s.expiryReminderDays, now });
  if ('skip' in about) return about;
  if ('later' in about) return about;
  const composed = composeMessage(about.tell, translator(localeOf(person?.locale)));
  const hidden = [about.email, ...about.names];

  let lmsRefusal: MessageFailure | undefined;
  const connection = await lmsConnectionOf(m.issuer, m.clientId);
  if (connection) {
    try {
      return { sent: await sendThroughLms(connection, about.course, m.userId, composed, { transport: (s.transport ?? newTransport)(), names: hidden.filter((h): h is string => Boolean(h)) }) };
    } catch (err) {
      if (!(err instanceof MessageFailure)) throw err;
      lmsRefusal = err;
    }
  }
  if (s.email && about.email) {
    try {
      await s.email.send(about.email, composed);
      return { sent: 'email', ...(lmsRefusal ? { note: lmsRefusal.problem } : {}) };
    } catch (err) {
      return { failed: failures.emailFailed(withoutPerson((err as Error).message, hidden)) };
    }
  }
  const failed = lmsRefusal?.problem ?? (s.email ? failures.noAddress() : failures.nowhere());
  // Nothing to try again: the LMS's messaging was not set up; or a digest to someone Laurel cannot
  // reach yet, when tomorrow's says what still waits.
  if (lmsRefusal?.notSetUp || (m.kind === 'digest' && UNREACHABLE.has(failed.code))) return { skip: failed };
  return { failed };
}

/** Failures that say Laurel does not know where the person is yet (no Canvas id, no address). */
const UNREACHABLE = new Set([failures.canvasNoId().code, failures.noAddress().code]);

/** Started by boot.ts on every instance; `tickSeconds` 0 sends nothing from this instance. */
export function startMessageSender(config: Config, logger: Logger): { stop(): void; sender: Sender } {
  const { smtpUrl, smtpFrom, expiryReminderDays, tickSeconds } = config.messages;
  const sender: Sender = { logger, expiryReminderDays, ...(smtpUrl && smtpFrom ? { email: emailSender(smtpUrl, smtpFrom) } : {}) };
  let running = false;
  const timer = tickSeconds > 0 ? setInterval(() => {
    if (running) return;
    running = true;
    deliverDueMessages(sender).catch((err) => logger.warn({ err }, 'could not look for messages to send')).finally(() => { running = false; });
  }, tickSeconds * 1000) : undefined;
  timer?.unref();
  return { sender, stop: () => { if (timer) clearInterval(timer); sender.email?.close(); } };
}
