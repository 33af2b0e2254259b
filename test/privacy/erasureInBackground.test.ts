/**
 * An erasure outlives the administrator's request (issue 20, part 3): the request is confirmed
 * at once and the erasure runs in the background, answering within the wait when it can; two
 * confirmations run it once; one that another instance runs is left to it; one that a stop cut is
 * finished by the next start of Laurel. The log names the erasure, never the person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import pino from 'pino';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { dropSeeded, seedSignedCourse } from '../support/signedCourse.js';
import { AwardModel } from '../../src/store/award.js';
import { erasureRequestById, requestErasure, type ErasureRequest } from '../../src/store/erasureRequest.js';
import { ErasureRecordModel } from '../../src/store/erasure.js';
import { auditOfPlatform, registrationKey } from '../../src/store/auditLog.js';
import { releaseLease, takeLease } from '../../src/store/lease.js';
import { confirmInBackground } from '../../src/privacy/erasure/erasureInBackground.js';
import { startErasure } from '../../src/privacy/erasure/confirmErasure.js';

const platform = { issuer: 'https://moodle.erasing.example.edu', clientId: 'erasing-client' };
const admin = { userId: 'admin-7', name: 'Ada Admin' };
const learners = ['bg-learner-0', 'bg-learner-1', 'bg-learner-2', 'bg-learner-3'];
const nameOf = (userId: string) => `Backgroundname ${userId.slice(-1)}`;
const secret = randomBytes(32).toString('hex');
let uri: string;
let laurel: RunningLaurel | undefined;

const lines: Record<string, unknown>[] = [];
const log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));

const ask = (userId: string) => requestErasure({ ...platform, userId }, { name: nameOf(userId), choice: 'keep', by: 'learner' });
const awardOf = (userId: string) => AwardModel.findOne({ userId }).lean();
const pseudonymised = async (userId: string) => (await AwardModel.find({ userId: /^erased:/ }).lean()).length > 0 && !(await awardOf(userId));

async function until(done: () => Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Nothing of the learners in what was logged. */
function expectNoPersonIn(logged: unknown) {
  const text = JSON.stringify(logged);
  for (const personal of ['bg-learner', 'Backgroundname']) expect(text).not.toContain(personal);
}

beforeAll(async () => {
  const seeded = await seedSignedCourse({
    ...platform, contextId: 'erasing-course', title: 'Erasing course', badgeId: 'bg-badge', secret,
    learners: learners.map((userId) => ({ userId, name: nameOf(userId), email: `${userId}@student.example.edu` })),
  });
  uri = seeded.uri;
  expect(seeded.issued).toBe(learners.length);
}, 120_000);

afterAll(() => dropSeeded(laurel));

describe('an erasure confirmed by an administrator', () => {
  it('is confirmed at once and goes on in the background when it outlasts the wait, then is recorded as done', async () => {
    const request = await ask(learners[0]);
    expect(await confirmInBackground(request, admin, log, 0)).toBe('running');
    expect((await erasureRequestById(request._id))?.erasureId).toEqual(expect.any(String));
    await until(async () => !(await erasureRequestById(request._id)), 'the erasure did not finish');
    expect(await pseudonymised(learners[0])).toBe(true);
    const records = await ErasureRecordModel.find({}).lean();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ choice: 'keep', requestedBy: 'learner', confirmedBy: admin.userId, counts: { awardsPseudonymised: 1, credentialsPseudonymised: 1 } });
    expect(records[0].doneAt).toBeInstanceOf(Date);
    const done = lines.filter((l) => l.msg === 'learner erased on their request');
    expect(done).toEqual([expect.objectContaining({ erasure: records[0]._id, platform: platform.issuer })]);
    expectNoPersonIn(lines);
  });

  it('answers what was erased when it ends within the wait, and runs once when confirmed twice at once', async () => {
    const request = await ask(learners[1]);
    const [first, second] = await Promise.all([confirmInBackground(request, admin, log), confirmInBackground(request, admin, log)]);
    expect(first).not.toBe('running');
    expect(second).toEqual(first);
    const record = first as Exclude<typeof first, 'running'>;
    expect(record.counts).toMatchObject({ awardsPseudonymised: 1, credentialsPseudonymised: 1 });
    expect(await ErasureRecordModel.countDocuments({})).toBe(2);
    expect((await auditOfPlatform(registrationKey(platform))).filter((e) => e.action === 'platform.erasure' && e.detail.includes(record._id))).toHaveLength(1);
    expect(await erasureRequestById(request._id)).toBeNull();
  });

  it('is left to the instance already running it', async () => {
    const request = await ask(learners[2]);
    const erasureId = await startErasure(request, admin);
    expect(await takeLease(`erasure ${erasureId}`, 60_000, 'another-instance')).toBe(true);
    expect(await confirmInBackground(request, admin, log, 2_000)).toBe('running');
    expect(await awardOf(learners[2])).not.toBeNull();
    expect((await ErasureRecordModel.findById(erasureId).lean())?.doneAt).toBeUndefined();
    await releaseLease(`erasure ${erasureId}`, 'another-instance');
  });

  it('is finished by the next start of Laurel when a stop cut it, with a line in the log when it resumes and when it is done', async () => {
    // learners[2]'s erasure, left confirmed by the test above, and learners[3]'s, confirmed and cut before it erased anything.
    const cut: ErasureRequest = await ask(learners[3]);
    await startErasure(cut, admin);
    await mongoose.disconnect();

    laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', MONGODB_URI: uri, LAUREL_SECRET: secret });
    await Promise.race([laurel.running.resumedErasures, new Promise((_, fail) => setTimeout(() => fail(new Error('the erasures did not finish within 60 s of the start')), 60_000))]);
    for (const userId of [learners[2], learners[3]]) expect(await awardOf(userId)).toBeNull();
    expect(await AwardModel.countDocuments({ userId: /^erased:/ })).toBe(4);
    const records = await ErasureRecordModel.find({}).lean();
    expect(records).toHaveLength(4);
    for (const r of records) expect(r.doneAt).toBeInstanceOf(Date);
    expect(laurel.logged('unfinished erasure resumed')).toHaveLength(2);
    expect(laurel.logged('learner erased on their request')).toHaveLength(2);
    expect(laurel.logs.filter((l) => l.level === 50)).toEqual([]);
    expectNoPersonIn(laurel.logs);
  }, 120_000);
});
