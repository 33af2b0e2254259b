/**
 * Issue 19 through the LMS's own messaging, where Laurel is connected to its API: Moodle's private
 * messages (core_message_send_instant_messages, from the account of Laurel's token) and Canvas
 * conversations (from the instructor whose grant reads the course, through a key that enforces scopes
 * only with the conversations scope), each read from the emulated LMS's state. When the LMS refuses (a capability missing, a scope the key does not give, a user it
 * will not message), the message is marked failed with Laurel's sentence saying who fixes it and
 * where, shown on the admin page, and tried again with backoff (1 minute, then 2…) until it goes
 * or is given up after the last attempt;
 * a Moodle service without the messaging function is Moodle's messages not set up (skipped, not a
 * failure); where an SMTP server is configured, it goes by e-mail instead and the LMS's refusal is
 * kept on it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { configureAnnouncements } from '../../src/awards/announce.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { Browser, connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { decodeEntities, htmlText } from '../support/html.js';
import { mailTo, testMailpit, uniqueAddress } from '../support/mailpit.js';
import type { Flavour, SeedUser } from '../emulator/index.js';
import { deliverDueMessages, MAX_ATTEMPTS, type Sender } from '../../src/messages/sender.js';
import { emailSender } from '../../src/messages/email.js';
import { connectCanvas, connectMoodle } from '../../src/store/lmsConnection.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';
import { MOODLE_ROLE_CAPABILITIES } from '../../src/lms/moodleWs/moodleCapabilities.js';
import { CANVAS_CONVERSATIONS_SCOPE, CANVAS_ITEMS_SCOPE, CANVAS_READ_SCOPES } from '../../src/lms/canvasRest/canvasOAuth.js';
import { CanvasGrantModel } from '../../src/store/canvasGrant.js';
import { canvasRedirectUri } from '../../src/lms/canvasRest/canvasRedirect.js';
import { awardsOf } from '../../src/store/award.js';
import { courseKeyOf } from '../../src/store/course.js';
import { OutboxModel } from '../../src/store/outbox.js';
import { createLogger } from '../../src/log.js';

const MINUTE = 60_000;
let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', MESSAGES_TICK_SECONDS: '0' }); });
afterAll(async () => { await laurel?.close(); });

const send = (now = new Date()) => deliverDueMessages(laurel.running.messageSender, now);
/** A sender as an instance with an SMTP server configured has one. */
const withEmail = (): Sender => ({ logger: createLogger('silent'), email: emailSender(testMailpit().smtpUrl, 'badges@school.test'), expiryReminderDays: 30 });

/** A course with Laurel launched by its instructor and by one learner, their addresses this file's own. */
async function course(flavour: Flavour) {
  const c = await connectEmulator(laurel, flavour);
  const tag = Math.random().toString(36).slice(2, 8);
  for (const u of c.emulator.course.users) u.email = uniqueAddress(u.email, tag);
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const learner = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
  const quiz1 = c.emulator.course.activities.find((a) => a.label === 'Quiz 1')!;
  c.emulator.course.results = c.emulator.course.results.filter((r) => !(r.userId === learner.id && r.lineItemId === quiz1.id));
  c.emulator.course.results.push({ userId: learner.id, lineItemId: quiz1.id, score: 8, scoreMaximum: 10, timestamp: new Date().toISOString() });
  const ltik = await launch(c, instructor);
  await launch(c, learner);
  const api = {
    get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
    post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
  };
  const courseKey = courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
  return { c, instructor, learner, ltik, api, courseKey };
}

async function launch(c: Connected, user: SeedUser): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

type Api = Awaited<ReturnType<typeof course>>['api'];

