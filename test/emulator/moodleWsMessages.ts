/**
 * core_message_send_instant_messages as Moodle 4.5 runs it (moodle/moodle message/externallib.php,
 * send_instant_messages; lib/db/services.php declares it with capability moodle/site:sendmessage):
 * messaging off answers moodle_exception `disabled`; then require_capability('moodle/site:sendmessage')
 * in the system context; then each message is answered on its own, `msgid` when sent, else -1 and
 * an `errormessage` (lang/en/message.php): a user who does not exist (`touserdoesntexist`), a text
 * over 4,096 bytes (`errormessagetoolong`), or a user the account may not message
 * (`usercantbemessaged`: core_message\api::can_send_message, true for an account with
 * moodle/site:readallmessages or moodle/site:messageanyuser; otherwise the recipient's privacy
 * preference decides, and Laurel's account shares no course with anyone). What was sent is kept
 * for tests to read.
 */
import type { Platform } from './platform.js';
import { findUser } from './platform.js';
import type { WsArgs, WsCaller } from './moodleWs.js';
import { invalidParameter, moodleException, requiredCapability } from './moodleWsErrors.js';

export interface SentMoodleMessage { msgid: number; touserid: string; text: string; textformat: number; at: string }

/** core_message\api::MESSAGE_MAX_LENGTH, compared with strlen (bytes). */
const MESSAGE_MAX_LENGTH = 4096;
/** FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN (lib/weblib.php): what external_format_value accepts. */
const FORMATS = [0, 1, 2, 4];
/** The token account's own id on the emulated site (2 is the admin's on a fresh Moodle). */
const ACCOUNT_ID = 2;

const sent = new WeakMap<Platform, SentMoodleMessage[]>();
const messagingOff = new WeakSet<Platform>();

export function moodleMessagesOf(p: Platform): SentMoodleMessage[] {
  let list = sent.get(p);
  if (!list) sent.set(p, (list = []));
  return list;
}

/** $CFG->messaging: "Enable messaging system" (Site administration → General → Advanced features). */
export function setMoodleMessaging(p: Platform, on: boolean): void {
  if (on) messagingOff.delete(p);
  else messagingOff.add(p);
}

export function sendInstantMessages(p: Platform, args: WsArgs, caller: WsCaller): unknown {
  // The external API validates the parameters before the function runs.
  const messages = args.structs('messages').map((m, i) => {
    const int = (name: string, fallback?: number) => {
      const raw = m[name];
      if (raw === undefined) {
        if (fallback === undefined) throw invalidParameter(`messages => Invalid parameter value detected (${i} => Invalid parameter value detected (Missing required key in single structure: ${name}))`);
        return fallback;
      }
      if (!/^-?\d+$/.test(raw.trim())) throw invalidParameter(`messages => Invalid parameter value detected (${i} => Invalid parameter value detected (${name} => Invalid parameter value detected (Invalid external api parameter: the value is "${raw}", the server was expecting "int" type)))`);
      return Number(raw);
    };
    if (m.text === undefined) throw invalidParameter(`messages => Invalid parameter value detected (${i} => Invalid parameter value detected (Missing required key in single structure: text))`);
    const textformat = int('textformat', 0);
    if (!FORMATS.includes(textformat)) throw invalidParameter(`messages => Invalid parameter value detected (${i} => Invalid parameter value detected (textformat => Invalid parameter value detected (Invalid external api parameter: the value is "${textformat}", the server was expecting "int" type)))`);
    return { touserid: int('touserid'), text: m.text, textformat, clientmsgid: m.clientmsgid };
  });
  if (messagingOff.has(p)) throw moodleException('disabled', 'Messaging is disabled on this site');
  if (!caller.can('moodle/site:sendmessage')) throw requiredCapability('Send messages to any user');
  const bypassesPrivacy = caller.can('moodle/site:readallmessages') || caller.can('moodle/site:messageanyuser');
  const list = moodleMessagesOf(p);
  return messages.map((m) => {
    const out: Record<string, unknown> = m.clientmsgid === undefined ? {} : { clientmsgid: m.clientmsgid };
    const to = findUser(p, String(m.touserid));
    let error: string | undefined;
    if (!to || to.lmsId !== String(m.touserid)) error = `You cannot send a message to a user ID (${m.touserid}) that doesn't exist.`;
    else if (Buffer.byteLength(m.text) > MESSAGE_MAX_LENGTH) error = 'The message is longer than the maximum allowed.';
    else if (!bypassesPrivacy) error = 'You can\'t message this user due to their message preferences. Try adding them as a contact.';
    if (error) return { ...out, msgid: -1, errormessage: error, candeletemessagesforallusers: false };
    const message: SentMoodleMessage = { msgid: 500 + list.length, touserid: String(m.touserid), text: m.text, textformat: m.textformat, at: new Date().toISOString() };
    list.push(message);
    return {
      ...out, msgid: message.msgid, timecreated: Math.floor(Date.now() / 1000), candeletemessagesforallusers: caller.can('moodle/site:deleteanymessage'),
      conversationid: 100 + Number(m.touserid), useridfrom: ACCOUNT_ID, text: formatted(m.text, m.textformat),
    };
  });
}

/**
 * message_format_message_text (message/lib.php), as Moodle 4.5.6 answered Laurel's messages
 * (test/moodle/messages.test.ts): format_text with para off and blanktarget on
 * (lib/classes/formatting.php). FORMAT_MOODLE: text_to_html keeps the lines (nl2br, no div:
 * lib/weblib.php), filter_urltolink makes each URL a link of class _blanktarget
 * (filter/urltolink/classes/text_filter.php), then DOMDocument gives links target and rel, wraps
 * the text, in no element, in a <p>, and writes <br> as HTML. HTML as it is; anything else escaped
 * with its line breaks kept (FORMAT_PLAIN, FORMAT_MARKDOWN: not seen against Moodle).
 */
function formatted(text: string, format: number): string {
  if (format === 1) return text;
  if (format === 0) {
    const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const linked = escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}" class="_blanktarget" target="_blank" rel="noreferrer">${url}</a>`);
    return `<p>${linked.replace(/\n/g, '<br>\n')}</p>`;
  }
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return format === 2 ? escaped.replace(/\n/g, '<br />') : `<div class="text_to_html">${escaped.replace(/\n/g, '<br />\n')}</div>`;
}
