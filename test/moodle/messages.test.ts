/**
 * Laurel's messages through the real Moodle 4.5.6 (issue 19): an award in a course goes through
 * Laurel's outbox and sender to core_message_send_instant_messages with the token seed.php gives
 * Laurel's account (the function in its service, moodle/site:sendmessage and
 * moodle/site:messageanyuser in its role, as Laurel's admin page asks), and the learner finds it in
 * Moodle's own tables, from that account, with the words Laurel composed. Then Moodle's refusals
 * (a service without the function, an account lacking either capability, an unknown user,
 * messaging turned off site-wide), each met by Laurel's sending code against Moodle and against
 * the emulator's Moodle flavour: Moodle's answers and Laurel's failure in its own words must be
 * the same on both. Where they differ the real Moodle is right (message/externallib.php
 * send_instant_messages, message/classes/api.php can_send_message, can_contact_user).
 * The course and the LTI launches are the emulator's, its learner given learner1's Moodle id: the
 * outbox addresses a message by the LTI user id, which Moodle's is (mod/lti/locallib.php).
 * scripts/moodle/messages.php makes the accounts lacking a capability, turns messaging off and on,
 * and reads what a user received. Run by npm run test:moodle (scripts/moodle/e2e.sh).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import type { SeedCourse, SeedUser } from '../emulator/index.js';
import { deliverDueMessages } from '../../src/messages/sender.js';
import { sendThroughLms, MessageFailure } from '../../src/messages/throughLms.js';
import { composeMessage } from '../../src/messages/compose.js';
import { translator } from '../../src/i18n/translate.js';
import { connectMoodle, lmsConnectionOf } from '../../src/store/lmsConnection.js';
import { newTransport } from '../../src/lms/http.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';
import { MOODLE_MESSAGE_CAPABILITIES, MOODLE_MESSAGE_FUNCTION } from '../../src/lms/moodleWs/moodleMessages.js';
import { awardsOf } from '../../src/store/award.js';
import { OutboxModel } from '../../src/store/outbox.js';
import { courseKeyOf } from '../../src/store/course.js';
import type { CourseRecord } from '../../src/store/course.js';
import { messagesPhp, moodleSite, receivedBy, type Seed } from './moodle.js';

const READ_CAPABILITIES = ['webservice/rest:use', 'moodle/grade:viewall', 'gradereport/user:view', 'report/progress:view',
  'moodle/course:view', 'moodle/user:viewdetails', 'moodle/course:enrolreview', 'mod/assign:view', 'mod/lti:view'];

interface Accounts { accounts: Record<'all' | 'function' | 'moodle/site:sendmessage' | 'moodle/site:messageanyuser', { id: number; token: string; service: string }> }
type Lacking = keyof Accounts['accounts'];

const messaging = (on: boolean) => messagesPhp(`--messaging=${on ? 1 : 0}`);

/** Gives `user` the id `id` in the emulated course, swapping with whoever had it. */
function giveId(course: SeedCourse, user: SeedUser, id: string): void {
  const old = user.id;
  const other = course.users.find((u) => u !== user && (u.id === id || u.lmsId === id));
  const swap = (v: string) => (v === old ? id : v === id ? old : v);
  for (const r of course.results) r.userId = swap(r.userId);
  for (const c of course.completions) c.userId = swap(c.userId);
  if (other) { other.id = old; other.lmsId = old; }
  user.id = id;
  user.lmsId = id;
}

let seed: Seed;
let laurel: RunningLaurel;
let c: Connected;
let learner: SeedUser;
let accounts: Accounts;
let moodleUrl: string;

beforeAll(async () => {
  seed = moodleSite.seed;
  moodleUrl = seed.moodleUrl;
  const out = `${process.env.LAUREL_MOODLE_DIR ?? '/var/tmp/laurel-moodle'}/messages.json`;
  messagesPhp(`--setup --out=${out}`);
  accounts = JSON.parse(readFileSync(out, 'utf8')) as Accounts;
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', MESSAGES_TICK_SECONDS: '0' });
  c = await connectEmulator(laurel, 'moodle');
  learner = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
  giveId(c.emulator.course, learner, String(seed.learners[0]!.id));
});

afterAll(async () => {
  messaging(true);
  await c?.emulator.close();
  await laurel?.close();
});

async function launch(user: SeedUser): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

