/**
 * What the admin page shows of Laurel's messages on the platform: where they go (the LMS's
 * messaging where its API is connected, e-mail where an SMTP server is configured), what the
 * Moodle service and role need for them, what a Canvas key that enforces scopes needs (and how many
 * instructors' grants were given without it, who connect Canvas again once it has it), and the messages whose last attempt failed, each with
 * Laurel's sentence for why, the course, its attempts and when it is tried again. Never a message's
 * text or its recipient's address.
 */
import type { LtijsToken } from 'ltijs';
import type { Translator } from '../../i18n/translate.js';
import type { InputProblem } from '../../inputProblem.js';
import type { MessageKey } from '../../i18n/en.js';
import { failedMessagesOf, type MessageKind } from '../../store/outbox.js';
import { findCourse } from '../../store/course.js';
import { lmsConnectionOf } from '../../store/lmsConnection.js';
import { sendsEmail } from '../../awards/announce.js';
import { MAX_ATTEMPTS } from '../../messages/sender.js';
import { CanvasGrantModel } from '../../store/canvasGrant.js';
import { CANVAS_CONVERSATIONS_SCOPE } from '../../lms/canvasRest/canvasOAuth.js';

export interface MessagesSection {
  how: MessageKey;
  moodleSetup: boolean;
  /** A Canvas key that enforces scopes: the conversations scope to tick, and the instructors' grants in use given without it. */
  canvasScope?: { scope: string; grantsWithout: number };
  maxAttempts: number;
  failed: { kind: MessageKind; course: string; attempts: number; failure: string; at: Date; next?: Date; givenUp: boolean }[];
}

export async function messagesSection(token: LtijsToken, tr: Translator): Promise<MessagesSection> {
  const [connection, failed] = await Promise.all([lmsConnectionOf(token.iss, token.clientId), failedMessagesOf({ issuer: token.iss, clientId: token.clientId })]);
  const email = sendsEmail();
  const lms = connection?.kind === 'moodle-ws' ? 'moodle' : connection?.kind === 'canvas-rest' ? 'canvas' : undefined;
  const how: MessageKey = lms ? (email ? `admin.messagesHow.${lms}OrEmail` : `admin.messagesHow.${lms}`) : email ? 'admin.messagesHow.email' : 'admin.messagesHow.none';
  const canvasScope = connection?.kind === 'canvas-rest' && connection.enforcesScopes
    ? { scope: CANVAS_CONVERSATIONS_SCOPE, grantsWithout: await grantsWithoutConversations(token.iss, token.clientId) } : undefined;
  const titles = new Map(await Promise.all([...new Set(failed.map((m) => m.courseKey))].map(async (key) => [key, (await findCourse(key))?.title ?? key] as const)));
  return {
    how,
    moodleSetup: lms === 'moodle',
    ...(canvasScope ? { canvasScope } : {}),
    maxAttempts: MAX_ATTEMPTS,
    failed: failed.map((m) => ({
      kind: m.kind, course: titles.get(m.courseKey) ?? m.courseKey, attempts: m.failures ?? m.attempts, failure: failureText(m.failure!, tr), at: m.failure!.at,
      ...(m.state === 'due' && m.nextAttemptAt ? { next: m.nextAttemptAt } : {}), givenUp: m.state === 'failed',
    })),
  };
}

/** Laurel's sentence in the page's language (English as recorded, else the catalogue's, else English). */
function failureText(p: InputProblem, tr: Translator): string {
  return tr.locale === 'en' ? p.message : tr.tOr(`messageFailure.${p.code}`, p.message, p.params);
}


/**
 * Grants Canvas still honours that cannot send conversations (messages/throughLms.ts does not try
 * them): given on a key without the scope, or before Laurel asked for it.
 */
async function grantsWithoutConversations(issuer: string, clientId: string): Promise<number> {
  return CanvasGrantModel.countDocuments({ issuer, clientId, refusedAt: { $exists: false }, scopes: { $ne: CANVAS_CONVERSATIONS_SCOPE } });
}
