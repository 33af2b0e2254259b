/**
 * Term end on Canvas. Canvas takes NRPS members and launch context roles from current enrolments
 * only (lib/lti/substitutions_helper.rb: course_enrollments is `@context.current_enrollments`), and
 * an enrolment that ended is `completed` (app/models/enrollment.rb): at term end the roster empties
 * and a concluded teacher launches with no course role. Awards stay; background sync stops for the
 * ended course and says so; a staff launch resumes it; the former teacher is told what happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { decodeJwt } from 'jose';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import type { SeedUser } from '../emulator/index.js';
import { AwardModel } from '../../src/store/award.js';
import { CourseModel } from '../../src/store/course.js';
import { dueCourses, evaluateDueCourses } from '../../src/jobs/scheduler.js';
import { EMPTY_RUNS_TO_CONCLUDE } from '../../src/jobs/courseConclusion.js';
import { createLogger } from '../../src/log.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const OPEN = { kind: 'dateWindow', from: '2000-01-01T00:00:00Z' };
const HOUR = 3600_000;

let laurel: RunningLaurel;
let c: Connected;
let teacher: SeedUser;
let assistant: SeedUser;
beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const users = c.emulator.course.users;
  teacher = users.find((u) => u.role === 'Instructor' && u.enrolled !== false && !u.siteAdmin && !u.subAccountAdmin)!;
  assistant = users.find((u) => u.role === 'TeachingAssistant' && u.status === 'Active')!;
});
afterAll(async () => { await laurel?.close(); });

async function launchAs(user: SeedUser): Promise<{ ltik: string; location: string }> {
  const res = await finishLaunch(await startLaunch(c, { userId: user.id }));
  expect(res.status, res.text?.slice(0, 300)).toBe(303);
  return { ltik: new URL(res.headers.location, laurel.url).searchParams.get('ltik')!, location: res.headers.location };
}

const page = (ltik: string, p: string) => request(laurel.url).get(`${p}?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
const courseRecord = async () => (await CourseModel.findOne({ contextId: c.emulator.course.contextId }).lean())!;
/** One background run, `hours` after the real clock: each is due again (the server interval is 60 minutes). */
const backgroundRun = (hours: number) => evaluateDueCourses(60, createLogger('silent'), new Date(Date.now() + hours * HOUR));

describe('term end', () => {
  let teacherLtik: string;
  let awardsBefore: number;

  it('the roster empties: background sync keeps every award, then stops, and the dashboard says so', async () => {
    teacherLtik = (await launchAs(teacher)).ltik;
    const created = await request(laurel.url).post('/api/course/badges').set('Authorization', `Bearer ${teacherLtik}`).send({ name: 'Welcome', rules: OPEN });
    expect(created.status).toBe(201);
    expect(await backgroundRun(2)).toBe(1);
    awardsBefore = await AwardModel.countDocuments({ status: 'awarded' });
    expect(awardsBefore).toBeGreaterThan(0);

    // The term ends: every enrolment concludes, the learners' and the teacher's.
    for (const u of c.emulator.course.users) if (u.status === 'Active' && (u.role === 'Learner' || u === teacher)) u.status = 'Concluded';
    for (let run = 1; run <= EMPTY_RUNS_TO_CONCLUDE; run++) {
      expect((await courseRecord()).concludedAt, `run ${run}`).toBeUndefined();
      expect(await backgroundRun(2 + 2 * run)).toBe(1);
    }
    const ended = await courseRecord();
    expect(ended.concludedAt).toBeInstanceOf(Date);
    // Nothing revoked or hidden: an evaluation only adds awards.
    expect(await AwardModel.countDocuments({ status: 'awarded' })).toBe(awardsBefore);
    // Skipped from now on, however long it waits.
    expect((await dueCourses(60, new Date(Date.now() + 48 * HOUR))).map((x) => x.courseKey)).not.toContain(ended.courseKey);
    expect(await backgroundRun(48)).toBe(0);

    const dashboard = htmlText((await page(teacherLtik, '/course')).text);
    expect(dashboard).toContain(`Laurel stopped reading it on ${ended.concludedAt!.toISOString().slice(0, 10)}`);
    expect(dashboard).toContain('A launch by staff resumes it.');
  });

  it('the concluded teacher launches with no course role and is told their teaching role ended, not shown a learner page nor evaluated', async () => {
    const steps = await startLaunch(c, { userId: teacher.id });
    const roles = decodeJwt(steps.idToken)[`${LTI}roles`] as string[];
    expect(roles.filter((r) => r.includes('/membership'))).toEqual([]);
    const res = await finishLaunch(steps);
    expect(res.status).toBe(303);
    const landed = await request(laurel.url).get(res.headers.location).set('Accept', 'text/html');
    expect(landed.status).toBe(200);
    const text = htmlText(landed.text);
    expect(text).toContain('Your teaching role in this course has ended in the LMS, so Laurel shows you nothing here; the course\'s badges and awards are kept.');
    expect(text).not.toContain('My badges');
    expect(await AwardModel.countDocuments({ userId: teacher.id })).toBe(0);
    // A launch without a staff role resumes nothing.
    expect((await courseRecord()).concludedAt).toBeInstanceOf(Date);

    const fr = await finishLaunch(await startLaunch(c, { userId: teacher.id, locale: 'fr' }));
    const frPage = await request(laurel.url).get(fr.headers.location).set('Accept', 'text/html');
    expect(htmlText(frPage.text)).toContain('Votre rôle d\'enseignant dans ce cours a pris fin dans le LMS');
  });

  it('a launch by staff still enrolled resumes the course: background sync reads it again, and the dashboard says why', async () => {
    const { ltik } = await launchAs(assistant);
    const resumed = await courseRecord();
    expect(resumed.concludedAt).toBeUndefined();
    expect((await dueCourses(60, new Date(Date.now() + 2 * HOUR))).map((x) => x.courseKey)).toContain(resumed.courseKey);
    const dashboard = htmlText((await page(ltik, '/course')).text);
    expect(dashboard).toContain('Your launch as staff resumed it');
    expect(await AwardModel.countDocuments({ status: 'awarded' })).toBe(awardsBefore);
  });
});