describe('Laurel\'s messages through the real Moodle 4.5.6', () => {
  it('an award goes through Laurel\'s outbox and sender to Moodle with the seeded token; learner1 has it in Moodle, from Laurel\'s account, in Laurel\'s words', async () => {
    // What the seed gives Laurel's account is what Laurel's admin page asks for.
    expect(seed.webService.messageFunctions).toEqual([MOODLE_MESSAGE_FUNCTION]);
    expect(seed.webService.messageCapabilities).toEqual([...MOODLE_MESSAGE_CAPABILITIES]);
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const quiz1 = c.emulator.course.activities.find((a) => a.label === 'Quiz 1')!;
    c.emulator.course.results = c.emulator.course.results.filter((r) => !(r.userId === learner.id && r.lineItemId === quiz1.id));
    c.emulator.course.results.push({ userId: learner.id, lineItemId: quiz1.id, score: 8, scoreMaximum: 10, timestamp: new Date().toISOString() });
    // Laurel enqueues messages only where it can send them: its web services connected. The course
    // is the emulator's, so they read it first; the real Moodle's token takes over before sending.
    await connectMoodle(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, token: emulatorToken('all') }, 'admin');
    const ltik = await launch(instructor);
    await launch(learner);
    const api = {
      get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
      post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
    };
    const item = ((await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Quiz 1')!;
    const badgeName = `Moodle laurel ${Date.now().toString(36)}`;
    const created = await api.post('/api/course/badges', { name: badgeName, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: item.id, percent: 10 }] } });
    expect(created.status).toBe(201);
    const location = (await api.post('/api/course/evaluations')).headers.location as string;
    for (const deadline = Date.now() + 50_000; (await api.get(location)).body.status !== 'done';) {
      if (Date.now() > deadline) throw new Error('evaluation did not finish');
      await new Promise((r) => setTimeout(r, 100));
    }
    const courseKey = courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
    const award = (await awardsOf(courseKey, { userId: learner.id, badgeId: created.body.id as string }))[0]!;
    expect(award.status).toBe('awarded');

    // The administrator connects the real Moodle's web services with the seed's token.
    await connectMoodle(c.emulator.issuer, c.clientId, { baseUrl: moodleUrl, token: seed.webService.token }, 'admin');
    const before = new Set(receivedBy(seed.learners[0]!.id).map((m) => m.id));
    const outboxId = `awarded ${award.id}`;
    for (const deadline = Date.now() + 30_000; ;) {
      await deliverDueMessages(laurel.running.messageSender);
      const state = (await OutboxModel.findById(outboxId).lean())?.state;
      if (state !== 'due' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await OutboxModel.findById(outboxId).lean()).toMatchObject({ state: 'sent', channel: 'moodle' });

    const got = receivedBy(seed.learners[0]!.id).filter((m) => !before.has(m.id));
    expect(got).toHaveLength(1);
    const [m] = got;
    expect(m).toMatchObject({ useridfrom: seed.webService.user.id, conversationtype: 1, fullmessageformat: 0 }); // an individual conversation; FORMAT_MOODLE
    expect(m!.fullmessage).toMatch(new RegExp(`^You earned the badge “${badgeName}”\\n\\nHello,\\n\\nYou earned the badge “${badgeName}” in ${c.emulator.course.title}\\.`));
    expect(m!.fullmessage).toContain(`${laurel.url}/verify/${award.id}`);
    expect(m!.smallmessage).toBe(m!.fullmessage);
  });
});

/** One side's account for a case: Moodle's token, or the emulator's with the same functions and capabilities. */
function emulatorToken(lacking: Lacking): string {
  const functions = lacking === 'function' ? [...MOODLE_WS_FUNCTIONS] : [...MOODLE_WS_FUNCTIONS, MOODLE_MESSAGE_FUNCTION];
  const capabilities = [...READ_CAPABILITIES, ...MOODLE_MESSAGE_CAPABILITIES].filter((cap) => cap !== lacking);
  return c.emulator.moodleWsToken({ functions, capabilities });
}

interface Seen { answer: unknown; laurel: unknown }

