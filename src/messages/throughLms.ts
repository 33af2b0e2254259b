/**
 * A message through the LMS's own messaging, where the platform's API is connected: Moodle's
 * private messages from the account of Laurel's token (lms/moodleWs/moodleMessages.ts), or a
 * Canvas conversation from the instructor whose grant reads the course
 * (lms/canvasRest/canvasConversations.ts), when that grant carries the conversations scope of a key
 * that enforces scopes (lms/canvasRest/canvasOAuth.ts). A refusal becomes a MessageFailure in Laurel's words,
 * saying who fixes it and where.
 */
import type { InputProblem } from '../inputProblem.js';
import type { CourseRecord } from '../store/course.js';
import { connectionSecrets, type LmsConnection } from '../store/lmsConnection.js';
import { lmsUserIdOf } from '../store/lmsUser.js';
import { LmsError } from '../lms/errors.js';
import type { Transport } from '../lms/http.js';
import { lmsClientFor } from '../lms/forCourse.js';
import { MoodleWs, MoodleWsError } from '../lms/moodleWs/moodleWsApi.js';
import { MoodleMessageRefused, sendMoodleMessage } from '../lms/moodleWs/moodleMessages.js';
import { isInsufficientScope, sendCanvasConversation } from '../lms/canvasRest/canvasConversations.js';
import { canvasApiFor } from '../lms/sources/readLmsApi.js';
import { scopesSendConversations } from '../lms/canvasRest/canvasOAuth.js';
import type { ComposedMessage } from './compose.js';
import { failures, withoutPerson } from './failures.js';
import type { MessageChannel } from '../store/outbox.js';

/**
 * A message the LMS did not take, and why in Laurel's words. `notSetUp`: the LMS's messaging is not
 * set up for Laurel at all (Moodle's service without the messaging function: an administrator who
 * connected the web services to read grades only), which is no failure to try again.
 */
export class MessageFailure extends Error {
  constructor(readonly problem: InputProblem, readonly notSetUp = false) { super(problem.message); }
}

/** Moodle counts a message's bytes and refuses past 4,096 (core_message\api::MESSAGE_MAX_LENGTH). */
const MOODLE_MAX_BYTES = 4000;

export async function sendThroughLms(connection: LmsConnection, course: CourseRecord, userId: string, m: ComposedMessage, o: { transport: Transport; names: string[] }): Promise<MessageChannel> {
  if (connection.kind === 'moodle-ws') {
    await throughMoodle(connection, userId, m, o);
    return 'moodle';
  }
  await throughCanvas(connection, course, userId, m, o);
  return 'canvas';
}

async function throughMoodle(connection: LmsConnection, userId: string, m: ComposedMessage, o: { transport: Transport; names: string[] }): Promise<void> {
  // Moodle's LTI user id is its own user id; its private messages have no subject.
  const ws = new MoodleWs(connection.baseUrl, connectionSecrets(connection).token!, o.transport);
  try {
    await sendMoodleMessage(ws, userId, fitted(`${m.subject}\n\n${m.text}`, MOODLE_MAX_BYTES));
  } catch (err) {
    if (err instanceof MoodleMessageRefused) throw new MessageFailure(failures.moodleRecipient(err.touserid, withoutPerson(err.moodleSaid, o.names)));
    if (err instanceof MoodleWsError) {
      if (err.capability) throw new MessageFailure(failures.moodleCapability(err.capability));
      // Moodle checks that the service has the function before any capability: without it, Laurel's messages were never set up there.
      if (err.errorcode === 'accessexception') throw new MessageFailure(failures.moodleFunction(), true);
      if (err.errorcode === 'disabled') throw new MessageFailure(failures.moodleMessagingOff());
      throw new MessageFailure(failures.lmsFailed(err.problem.message));
    }
    if (err instanceof LmsError) throw new MessageFailure(failures.lmsFailed(err.message));
    throw err;
  }
}

async function throughCanvas(connection: LmsConnection, course: CourseRecord, userId: string, m: ComposedMessage, o: { transport: Transport; names: string[] }): Promise<void> {
  const found = await canvasApiFor(course, connection, {
    transport: o.transport,
    roster: async () => (course.membershipsUrl ? (await lmsClientFor(course)).members(course.membershipsUrl) : []),
  });
  if (typeof found === 'string') throw new MessageFailure(failures.canvasNoGrant());
  // A grant of a key that enforces scopes, given without the conversations scope: Canvas would refuse it, so it is not tried
  // (the message goes by e-mail where it can), and waiting for the learner's Canvas id would not help either.
  if (!scopesSendConversations(Boolean(connection.enforcesScopes), found.grant.scopes)) throw new MessageFailure(failures.canvasScope());
  const canvasId = await lmsUserIdOf(course.issuer, course.clientId, userId);
  if (!canvasId) throw new MessageFailure(failures.canvasNoId());
  try {
    await sendCanvasConversation(found.api, { recipient: canvasId, subject: m.subject, body: m.text, courseId: course.lmsCourseId });
  } catch (err) {
    if (isInsufficientScope(err)) throw new MessageFailure(failures.canvasScope());
    if (err instanceof LmsError && err.status === 400) throw new MessageFailure(failures.canvasRecipient(withoutPerson(saidIn(err.message), o.names)));
    if (err instanceof LmsError) throw new MessageFailure(failures.lmsFailed(withoutPerson(err.message, o.names)));
    throw err;
  }
}

/** What the LMS said, from an LmsError's "… answered 400 (said)". */
function saidIn(message: string): string {
  return /answered \d+ \((.*)\)/.exec(message)?.[1] ?? message;
}

/** At most `max` bytes of UTF-8, cut at a line where it can be, and marked as cut. */
function fitted(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let cut = text;
  while (Buffer.byteLength(`${cut}\n…`) > max) cut = cut.slice(0, cut.lastIndexOf('\n') > 0 ? cut.lastIndexOf('\n') : cut.length - 100);
  return `${cut}\n…`;
}
