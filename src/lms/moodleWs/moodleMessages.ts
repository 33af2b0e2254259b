/**
 * A private message to a Moodle user from the account of Laurel's token, through
 * core_message_send_instant_messages (moodle/moodle message/externallib.php, Moodle 4.5): Moodle
 * checks that messaging is on (`disabled` otherwise), then `moodle/site:sendmessage` in the system
 * context (a refusal like any other capability), then answers each message with its `msgid`, or
 * -1 and an `errormessage` (the user does not exist, the text is over 4,096 bytes, or the user
 * cannot be messaged by this account: Laurel's account shares no course with learners, so it needs
 * `moodle/site:messageanyuser` to bypass their privacy preference, core_message\api::can_contact_user).
 *
 * Optional: the connection's check (checkMoodleAccess.ts) does not ask for this function, so a
 * service without it reads courses as before and only Laurel's messages through Moodle fail.
 */
import { listOf, num, record, text } from '../read.js';
import type { MoodleWs } from './moodleWsApi.js';

export const MOODLE_MESSAGE_FUNCTION = 'core_message_send_instant_messages';
/** The capabilities sending needs, as the admin page lists them. */
export const MOODLE_MESSAGE_CAPABILITIES = ['moodle/site:sendmessage', 'moodle/site:messageanyuser'] as const;

/** FORMAT_MOODLE (lib/weblib.php): Moodle keeps the lines and makes the link a link. */
const FORMAT_MOODLE = 0;

/** Moodle answered the message with msgid -1: it did not deliver it, and said why. */
export class MoodleMessageRefused extends Error {
  override name = 'MoodleMessageRefused';
  constructor(readonly touserid: string, readonly moodleSaid: string) {
    super(`Moodle did not deliver the message to its user ${touserid}: ${moodleSaid}`);
  }
}

/** Sends `body` to Moodle user `touserid`; answers Moodle's message id. Moodle's refusals throw (MoodleWsError, MoodleMessageRefused). */
export async function sendMoodleMessage(ws: MoodleWs, touserid: string, body: string): Promise<number> {
  const answer = await ws.call(MOODLE_MESSAGE_FUNCTION, { 'messages[0][touserid]': touserid, 'messages[0][text]': body, 'messages[0][textformat]': FORMAT_MOODLE });
  const sent = record(listOf(answer, 'sent messages', `${ws.endpoint} (${MOODLE_MESSAGE_FUNCTION})`)[0]);
  const msgid = num(sent.msgid);
  if (msgid === undefined || msgid < 0) throw new MoodleMessageRefused(touserid, text(sent.errormessage) ?? 'no message id');
  return msgid;
}
