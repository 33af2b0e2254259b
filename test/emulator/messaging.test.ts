/**
 * The emulated LMSs' messaging, as Laurel's messages use it: Moodle's
 * core_message_send_instant_messages (moodle/moodle message/externallib.php, Moodle 4.5) and
 * Canvas's POST /api/v1/conversations (instructure/canvas-lms
 * app/controllers/conversations_controller.rb#create), their answers and their refusals; what was
 * sent is in the emulator's state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type SeedUser } from './index.js';

// Answers are read loosely: the assertions check their shape.
type Json = any;

describe('Moodle: core_message_send_instant_messages', () => {
  let emu: Emulator;
  const FN = 'core_message_send_instant_messages';

  async function ws(token: string, params: Record<string, string | number>): Promise<Json> {
    const res = await fetch(`${emu.url}/webservice/rest/server.php`, { method: 'POST', body: new URLSearchParams({ wstoken: token, wsfunction: FN, moodlewsrestformat: 'json', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) }) });
    expect(res.status).toBe(200);
    return res.json();
  }
  const message = (touserid: string, text: string, textformat = 0) => ({ 'messages[0][touserid]': touserid, 'messages[0][text]': text, 'messages[0][textformat]': textformat });
  const learner = () => emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;

  beforeAll(async () => { emu = await startEmulator({ flavour: 'moodle' }); });
  afterAll(async () => { await emu.close(); });

  it('sends a private message and answers its msgid, as a site administrator\'s account may; the message is in the emulator\'s state', async () => {
    const token = emu.moodleWsToken({ functions: [FN] });
    const body = await ws(token, { ...message(learner().lmsId, 'You earned a badge.\nhttps://laurel.test/verify/1'), 'messages[0][clientmsgid]': 'laurel-1' });
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ clientmsgid: 'laurel-1', useridfrom: 2, candeletemessagesforallusers: true });
    expect(body[0].msgid).toBeGreaterThan(0);
    // As Moodle 4.5.6 formats it (message_format_message_text; seen in test/moodle/messages.test.ts): a <p>, <br>, the URL a link.
    expect(body[0].text).toBe('<p>You earned a badge.<br>\n<a href="https://laurel.test/verify/1" class="_blanktarget" target="_blank" rel="noreferrer">https://laurel.test/verify/1</a></p>');
    expect(emu.moodleMessages.at(-1)).toMatchObject({ msgid: body[0].msgid, touserid: learner().lmsId, text: 'You earned a badge.\nhttps://laurel.test/verify/1', textformat: 0 });
  });

  it('refuses an account without moodle/site:sendmessage with the capability\'s description, and sends nothing', async () => {
    const before = emu.moodleMessages.length;
    const token = emu.moodleWsToken({ functions: [FN], capabilities: ['webservice/rest:use', 'moodle/site:messageanyuser'] });
    expect(await ws(token, message(learner().lmsId, 'hello'))).toEqual({
      exception: 'core\\exception\\required_capability_exception', errorcode: 'nopermissions',
      message: 'Sorry, but you do not currently have permissions to do that (Send messages to any user).',
    });
    expect(emu.moodleMessages).toHaveLength(before);
  });

  it('answers -1 and Moodle\'s errormessage per message: an unknown user, a text too long, a user the account may not message', async () => {
    const token = emu.moodleWsToken({ functions: [FN] });
    expect((await ws(token, message('99999', 'hello')))[0]).toMatchObject({ msgid: -1, errormessage: 'You cannot send a message to a user ID (99999) that doesn\'t exist.' });
    expect((await ws(token, message(learner().lmsId, 'x'.repeat(4097))))[0]).toMatchObject({ msgid: -1, errormessage: 'The message is longer than the maximum allowed.' });
    // Without moodle/site:messageanyuser (or readallmessages), the learner's privacy decides: the account shares no course with them.
    const plain = emu.moodleWsToken({ functions: [FN], capabilities: ['webservice/rest:use', 'moodle/site:sendmessage'] });
    expect((await ws(plain, message(learner().lmsId, 'hello')))[0]).toMatchObject({ msgid: -1, errormessage: 'You can\'t message this user due to their message preferences. Try adding them as a contact.' });
  });

  it('refuses a service without the function, invalid parameters, and a site with messaging off', async () => {
    const without = emu.moodleWsToken({ functions: ['core_course_get_contents'] });
    expect(await ws(without, message(learner().lmsId, 'hello'))).toMatchObject({ exception: 'webservice_access_exception', errorcode: 'accessexception' });
    const token = emu.moodleWsToken({ functions: [FN] });
    expect(await ws(token, { 'messages[0][text]': 'no one' })).toMatchObject({ errorcode: 'invalidparameter', debuginfo: expect.stringContaining('Missing required key in single structure: touserid') });
    expect(await ws(token, message(learner().lmsId, 'hello', 9))).toMatchObject({ errorcode: 'invalidparameter' });
    emu.moodleMessaging(false);
    try {
      expect(await ws(token, message(learner().lmsId, 'hello'))).toMatchObject({ exception: 'core\\exception\\moodle_exception', errorcode: 'disabled', message: 'Messaging is disabled on this site' });
    } finally {
      emu.moodleMessaging(true);
    }
  });
});

describe('Canvas: POST /api/v1/conversations', () => {
  let emu: Emulator;
  let teacher: SeedUser;
  const REDIRECT = 'https://tool.example/canvas/oauth';

  async function tokenFor(user: SeedUser, key = emu.canvasApiKey({ redirectUri: REDIRECT }), scopes?: string[]): Promise<string> {
    const auth = new URL('/login/oauth2/auth', emu.url);
    auth.search = new URLSearchParams({ client_id: key.clientId, response_type: 'code', redirect_uri: REDIRECT, user: user.lmsId, ...(scopes ? { scope: scopes.join(' ') } : {}) }).toString();
    const code = new URL((await fetch(auth, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const res = await fetch(`${emu.url}/login/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', client_id: key.clientId, client_secret: key.clientSecret, redirect_uri: REDIRECT, code }) });
    return ((await res.json()) as { access_token: string }).access_token;
  }
  function post(token: string, form: Record<string, string | string[]>): Promise<Response> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return fetch(`${emu.url}/api/v1/conversations`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
  }
  const learner = () => emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;

  beforeAll(async () => {
    emu = await startEmulator({ flavour: 'canvas' });
    teacher = emu.course.users.find((u) => u.role === 'Instructor')!;
  });
  afterAll(async () => { await emu.close(); });

  it('makes a conversation from the token\'s user to a learner of their course: 201 with the conversations made', async () => {
    const token = await tokenFor(teacher);
    const res = await post(token, { 'recipients[]': learner().lmsId, subject: 'You earned a badge', body: 'Its page: https://laurel.test/verify/1', force_new: 'true', group_conversation: 'false', context_code: `course_${emu.course.id}` });
    expect(res.status).toBe(201);
    const [made, ...more] = (await res.json()) as Json[];
    expect(more).toEqual([]);
    expect(made).toMatchObject({ subject: 'You earned a badge', message_count: 1, private: true, audience: [Number(learner().lmsId)], context_name: emu.course.title });
    expect(made.participants.map((p: Json) => String(p.id))).toEqual([teacher.lmsId, learner().lmsId]);
    expect(emu.canvasConversations.at(-1)).toMatchObject({ id: made.id, senderId: teacher.lmsId, recipientIds: [learner().lmsId], body: 'Its page: https://laurel.test/verify/1', forceNew: true, groupConversation: false, contextCode: `course_${emu.course.id}` });
    // A note to oneself is allowed (the instructors' digest may go to whoever connected Canvas).
    expect((await post(token, { 'recipients[]': teacher.lmsId, subject: 'Digest', body: 'Three awards wait' })).status).toBe(201);
  });

  it('answers 400 as render_error words it: no recipients, none the sender knows, no body, another course as context', async () => {
    const token = await tokenFor(teacher);
    const before = emu.canvasConversations.length;
    const refusal = async (form: Record<string, string>) => { const res = await post(token, form); return [res.status, await res.json()]; };
    expect(await refusal({ body: 'hello' })).toEqual([400, [{ attribute: 'recipients', message: 'blank' }]]);
    expect(await refusal({ 'recipients[]': '424242', body: 'hello' })).toEqual([400, [{ attribute: 'recipients', message: 'invalid' }]]);
    expect(await refusal({ 'recipients[]': learner().lmsId, body: ' ' })).toEqual([400, [{ attribute: 'body', message: 'blank' }]]);
    expect(await refusal({ 'recipients[]': learner().lmsId, body: 'hello', context_code: 'course_1' })).toEqual([400, [{ attribute: 'context_code', message: 'invalid' }]]);
    expect(emu.canvasConversations).toHaveLength(before);
  });

  it('refuses a token of a key that enforces scopes without url:POST|/api/v1/conversations (401), and takes one with it', async () => {
    const read = ['url:GET|/api/v1/courses/:course_id/assignments'];
    const key = emu.canvasApiKey({ redirectUri: REDIRECT, scopes: [...read, 'url:POST|/api/v1/conversations'] });
    const without = await post(await tokenFor(teacher, key, read), { 'recipients[]': learner().lmsId, body: 'hello' });
    expect(without.status).toBe(401);
    expect(await without.json()).toEqual({ errors: [{ message: 'Insufficient scopes on access token.' }] });
    const withScope = await post(await tokenFor(teacher, key, [...read, 'url:POST|/api/v1/conversations']), { 'recipients[]': learner().lmsId, body: 'hello' });
    expect(withScope.status).toBe(201);
    expect((await post('not-a-token', { 'recipients[]': learner().lmsId, body: 'hello' })).status).toBe(401);
  });
});
