/**
 * Issue 19, learners and instructors are told, by e-mail where Laurel has no LMS API connection:
 * each e-mail is read back from a real SMTP server (Mailpit), with its subject, its text and HTML
 * parts, the badge's name and the link to its verification page, in French for a learner whose
 * launch was in French. A revocation says its reason; an award waiting for approval is said to
 * its learner, and the course's instructors get one digest a day; the expiry reminder goes 30 days
 * before the credential ends (the clock is moved, nobody waits). A learner who turned messages off
 * gets none. Each message goes once, with two senders racing and after a restart (another
 * Laurel process, `npm run build:tools`'s build, whose sender started at boot delivers by itself). The sender's log names neither
 * people nor addresses, and never says what a message says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { mailTo, testMailpit, uniqueAddress, type Mail } from '../support/mailpit.js';
import { decodeEntities } from '../support/html.js';
import type { SeedUser } from '../emulator/index.js';
import { deliverDueMessages, type Sender } from '../../src/messages/sender.js';
import { emailSender } from '../../src/messages/email.js';
import { announceAwards } from '../../src/awards/announce.js';
import { awardsOf } from '../../src/store/award.js';
import { courseKeyOf } from '../../src/store/course.js';
import { OutboxModel } from '../../src/store/outbox.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/store/localFerret.js';
import { translator } from '../../src/i18n/translate.js';

const FROM = 'Laurel badges <badges@school.test>';
const DAY = 24 * 60 * 60_000;
let laurel: RunningLaurel;
let c: Connected;
let instructor: SeedUser;
/** Learners who earn the badges: the first launched in French, the second never launched, the third turns messages off. */
let french: SeedUser;
let english: SeedUser;
let quiet: SeedUser;
/** A learner who earns nothing by the rules (0 on Quiz 1), awarded by hand at the end. */
let extra: SeedUser;
let staffLtik: string;
let quietLtik: string;
/** The badge on Quiz 1, valid 40 days; its awards. */
let badgeId: string;
let awardedAt: Date;

const env = () => ({ SYNC_INTERVAL_MINUTES: '0', SMTP_URL: testMailpit().smtpUrl, SMTP_FROM: FROM, MESSAGES_TICK_SECONDS: '0' });
const api = () => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${staffLtik}`),
  post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${staffLtik}`).send(body),
});
const courseKey = () => courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);
const send = (now = new Date()) => deliverDueMessages(laurel.running.messageSender, now);

/** Laurel as `npm start` runs it (the build in dist/), in a process of its own on this file's database. */
async function startServer(extraEnv: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(__dirname, '../../dist/src/server.js')], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, PORT: String(port), MONGODB_URI: laurel.config.mongodbUri!, LAUREL_SECRET: laurel.config.secret, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://localhost:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('the second Laurel did not start');
}

async function launch(user: SeedUser, locale?: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id, locale }));
  expect(res.status).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

async function evaluate(): Promise<void> {
  const location = (await api().post('/api/course/evaluations')).headers.location as string;
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    const job = (await api().get(location)).body;
    if (job.status === 'done') return;
    if (job.status === 'failed') throw new Error(job.error);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('evaluation did not finish');
}

async function badge(name: string, more: object = {}): Promise<string> {
  const quiz1 = ((await api().get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === 'Quiz 1')!;
  const res = await api().post('/api/course/badges', { name, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: quiz1.id, percent: 10 }] }, ...more });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

const awardOf = async (user: SeedUser, badge = badgeId) => (await awardsOf(courseKey(), { userId: user.id, badgeId: badge }))[0]!;
const subjects = (mails: Mail[]) => mails.map((m) => m.Subject);
const text = (m: Mail) => m.Text.replace(/\r\n/g, '\n');

beforeAll(async () => {
  laurel = await startLaurel(env());
  c = await connectEmulator(laurel, 'canvas');
  const { course } = c.emulator;
  // Addresses of this file's own: the run's other files share the Mailpit.
  const tag = Math.random().toString(36).slice(2, 8);
  for (const u of course.users) u.email = uniqueAddress(u.email, tag);
  instructor = course.users.find((u) => u.role === 'Instructor')!;
  [french, english, quiet, extra] = course.users.filter((u) => u.role === 'Learner' && u.status === 'Active') as [SeedUser, SeedUser, SeedUser, SeedUser];
  const quiz1 = course.activities.find((a) => a.label === 'Quiz 1')!;
  for (const u of [french, english, quiet, extra]) {
    course.results = course.results.filter((r) => !(r.userId === u.id && r.lineItemId === quiz1.id));
    course.results.push({ userId: u.id, lineItemId: quiz1.id, score: u === extra ? 0 : 7, scoreMaximum: 10, timestamp: new Date().toISOString() });
  }
  staffLtik = await launch(instructor);
  await launch(french!, 'fr-CA');
  quietLtik = await launch(quiet!);
});
afterAll(async () => {
  await c?.emulator.close();
  await laurel?.close();
});