/** A badge on Quiz 1, evaluated: answers its id. */
async function awardBadge(api: Api, name: string, more: object = {}): Promise<string> {
  const quiz1 = ((await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Quiz 1')!;
  const created = await api.post('/api/course/badges', { name, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz1.id, percent: 10 }] }, ...more });
  expect(created.status).toBe(201);
  const location = (await api.post('/api/course/evaluations')).headers.location as string;
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    const job = (await api.get(location)).body;
    if (job.status === 'done') return created.body.id as string;
    if (job.status === 'failed') throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('evaluation did not finish');
}

/** The admin page's "Messages" section, as its text. */
async function messagesOnAdminPage(c: Connected, instructor: SeedUser): Promise<string> {
  instructor.siteAdmin = true;
  let ltik: string;
  try { ltik = await launch(c, instructor); } finally { instructor.siteAdmin = false; }
  const page = await request(laurel.url).get(`/admin?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
  expect(page.status).toBe(200);
  const html = page.text;
  return htmlText(decodeEntities(html.slice(html.indexOf('id="messages-heading"'), html.indexOf('</section>', html.indexOf('id="messages-heading"')))));
}

describe('through Moodle\'s messages, with its web services connected', () => {
  let s: Awaited<ReturnType<typeof course>>;
  let token: string;
  let badgeId: string;
  const award = async () => (await awardsOf(s.courseKey, { userId: s.learner.id, badgeId }))[0]!;

  beforeAll(async () => {
    s = await course('moodle');
    token = s.c.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS, 'core_message_send_instant_messages'] });
    await connectMoodle(s.c.emulator.issuer, s.c.clientId, { baseUrl: s.c.emulator.url, token }, 'admin');
  });
  afterAll(async () => { await s?.c.emulator.close(); });

  it('an award goes to its learner as a Moodle message, with the badge and its verification link', async () => {
    badgeId = await awardBadge(s.api, 'Moodle Star');
    await send();
    const mine = s.c.emulator.moodleMessages.filter((m) => m.touserid === s.learner.lmsId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.text).toMatch(/^You earned the badge “Moodle Star”\n\nHello,\n\nYou earned the badge “Moodle Star” in Introduction to Chemistry\./);
    expect(mine[0]!.text).toContain(`${laurel.url}/verify/${(await award()).id}`);
    expect(mine[0]!.textformat).toBe(0); // FORMAT_MOODLE: Moodle keeps the lines and makes the link a link
    expect(await OutboxModel.findById(`awarded ${(await award()).id}`).lean()).toMatchObject({ state: 'sent', channel: 'moodle' });
    expect(await mailTo(s.learner.email)).toEqual([]); // no SMTP server here: the LMS alone
  });

  it('a missing capability fails the message with what to grant, shown on the admin page, and it is tried again with backoff until it goes', async () => {
    s.c.emulator.changeMoodleWsToken(token, { capabilities: [...MOODLE_ROLE_CAPABILITIES, 'mod/lti:view', 'moodle/site:messageanyuser'] });
    const a = await award();
    expect((await s.api.post(`/api/course/awards/${a.id}/revoke`, { reason: 'Granted in error' })).status).toBe(200);
    const t0 = new Date();
    await send(t0);
    const key = `revoked ${a.id}`;
    let failed = (await OutboxModel.findById(key).lean())!;
    expect(failed).toMatchObject({ state: 'due', attempts: 1, failures: 1, failure: { code: 'moodle.sendCapability', params: { capability: 'moodle/site:sendmessage' } } });
    expect(failed.failure!.message).toBe('Moodle refused to send Laurel\'s message: the Moodle account of Laurel\'s token lacks the capability moodle/site:sendmessage. A Moodle administrator allows it in that account\'s role (Site administration → Users → Permissions → Define roles); Laurel tries again by itself.');
    expect(failed.nextAttemptAt!.getTime()).toBe(t0.getTime() + MINUTE);

    const page = await messagesOnAdminPage(s.c, s.instructor);
    expect(page).toContain('badge revoked');
    expect(page).toContain('lacks the capability moodle/site:sendmessage');
    expect(page).toContain('Introduction to Chemistry');
    expect(page).toContain('add core_message_send_instant_messages to Laurel\'s service, and allow moodle/site:sendmessage and moodle/site:messageanyuser');

    // Not before its time; then 2 minutes after the second failure.
    await send(new Date(t0.getTime() + 30_000));
    expect((await OutboxModel.findById(key).lean())!).toMatchObject({ attempts: 1, failures: 1 });
    const t1 = new Date(t0.getTime() + MINUTE);
    await send(t1);
    failed = (await OutboxModel.findById(key).lean())!;
    expect(failed).toMatchObject({ attempts: 2, failures: 2 });
    expect(failed.nextAttemptAt!.getTime()).toBe(t1.getTime() + 2 * MINUTE);

    // A Moodle administrator grants it: the next attempt goes.
    s.c.emulator.changeMoodleWsToken(token, { capabilities: undefined });
    await send(new Date(t1.getTime() + 2 * MINUTE));
    expect(await OutboxModel.findById(key).lean()).toMatchObject({ state: 'sent', channel: 'moodle' });
    const revoked = s.c.emulator.moodleMessages.filter((m) => m.touserid === s.learner.lmsId).at(-1)!;
    expect(revoked.text).toContain('The reason given: Granted in error');
    expect(await messagesOnAdminPage(s.c, s.instructor)).toContain('No message has failed.');
  });

  it('sends nothing through a service without the messaging function, Moodle\'s messages not being set up, and names what Moodle said of a user it would not message', async () => {
    s.c.emulator.changeMoodleWsToken(token, { functions: [...MOODLE_WS_FUNCTIONS] });
    const before = s.c.emulator.moodleMessages.length;
    const one = await awardBadge(s.api, 'Function Star');
    await send();
    const [first] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId: one });
    expect(await OutboxModel.findById(`awarded ${first!.id}`).lean()).toMatchObject({ state: 'skipped', note: { code: 'moodle.sendFunction' } });
    expect(s.c.emulator.moodleMessages).toHaveLength(before);
    expect(await messagesOnAdminPage(s.c, s.instructor)).toContain('No message has failed.'); // a choice, not a failure

    s.c.emulator.changeMoodleWsToken(token, { functions: [...MOODLE_WS_FUNCTIONS, 'core_message_send_instant_messages'], capabilities: [...MOODLE_ROLE_CAPABILITIES, 'mod/lti:view', 'moodle/site:sendmessage'] });
    const two = await awardBadge(s.api, 'Privacy Star');
    await send();
    const [second] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId: two });
    expect((await OutboxModel.findById(`awarded ${second!.id}`).lean())!.failure).toMatchObject({
      code: 'moodle.recipientRefused',
      params: { user: s.learner.lmsId, said: 'You can\'t message this user due to their message preferences. Try adding them as a contact.' },
    });
  });

  it('goes by e-mail instead where an SMTP server is configured, keeping Moodle\'s refusal on the message', async () => {
    s.c.emulator.changeMoodleWsToken(token, { functions: [...MOODLE_WS_FUNCTIONS] });
    const three = await awardBadge(s.api, 'Elsewhere Star');
    const before = s.c.emulator.moodleMessages.length;
    const sender = withEmail();
    await deliverDueMessages(sender, new Date(Date.now() + 10 * MINUTE));
    sender.email!.close();
    expect(s.c.emulator.moodleMessages).toHaveLength(before);
    const subjects = (await mailTo(s.learner.email)).map((m) => m.Subject);
    expect(subjects.sort()).toEqual(['You earned the badge “Elsewhere Star”', 'You earned the badge “Privacy Star”']);
    const badgeIds = new Map(((await s.api.get('/api/course/badges')).body.badges as { id: string; name: string }[]).map((b) => [b.name, b.id]));
    const [privacy] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId: badgeIds.get('Privacy Star')! });
    const [elsewhere] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId: three });
    // What Moodle said at the attempt that went by e-mail: its service no longer has the function.
    expect(await OutboxModel.findById(`awarded ${privacy!.id}`).lean()).toMatchObject({ state: 'sent', channel: 'email', note: { code: 'moodle.sendFunction' } });
    expect(await OutboxModel.findById(`awarded ${elsewhere!.id}`).lean()).toMatchObject({ state: 'sent', channel: 'email', note: { code: 'moodle.sendFunction' } });
  });
});

describe('through Canvas conversations, with its API connected', () => {
  let s: Awaited<ReturnType<typeof course>>;
  let badgeId: string;

  /**
   * "Connect Canvas" in one browser: Laurel → Canvas's authorize page (told who signs in) → Laurel's callback, again while
   * Laurel sends it back to Canvas (a refused optional scope). Answers the scopes of each authorize request.
   */
  async function grant(): Promise<string[][]> {
    const browser = new Browser();
    const asked: string[][] = [];
    let res = await browser.go('get', `${laurel.url}/course/lms/canvas/connect?ltik=${encodeURIComponent(s.ltik)}`);
    for (let hops = 0; hops < 3 && res.status === 303; hops++) {
      const authorize = new URL(res.headers.location);
      asked.push(authorize.searchParams.get('scope')?.split(' ') ?? []);
      authorize.searchParams.set('user', s.instructor.lmsId);
      res = await browser.go('get', (await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    }
    expect(res.status).toBe(200);
    expect(htmlText(res.text)).toContain('Canvas is connected');
    return asked;
  }

  /** The answers to Laurel's conversations since the emulator's `from`th request. */
  const conversationsTried = (from: number) => s.c.emulator.requests.slice(from).filter((r) => r.method === 'POST' && r.path === '/api/v1/conversations').map((r) => ({ status: r.status }));

  beforeAll(async () => {
    s = await course('canvas');
    const key = s.c.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url) });
    await connectCanvas(s.c.emulator.issuer, s.c.clientId, { baseUrl: s.c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: false }, 'admin');
    await grant();
  });
  afterAll(async () => { await s?.c.emulator.close(); });

  it('an award goes to its learner as a conversation from the instructor who connected Canvas, in the course', async () => {
    badgeId = await awardBadge(s.api, 'Canvas Star');
    await send();
    const [sent, ...more] = s.c.emulator.canvasConversations.filter((m) => m.recipientIds.includes(s.learner.lmsId));
    expect(more).toEqual([]);
    const [a] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId });
    expect(sent).toMatchObject({ senderId: s.instructor.lmsId, recipientIds: [s.learner.lmsId], subject: 'You earned the badge “Canvas Star”', forceNew: true, groupConversation: false, contextCode: `course_${s.c.emulator.course.id}` });
    expect(sent!.body).toContain(`${laurel.url}/verify/${a!.id}`);
    expect(await OutboxModel.findById(`awarded ${a!.id}`).lean()).toMatchObject({ state: 'sent', channel: 'canvas' });
  });

  it('a learner whose Canvas id Laurel has not learnt yet is not sent to, and is told once they open Laurel', async () => {
    const a = (await awardsOf(s.courseKey, { badgeId })).find((x) => x.userId !== s.learner.id)!;
    const other = s.c.emulator.course.users.find((u) => u.id === a.userId)!;
    expect((await OutboxModel.findById(`awarded ${a.id}`).lean())!.failure).toMatchObject({ code: 'canvas.noCanvasId' });
    await launch(s.c, other);
    await send(new Date(Date.now() + 2 * MINUTE));
    expect(s.c.emulator.canvasConversations.filter((m) => m.recipientIds.includes(other.lmsId))).toHaveLength(1);

    // Someone who never opens Laurel: given up after the last attempt, and the admin page says so.
    const never = (await awardsOf(s.courseKey, { badgeId })).find((x) => x.userId !== s.learner.id && x.userId !== other.id)!;
    const key = `awarded ${never.id}`;
    await OutboxModel.updateOne({ _id: key }, { $set: { failures: MAX_ATTEMPTS - 1, nextAttemptAt: new Date() } });
    await send();
    expect(await OutboxModel.findById(key).lean()).toMatchObject({ state: 'failed', failures: MAX_ATTEMPTS, failure: { code: 'canvas.noCanvasId' } });
    expect(await messagesOnAdminPage(s.c, s.instructor)).toContain('given up');
  });

  it('the instructors\' digest goes to them in Canvas too', async () => {
    await awardBadge(s.api, 'Canvas Honours', { issueMode: 'approval' });
    await send(new Date(Date.now() + 16 * MINUTE));
    const digest = s.c.emulator.canvasConversations.filter((m) => m.recipientIds.includes(s.instructor.lmsId)).at(-1)!;
    expect(digest.subject).toMatch(/^\d+ awards? waits? for your approval in Introduction to Chemistry$/);
    expect(digest.body).toContain('- Canvas Honours: ');
  });

  it('a key that enforces scopes without the conversations scope: the instructor connects in two requests, no conversation is tried, and the message fails saying what to do, or goes by e-mail where SMTP is set', async () => {
    // The administrator replaces the key with one enforcing Laurel's read scopes and the module items one, not the
    // conversations one: Canvas refuses Laurel's first request naming it, and Laurel asks again without it.
    const key = s.c.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url), scopes: [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE] });
    await connectCanvas(s.c.emulator.issuer, s.c.clientId, { baseUrl: s.c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: true }, 'admin');
    expect(await grant()).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE], [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE]]);
    const [a] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId });
    expect((await s.api.post(`/api/course/awards/${a!.id}/revoke`, { reason: 'Duplicate' })).status).toBe(200);
    const before = s.c.emulator.requests.length;
    await send();
    const failed = (await OutboxModel.findById(`revoked ${a!.id}`).lean())!;
    expect(failed).toMatchObject({ state: 'due', failure: { code: 'canvas.scope' } });
    expect(failed.failure!.message).toBe('Laurel cannot send through Canvas conversations: the developer key enforces scopes, and the Canvas connection of this course\'s instructor does not carry url:POST|/api/v1/conversations, which sending needs. A Canvas administrator ticks that scope on Laurel\'s developer key (Admin → Developer Keys → the key → Edit), then an instructor clicks "Connect Canvas again" on Laurel\'s course page; or Laurel\'s operator sets SMTP_URL so that messages go by e-mail.');
    expect(conversationsTried(before)).toEqual([]);
    const page = await messagesOnAdminPage(s.c, s.instructor);
    expect(page).toContain('Laurel cannot send through Canvas conversations: the developer key enforces scopes');
    expect(page).toContain('Laurel\'s Canvas developer key enforces scopes: for Canvas conversations, tick url:POST|/api/v1/conversations on it.');
    expect(page).toContain('1 instructor\'s Canvas connection does not carry it (given before the key had it, or before Laurel asked for it): once the scope is ticked on the key, they click "Connect Canvas again" on Laurel\'s course page.');

    const sender = withEmail();
    await deliverDueMessages(sender, new Date(Date.now() + 2 * MINUTE));
    sender.email!.close();
    expect((await mailTo(s.learner.email)).map((m) => m.Subject)).toEqual(['Your badge “Canvas Star” was revoked']);
    expect(await OutboxModel.findById(`revoked ${a!.id}`).lean()).toMatchObject({ state: 'sent', channel: 'email', note: { code: 'canvas.scope' } });
    expect(conversationsTried(before)).toEqual([]);
  });

  it('a key that enforces scopes with the conversations scope ticked: the instructor connects in one request, and an award goes to its learner as a conversation', async () => {
    const key = s.c.emulator.canvasApiKey({ redirectUri: canvasRedirectUri(laurel.url), scopes: [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE] });
    await connectCanvas(s.c.emulator.issuer, s.c.clientId, { baseUrl: s.c.emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: true }, 'admin');
    expect(await grant()).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE]]);
    const scoped = await awardBadge(s.api, 'Scoped Star');
    const [a] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId: scoped });
    const before = s.c.emulator.requests.length;
    await send(new Date(Date.now() + 2 * MINUTE));
    expect(conversationsTried(before)).toContainEqual({ status: 201 });
    const sent = s.c.emulator.canvasConversations.filter((m) => m.recipientIds.includes(s.learner.lmsId)).at(-1)!;
    expect(sent).toMatchObject({ senderId: s.instructor.lmsId, subject: 'You earned the badge “Scoped Star”', contextCode: `course_${s.c.emulator.course.id}` });
    expect(sent.body).toContain(`${laurel.url}/verify/${a!.id}`);
    expect(await OutboxModel.findById(`awarded ${a!.id}`).lean()).toMatchObject({ state: 'sent', channel: 'canvas' });
    const page = await messagesOnAdminPage(s.c, s.instructor);
    expect(page).toContain('for Canvas conversations, tick url:POST|/api/v1/conversations on it');
    expect(page).not.toContain('does not carry it');
  });

  it('a grant given before Laurel asked for the conversations scope is not tried: the admin page and the course page say to connect Canvas again, and once the instructor does, messages go through Canvas', async () => {
    // As Laurel recorded a grant before it asked for the scope: the read scopes and the module items one.
    await CanvasGrantModel.updateOne({ issuer: s.c.emulator.issuer, clientId: s.c.clientId, userId: s.instructor.id }, { $set: { scopes: [...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE] } });
    const older = await awardBadge(s.api, 'Older Star');
    const [a] = await awardsOf(s.courseKey, { userId: s.learner.id, badgeId: older });
    const before = s.c.emulator.requests.length;
    const t0 = new Date(Date.now() + 4 * MINUTE);
    await send(t0);
    expect((await OutboxModel.findById(`awarded ${a!.id}`).lean())!.failure).toMatchObject({ code: 'canvas.scope' });
    expect(conversationsTried(before)).toEqual([]);
    expect(await messagesOnAdminPage(s.c, s.instructor)).toContain('1 instructor\'s Canvas connection does not carry it');
    const dashboard = await request(laurel.url).get(`/course?ltik=${encodeURIComponent(s.ltik)}`).set('Accept', 'text/html');
    expect(htmlText(decodeEntities(dashboard.text))).toContain('Your Canvas connection does not let Laurel send its messages to learners as Canvas conversations (url:POST|/api/v1/conversations)');
    expect(dashboard.text).toContain('Connect Canvas again');
    // Where Laurel sends e-mail, learners are told anyway: the course page does not ask.
    configureAnnouncements({ email: true, expiryReminderDays: 30 });
    try {
      const withEmail = await request(laurel.url).get(`/course?ltik=${encodeURIComponent(s.ltik)}`).set('Accept', 'text/html');
      expect(htmlText(decodeEntities(withEmail.text))).not.toContain('Your Canvas connection does not let Laurel send its messages');
    } finally {
      configureAnnouncements({ email: false, expiryReminderDays: 30 });
    }

    expect(await grant()).toEqual([[...CANVAS_READ_SCOPES, CANVAS_ITEMS_SCOPE, CANVAS_CONVERSATIONS_SCOPE]]);
    await send(new Date(t0.getTime() + 2 * MINUTE));
    expect(await OutboxModel.findById(`awarded ${a!.id}`).lean()).toMatchObject({ state: 'sent', channel: 'canvas' });
    expect(s.c.emulator.canvasConversations.filter((m) => m.recipientIds.includes(s.learner.lmsId)).at(-1)!.subject).toBe('You earned the badge “Older Star”');
    expect(await messagesOnAdminPage(s.c, s.instructor)).not.toContain('does not carry it');
    expect((await request(laurel.url).get(`/course?ltik=${encodeURIComponent(s.ltik)}`).set('Accept', 'text/html')).text).not.toContain('Connect Canvas again');
  });
});