/** What Moodle answers to the call, ids and times put aside, and what Laurel's sending code makes of it. */
async function observe(side: 'moodle' | 'emulator', lacking: Lacking, touserid: string): Promise<Seen> {
  const base = side === 'moodle' ? moodleUrl : c.emulator.url;
  const token = side === 'moodle' ? accounts.accounts[lacking].token : emulatorToken(lacking);
  // What Laurel sends for an award (throughLms.ts: its subject, a blank line, its text).
  const composed = composeMessage({ kind: 'awarded', badge: 'Contract badge', course: 'Contract course', link: 'https://laurel.test/verify/contract' }, translator('en'));
  const text = `${composed.subject}\n\n${composed.text}`;
  const res = await fetch(`${base}/webservice/rest/server.php`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({
    wstoken: token, wsfunction: MOODLE_MESSAGE_FUNCTION, moodlewsrestformat: 'json', 'messages[0][touserid]': touserid, 'messages[0][text]': text, 'messages[0][textformat]': '0',
  }) });
  const body = await res.json() as Record<string, unknown> | Record<string, unknown>[];
  const answer = Array.isArray(body)
    ? body.map((m) => ({ ...m, ...(typeof m.msgid === 'number' && m.msgid > 0 ? { msgid: '{id}' } : {}), ...('timecreated' in m ? { timecreated: '{time}' } : {}),
      ...('conversationid' in m ? { conversationid: '{conversation}' } : {}), ...('useridfrom' in m ? { useridfrom: '{account}' } : {}) }))
    : { status: res.status, exception: body.exception, errorcode: body.errorcode, message: body.message };
  // Laurel's own path: the connection as stored, its sending code, its failure in its words.
  const issuer = `https://${side}.messages.contract`;
  const clientId = `${lacking}-${touserid}`;
  await connectMoodle(issuer, clientId, { baseUrl: base, token }, 'admin');
  let laurelSaw: unknown;
  try {
    // The course record is read only for Canvas: a Moodle message goes by the user's id alone.
    laurelSaw = { sent: await sendThroughLms((await lmsConnectionOf(issuer, clientId))!, {} as CourseRecord, touserid, composed, { transport: newTransport(), names: [] }) };
  } catch (err) {
    if (!(err instanceof MessageFailure)) throw err;
    laurelSaw = { failed: err.problem.code, params: err.problem.params, notSetUp: err.notSetUp, message: err.problem.message };
  }
  return { answer, laurel: laurelSaw };
}

async function both(lacking: Lacking, touserid: string): Promise<{ moodle: Seen; emulator: Seen }> {
  return { moodle: await observe('moodle', lacking, touserid), emulator: await observe('emulator', lacking, touserid) };
}

describe('Moodle\'s refusals of Laurel\'s messages, the real Moodle and the emulator alike, and Laurel\'s words for each', () => {
  it('an account with both capabilities, its service with the function: sent, the answer as Moodle formats it (message/externallib.php, message_format_message_text)', async () => {
    const seen = await both('all', learner.lmsId);
    expect(seen.emulator).toEqual(seen.moodle);
    expect(seen.moodle.laurel).toEqual({ sent: 'moodle' });
  });

  it('a service without core_message_send_instant_messages: Moodle refuses the function; Laurel says its messages through Moodle are not set up (webservice/lib.php)', async () => {
    const seen = await both('function', learner.lmsId);
    expect(seen.emulator).toEqual(seen.moodle);
    expect(seen.moodle.laurel).toMatchObject({ failed: 'moodle.sendFunction', notSetUp: true });
  });

  it('an account without moodle/site:messageanyuser: Moodle answers -1 for the learner, who shares no course with it; Laurel names the capability to allow (message/classes/api.php can_contact_user)', async () => {
    const seen = await both('moodle/site:messageanyuser', learner.lmsId);
    expect(seen.emulator).toEqual(seen.moodle);
    expect(seen.moodle.laurel).toMatchObject({ failed: 'moodle.recipientRefused', notSetUp: false });
    expect(seen.moodle.answer).toMatchObject([{ msgid: -1, errormessage: 'You can\'t message this user due to their message preferences. Try adding them as a contact.' }]);
  });

  it('an account whose role prohibits moodle/site:sendmessage (every authenticated user has it otherwise): Moodle refuses; Laurel names the capability (require_capability)', async () => {
    const seen = await both('moodle/site:sendmessage', learner.lmsId);
    expect(seen.emulator).toEqual(seen.moodle);
    expect(seen.moodle.laurel).toMatchObject({ failed: 'moodle.sendCapability', params: { capability: 'moodle/site:sendmessage' } });
  });

  it('a Moodle user id that does not exist: -1 and Moodle\'s words; Laurel keeps them as the recipient refused', async () => {
    const seen = await both('all', '987654');
    expect(seen.emulator).toEqual(seen.moodle);
    expect(seen.moodle.laurel).toMatchObject({ failed: 'moodle.recipientRefused' });
  });

  it('messaging turned off site-wide ($CFG->messaging 0): Moodle refuses before anything else; Laurel says how to turn it on', async () => {
    messaging(false);
    c.emulator.moodleMessaging(false);
    try {
      const seen = await both('all', learner.lmsId);
      expect(seen.emulator).toEqual(seen.moodle);
      expect(seen.moodle.laurel).toMatchObject({ failed: 'moodle.messagingOff' });
    } finally {
      messaging(true);
      c.emulator.moodleMessaging(true);
    }
  });
});