describe('learners told by e-mail, without an LMS API connection', () => {
  it('an award is e-mailed to its learner, with the badge, the course and its verification link; in French after a French launch', async () => {
    badgeId = await badge('Étoile du Quiz 1', { validFor: 'P40D' });
    await evaluate();
    awardedAt = (await awardOf(french)).awardedAt!;
    expect(await send()).toBeGreaterThanOrEqual(3);

    const [fr] = await mailTo(french.email);
    const link = `${laurel.url}/verify/${(await awardOf(french)).id}`;
    expect(fr!.Subject).toBe('Vous avez obtenu le badge « Étoile du Quiz 1 »');
    expect(fr!.From.Address).toBe('badges@school.test');
    expect(fr!.Username).toBe('laurel'); // the SMTP server's credentials, from SMTP_URL
    expect(text(fr!)).toContain('Bonjour,');
    expect(text(fr!)).toContain('Vous avez obtenu le badge « Étoile du Quiz 1 » dans Introduction to Chemistry.');
    expect(text(fr!)).toContain(link);
    expect(fr!.HTML).toContain('<html lang="fr">');
    expect(fr!.HTML).toContain(`<a href="${link}">${link}</a>`);
    expect(decodeEntities(fr!.HTML)).toContain('Étoile du Quiz 1');
    // The link is the badge's public page, signed and there.
    expect((await request(link).get('').set('Accept', 'text/html')).status).toBe(200);

    // A learner who never opened Laurel: the roster's address, in English.
    const [en] = await mailTo(english.email);
    expect(en!.Subject).toBe('You earned the badge “Étoile du Quiz 1”');
    expect(text(en!)).toContain(`Its verification page, which anyone you share it with can check: ${laurel.url}/verify/${(await awardOf(english)).id}`);
    expect(en!.HTML).toContain('<html lang="en">');
    expect(text(en!)).toContain('To stop these messages, turn them off on your badges page in the course.');
  });

  it('a revocation is e-mailed with its reason', async () => {
    const award = await awardOf(french);
    expect((await api().post(`/api/course/awards/${award.id}/revoke`, { reason: 'Travail rendu en double' })).status).toBe(200);
    await send();
    const mails = await mailTo(french.email);
    expect(subjects(mails)).toEqual(['Vous avez obtenu le badge « Étoile du Quiz 1 »', 'Votre badge « Étoile du Quiz 1 » a été révoqué']);
    expect(text(mails[1]!)).toContain('Le motif donné : Travail rendu en double');
    expect(text(mails[1]!)).toContain(`Sa page de vérification l'indique comme révoqué : ${laurel.url}/verify/${award.id}`);
  });

  it('an award waiting for approval is said to its learner, and the instructors get one digest a day', async () => {
    const first = await badge('Mention du jury', { issueMode: 'approval' });
    await evaluate();
    const start = new Date();
    await send(start);
    expect(subjects(await mailTo(english.email))).toContain('“Mention du jury” waits for your instructor\'s approval');
    expect(await mailTo(instructor.email)).toEqual([]); // the digest waits a little, so one evaluation's awards come together

    await send(new Date(start.getTime() + 16 * 60_000));
    const [digest] = await mailTo(instructor.email);
    const waiting = (await awardsOf(courseKey(), { badgeId: first })).filter((a) => a.status === 'pending');
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    expect(digest!.Subject).toBe(`${waiting.length} awards wait for your approval in Introduction to Chemistry`);
    expect(text(digest!)).toContain(`- Mention du jury: ${english.name}`);
    expect(text(digest!)).toContain('open Laurel from the course: they are under “Waiting for your approval”');

    // More waits the same day: no second digest that day, one the next.
    await badge('Prix du public', { issueMode: 'approval' });
    await evaluate();
    await send(new Date(start.getTime() + 40 * 60_000));
    expect(await mailTo(instructor.email)).toHaveLength(1);
    const tomorrow = new Date(`${start.toISOString().slice(0, 10)}T00:00:00.000Z`).getTime() + DAY;
    await send(new Date(tomorrow + 60_000));
    const digests = await mailTo(instructor.email);
    expect(digests).toHaveLength(2);
    expect(text(digests[1]!)).toContain('- Prix du public: ');
    expect(text(digests[1]!)).toContain('- Mention du jury: ');

    // Approved: its learner hears that it is theirs.
    const pending = await awardOf(english, first);
    expect((await api().post(`/api/course/awards/${pending.id}/approve`)).status).toBe(200);
    await send(new Date(tomorrow + 2 * 60_000));
    expect(subjects(await mailTo(english.email))).toContain('You earned the badge “Mention du jury”');
  });

  it('reminds a learner 30 days before their credential ends, by the credential\'s own end, once', async () => {
    const until = new Date(awardedAt.getTime() + 40 * DAY); // P40D
    await send(new Date(until.getTime() - 31 * DAY));
    const reminder = (m: Mail) => m.Subject.startsWith('Your badge “Étoile du Quiz 1” expires');
    expect((await mailTo(english.email)).filter(reminder)).toEqual([]);
    await send(new Date(until.getTime() - 29 * DAY));
    await send(new Date(until.getTime() - 28 * DAY));
    const [sent, ...more] = (await mailTo(english.email)).filter(reminder);
    expect(more).toEqual([]);
    expect(sent!.Subject).toBe(`Your badge “Étoile du Quiz 1” expires on ${translator('en').date(until)}`);
    expect(text(sent!)).toContain(`is valid until ${translator('en').date(until)}`);
    expect(text(sent!)).toContain(`${laurel.url}/verify/${(await awardOf(english)).id}`);
    // Revoked before its time: no reminder.
    expect((await mailTo(french.email)).filter((m) => m.Subject.includes('expire'))).toEqual([]);
  });

  it('a learner who turned messages off on their page gets none', async () => {
    const before = (await mailTo(quiet.email)).length;
    expect(before).toBeGreaterThan(0);
    const page = await request(laurel.url).get(`/me?ltik=${encodeURIComponent(quietLtik)}`).set('Accept', 'text/html');
    expect(page.text).toContain('Turn messages off');
    const off = await request(laurel.url).post('/me/messages').type('form').send({ ltik: quietLtik, messages: 'off' });
    expect(off.status).toBe(303);
    expect(off.headers.location).toContain('note=messagesOff');
    expect(decodeEntities((await request(laurel.url).get(`/me?ltik=${encodeURIComponent(quietLtik)}`).set('Accept', 'text/html')).text)).toContain('You turned Laurel\'s messages off');

    const award = await awardOf(quiet);
    await api().post(`/api/course/awards/${award.id}/revoke`, { reason: 'Not theirs' });
    await send();
    expect(await mailTo(quiet.email)).toHaveLength(before);
    expect(await OutboxModel.findById(`revoked ${award.id}`).lean()).toMatchObject({ state: 'skipped', note: { code: 'skip.optedOut' } });
  });

  it('logs what it sent without names, addresses or what the messages say', async () => {
    const lines = laurel.logs.filter((l) => typeof l.message === 'string' && /^message /.test(String(l.msg)));
    expect(lines.filter((l) => l.msg === 'message sent').length).toBeGreaterThan(5);
    const said = JSON.stringify(lines);
    for (const u of c.emulator.course.users) {
      expect(said).not.toContain(u.email);
      expect(said).not.toContain(u.name);
    }
    for (const words of ['Étoile', 'Bonjour', 'Hello', 'Travail rendu', '/verify/']) expect(said).not.toContain(words);
  });

  it('sends each message once, with two senders racing and after a restart', async () => {
    const other: Sender = { logger: createLogger('silent'), email: emailSender(testMailpit().smtpUrl, FROM), expiryReminderDays: 30 };
    const raced = await badge('Course en tête');
    await evaluate();
    const created = (await awardsOf(courseKey(), { badgeId: raced }));
    // The run is taken over and tells the same awards again: each event is in the outbox once.
    await announceAwards(courseKey(), created);
    expect(await OutboxModel.countDocuments({ kind: 'awarded', awardId: { $in: created.map((a) => a.id) } })).toBe(created.length);
    const [a, b] = await Promise.all([send(), deliverDueMessages(other)]);
    other.email!.close();
    expect(a + b).toBe(created.filter((x) => x.userId !== quiet.id).length); // the quiet learner turned messages off
    const told = async (u: SeedUser) => (await mailTo(u.email)).filter((m) => m.Subject.includes('Course en tête'));
    expect(await told(english)).toHaveLength(1);

    // Another Laurel process on the same database, as after a restart, whose sender runs in the
    // background from its start: it delivers a new award's message, and nothing sent before again.
    const before = await Promise.all([french, english, quiet, instructor].map(async (u) => (await mailTo(u.email)).length));
    const restarted = await startServer({ ...env(), MESSAGES_TICK_SECONDS: '1' });
    try {
      const manual = await request(restarted.url).post('/api/course/awards').set('Authorization', `Bearer ${staffLtik}`).send({ badgeId: raced, userId: extra.id });
      expect(manual.status).toBe(201);
      let mails: Mail[] = [];
      for (const deadline = Date.now() + 20_000; Date.now() < deadline && !mails.length;) {
        mails = (await told(extra));
        if (!mails.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(mails).toHaveLength(1);
      expect(text(mails[0]!)).toContain(`${restarted.url}/verify/${manual.body.id}`);
      expect(await Promise.all([french, english, quiet, instructor].map(async (u) => (await mailTo(u.email)).length))).toEqual(before);
    } finally {
      restarted.child.kill('SIGTERM');
    }
  });
});
