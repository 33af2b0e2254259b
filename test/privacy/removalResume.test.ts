/**
 * A platform's removal that outlives its request (issue 20, part 4): the admin page answers once
 * the LMS can no longer launch Laurel and leaves the rest to the background, so a removal can be
 * cut by a stop or a crash after its first steps. Here one is cut so, on a platform of 120 issued
 * credentials (more than FerretDB answers in one update command, so only batched writes finish
 * it), and a fresh Laurel started on the same database finishes it without anyone running the
 * command line, saying so in its log without any personal data; every credential is kept as
 * signed, its facts and award under the pseudonym.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { randomBytes } from 'node:crypto';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { dropSeeded, seedSignedCourse } from '../support/signedCourse.js';
import { removePlatform, type RemovalTarget } from '../../src/privacy/removal/removePlatform.js';
import { allRemovals } from '../../src/store/platformRemoval.js';
import { AwardModel } from '../../src/store/award.js';
import { IssuedCredentialModel } from '../../src/store/issuedCredential.js';

const LEARNERS = 120;

let laurel: RunningLaurel | undefined;
let uri: string;
let courseKey: string;
let signedBefore: Map<string, string>;
const secret = randomBytes(32).toString('hex');
/** A registration as Laurel knows it; its ltijs records are what the first steps delete. */
const target: RemovalTarget = { issuer: 'https://moodle.large.example.edu', clientId: 'large-client', platformId: 'large-platform', platformName: 'Large Moodle' };

// A course of the platform with 120 learners' awards signed, put straight in the store.
beforeAll(async () => {
  const seeded = await seedSignedCourse({
    issuer: target.issuer, clientId: target.clientId, contextId: 'large-course', title: 'Large course', badgeId: 'large-badge', secret,
    learners: Array.from({ length: LEARNERS }, (_, i) => ({ userId: `large-learner-${i}`, name: `Largelearner Number${i}`, email: `large-learner${i}@student.example.edu` })),
  });
  ({ uri, courseKey } = seeded);
  expect(seeded.issued).toBe(LEARNERS);
  signedBefore = new Map((await IssuedCredentialModel.find({ courseKey }, { _id: 1, credentialJson: 1, jwt: 1 }).lean()).map((d) => [d._id, `${d.credentialJson}\n${d.jwt}`]));
  expect(signedBefore.size).toBe(LEARNERS);
}, 180_000);

afterAll(() => dropSeeded(laurel));

describe('a removal cut after its first steps', () => {
  it('is finished by the next start of Laurel, in the background, with a line in the log when it resumes and when it is done', async () => {
    // What the admin's request does before it answers; then that Laurel stopped.
    await removePlatform(target, 'admin', { until: 'ltijs' });
    expect((await allRemovals()).find((r) => r.platformId === target.platformId)?.state).toBe('removing');
    await mongoose.disconnect();

    laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', MONGODB_URI: uri, LAUREL_SECRET: secret });
    const second = laurel;
    await Promise.race([second.running.resumedRemovals, new Promise((_, fail) => setTimeout(() => fail(new Error('the removal did not finish within 60 s of the start')), 60_000))]);
    const removal = (await allRemovals()).find((r) => r.platformId === target.platformId)!;
    expect(removal).toMatchObject({ state: 'done', by: 'admin', kept: { credentials: LEARNERS } });
    const resumed = second.logged('unfinished platform removal resumed');
    const done = second.logged('platform removed from Laurel');
    expect([resumed.length, done.length]).toEqual([1, 1]);
    expect(resumed[0]).toMatchObject({ platformId: target.platformId, platform: target.issuer, clientId: target.clientId });
    expect(second.logs.filter((l) => l.level === 50)).toEqual([]);
    // The log names the registration, never its people.
    const logged = JSON.stringify([...resumed, ...done]);
    for (const personal of ['large-learner', 'Largelearner', 'student.example.edu', 'Large course']) expect(logged).not.toContain(personal);
  }, 120_000);

  it('keeps every one of its 120 credentials as signed, rewritten in batches: facts hashed, credential and award under the pseudonym', async () => {
    const kept = await IssuedCredentialModel.find({ courseKey }, { _id: 1, awardId: 1, userId: 1, factsJson: 1, credentialJson: 1, jwt: 1 }).lean();
    expect(kept).toHaveLength(LEARNERS);
    for (const k of kept) {
      const awardId = k.awardId ?? k._id;
      expect(k.userId).toBe(`removed:${awardId}`);
      expect(`${k.credentialJson}\n${k.jwt}`).toBe(signedBefore.get(k._id));
      const facts = JSON.parse(k.factsJson) as { recipient: { hashed?: boolean; email?: string; name?: string; ltiUserId?: string } };
      expect(facts.recipient.hashed).toBeTruthy();
      expect(k.factsJson).not.toMatch(/large-learner|Largelearner|student\.example\.edu/);
    }
    const awards = await AwardModel.find({ courseKey }).lean();
    expect(awards).toHaveLength(LEARNERS);
    for (const a of awards) {
      expect(a.userId).toBe(`removed:${a.id}`);
      expect(a.recipient).toBeUndefined();
    }
    // Nothing else of the platform stays in the database under its course.
    expect(await mongoose.connection.db!.collection('courses').countDocuments({ _id: courseKey as never })).toBe(0);
  });
});
