/**
 * Canvas's people who are not learners: the Student View's Test Student (membership#Learner plus
 * lti/system/person#TestUser) and observers (membership#Mentor, with role_scope_mentor), as
 * canvas-lms sends them (lib/lti/substitutions_helper.rb, LIS_V2_LTI_ADVANTAGE_ROLE_MAP, for the
 * launch and NRPS alike; lib/lti/messages/jwt_message.rb, add_mentorship_claims!). Neither is
 * evaluated, counted or awarded, by an evaluation, by hand, through the API or in bulk.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { decodeJwt } from 'jose';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import type { SeedUser } from '../emulator/index.js';
import { AwardModel } from '../../src/store/award.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const TEST_USER = 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser';
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const MENTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor';
const OPEN = { kind: 'dateWindow', from: '2000-01-01T00:00:00Z' };

let laurel: RunningLaurel;
let c: Connected;
let testStudent: SeedUser;
let observer: SeedUser;
beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  testStudent = c.emulator.course.users.find((u) => u.role === 'TestStudent')!;
  observer = c.emulator.course.users.find((u) => u.role === 'Observer')!;
});
afterAll(async () => { await laurel?.close(); });

async function launchAs(user: SeedUser): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status, res.text?.slice(0, 300)).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

function apiFor(ltik: string) {
  return {
    get: (p: string) => request(laurel.url).get(p).set('Authorization', `Bearer ${ltik}`),
    post: (p: string, b: object = {}) => request(laurel.url).post(p).set('Authorization', `Bearer ${ltik}`).send(b),
    page: (p: string) => request(laurel.url).get(`${p}${p.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html'),
    form: (p: string, f: Record<string, string | string[]>) => request(laurel.url).post(p).type('form').set('Accept', 'text/html').send({ ltik, ...f }),
  };
}

describe('Canvas\'s Test Student and observers', () => {
  it('arrive as Canvas sends them: the Test Student a Learner plus TestUser, the observer a Mentor naming whom they observe', async () => {
    const student = decodeJwt((await startLaunch(c, { userId: testStudent.id })).idToken);
    expect(student[`${LTI}roles`]).toEqual(expect.arrayContaining([LEARNER, TEST_USER]));
    const parent = decodeJwt((await startLaunch(c, { userId: observer.id })).idToken);
    expect(parent[`${LTI}roles`]).toContain(MENTOR);
    const observed = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    expect(parent[`${LTI}role_scope_mentor`]).toEqual([observed.id]);
  });

  it('are neither evaluated nor awarded, and an award to them by hand, through the API or in bulk, is refused saying who they are', async () => {
    const instructor = apiFor(await launchAs(c.emulator.course.users.find((u) => u.role === 'Instructor')!));
    const open = (await instructor.post('/api/course/badges', { name: 'Welcome', rules: OPEN })).body.id as string;
    const started = await instructor.post('/api/course/evaluations');
    expect(started.status).toBe(202);
    for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
      const job = (await instructor.get(started.headers.location)).body;
      if (job.status === 'done') break;
      if (job.status === 'failed') throw new Error(job.error);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await AwardModel.countDocuments({ badgeId: open, userId: { $in: [testStudent.id, observer.id] } })).toBe(0);
    expect(await AwardModel.countDocuments({ badgeId: open })).toBeGreaterThan(0);

    const learners = await instructor.page('/course/learners');
    expect(learners.status).toBe(200);
    expect(learners.text).not.toContain(observer.name);
    expect(learners.text).not.toContain(testStudent.name);

    const helper = (await instructor.post('/api/course/badges', { name: 'Helper', rules: { kind: 'approval' } })).body.id as string;
    const toTestStudent = await instructor.post('/api/course/awards', { badgeId: helper, userId: testStudent.id });
    expect(toTestStudent.status).toBe(409);
    expect(toTestStudent.body).toMatchObject({ error: 'not_a_learner' });
    expect(toTestStudent.body.detail).toContain('Test Student');
    const toObserver = await instructor.post('/api/course/awards', { badgeId: helper, userId: observer.id });
    expect(toObserver.status).toBe(409);
    expect(toObserver.body.detail).toContain('observes learners');

    const bulk = await instructor.form('/course/bulk/award/confirm', { badgeId: helper, userId: [testStudent.id, observer.id] });
    expect(bulk.status).toBe(409);
    expect(htmlText(bulk.text)).toContain(observer.name);
    expect(await AwardModel.countDocuments({ badgeId: helper })).toBe(0);
  });

  it('the Test Student who launches sees a preview of the learner page, in English and French, and nothing is awarded', async () => {
    const instructor = apiFor(await launchAs(c.emulator.course.users.find((u) => u.role === 'Instructor')!));
    const open = (await instructor.post('/api/course/badges', { name: 'Open to all', rules: OPEN })).body.id as string;
    const res = await finishLaunch(await startLaunch(c, { userId: testStudent.id }));
    expect(res.status).toBe(303);
    const page = await request(laurel.url).get(res.headers.location).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    const text = htmlText(page.text);
    expect(text).toContain('This is Canvas\'s Test Student: Laurel shows what a learner would see; nothing is awarded.');
    expect(text).toContain('Open to all');
    expect(text).toContain('A learner with these results would earn this badge.');
    expect(await AwardModel.countDocuments({ userId: testStudent.id })).toBe(0);
    expect(await AwardModel.countDocuments({ badgeId: open })).toBe(0);

    const fr = await finishLaunch(await startLaunch(c, { userId: testStudent.id, locale: 'fr' }));
    const frPage = await request(laurel.url).get(fr.headers.location).set('Accept', 'text/html');
    expect(htmlText(frPage.text)).toContain('Ceci est l\'étudiant test de Canvas');
  });

  it('an observer who launches is told, on a page of its own, why they see no badges and how learners share them', async () => {
    const res = await finishLaunch(await startLaunch(c, { userId: observer.id }));
    expect(res.status).toBe(303);
    const page = await request(laurel.url).get(res.headers.location).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    const text = htmlText(page.text);
    expect(text).toContain('Observers see no badges here');
    expect(text).not.toContain('My badges');
    expect(await AwardModel.countDocuments({ userId: observer.id })).toBe(0);
  });
});
