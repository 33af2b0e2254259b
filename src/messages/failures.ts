/**
 * Why a message was not delivered, in Laurel's words for the administrator (the admin page, the
 * log): a stable code with its values, and the English sentence (the catalogues say it as
 * "messageFailure.<code>" in each language). Never an address, a name or a message body: what the
 * LMS or the SMTP server said is kept only once the person's address and name are taken out.
 */
import { inputProblem, type InputProblem } from '../inputProblem.js';

const ROLES = 'Site administration → Users → Permissions → Define roles';
const SERVICES = 'Site administration → Server → Web services → External services → Functions';

export const failures = {
  moodleCapability: (capability: string) => inputProblem('moodle.sendCapability',
    `Moodle refused to send Laurel's message: the Moodle account of Laurel's token lacks the capability ${capability}. A Moodle administrator allows it in that account's role (${ROLES}); Laurel tries again by itself.`, { capability }),
  /** Not a failure tried again: Moodle's messages are simply not set up for Laurel (kept on the message as why it was skipped, or went by e-mail). */
  moodleFunction: () => inputProblem('moodle.sendFunction',
    `Moodle refused core_message_send_instant_messages to Laurel's token: Laurel's external service lacks this function, so Laurel's messages through Moodle are not set up. A Moodle administrator who wants them adds it to the service (${SERVICES}).`),
  moodleMessagingOff: () => inputProblem('moodle.messagingOff',
    'Messaging is turned off on this Moodle site. A Moodle administrator ticks "Enable messaging system" (Site administration → General → Advanced features); Laurel tries again by itself.'),
  moodleRecipient: (user: string, said: string) => inputProblem('moodle.recipientRefused',
    `Moodle did not deliver the message to its user ${user} (Moodle said: ${said}). Where Moodle says the user cannot be messaged, a Moodle administrator allows moodle/site:messageanyuser in the role of Laurel's token account, which shares no course with learners.`, { user, said }),
  /** Laurel's grant for the course lacks the conversations scope (not asked, or not on the key when the instructor connected), or Canvas said so. */
  canvasScope: () => inputProblem('canvas.scope',
    'Laurel cannot send through Canvas conversations: the developer key enforces scopes, and the Canvas connection of this course\'s instructor does not carry url:POST|/api/v1/conversations, which sending needs. A Canvas administrator ticks that scope on Laurel\'s developer key (Admin → Developer Keys → the key → Edit), then an instructor clicks "Connect Canvas again" on Laurel\'s course page; or Laurel\'s operator sets SMTP_URL so that messages go by e-mail.'),
  canvasNoGrant: () => inputProblem('canvas.noGrant',
    'No instructor of the course has connected Canvas, so Laurel cannot send through Canvas: an instructor clicks "Connect Canvas" on Laurel\'s course page.'),
  canvasNoId: () => inputProblem('canvas.noCanvasId',
    'Laurel does not know this person\'s Canvas user id yet: Canvas sends it with each of their launches (canvas_user_id=$Canvas.user.id in Laurel\'s custom fields). The message goes once they have opened Laurel.'),
  canvasRecipient: (said: string) => inputProblem('canvas.recipientRefused',
    `Canvas refused the recipient of Laurel's message (Canvas said: ${said}): the Canvas user who connected Laurel for this course no longer shares it with them.`, { said }),
  lmsFailed: (why: string) => inputProblem('lms.failed', `The LMS did not take Laurel's message: ${why}`, { why }),
  emailFailed: (why: string) => inputProblem('email.failed', `The SMTP server did not take Laurel's e-mail: ${why}`, { why }),
  noAddress: () => inputProblem('email.noAddress',
    'Laurel knows no e-mail address for this person: the LMS shares none (its privacy settings), and the LMS\'s own messages did not take it.'),
  nowhere: () => inputProblem('nowhere', 'Laurel has nowhere to send it: the LMS API is not connected and SMTP_URL is not set.'),
};

/** Why a message was skipped (kept on it, not shown as a failure). */
export const skipped = {
  optedOut: () => inputProblem('skip.optedOut', 'The person turned Laurel\'s messages off.'),
  outdated: () => inputProblem('skip.outdated', 'The award changed since the event: nothing to tell any more.'),
  nothingWaiting: () => inputProblem('skip.nothingWaiting', 'No award waits for approval any more.'),
  noReminder: () => inputProblem('skip.noReminder', 'The credential has no end date, or expiry reminders are off (EXPIRY_REMINDER_DAYS=0).'),
};

/** What a person's address and names are replaced with in what an LMS or an SMTP server said. */
const HIDDEN = '[recipient]';

/** `said` without the address or names it may quote (an SMTP server's "550 <ada@school.edu> unknown"), one line, at most 300 characters. */
export function withoutPerson(said: string, person: readonly (string | undefined)[]): string {
  let out = said.replace(/\s+/g, ' ').trim();
  for (const p of person) {
    if (p && p.trim().length > 1) out = out.split(p.trim()).join(HIDDEN);
  }
  // Any other address it quotes (the sender's, a relay's) stays out of the record too.
  out = out.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, HIDDEN);
  return out.slice(0, 300);
}
