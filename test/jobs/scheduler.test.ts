/**
 * The background scheduler picks each course by its own platform's interval: the one the
 * platform's administrator set (0 is off), else the server's SYNC_INTERVAL_MINUTES.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CourseModel, courseKeyOf, resumeCourse } from '../../src/store/course.js';
import { EMPTY_RUNS_TO_CONCLUDE, noteRosterOfRun } from '../../src/jobs/courseConclusion.js';
import { PlatformSettingsModel, saveSyncInterval } from '../../src/store/platformSettings.js';
import { dueCourses, evaluateDueCourses } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/log.js';
import { useTestDatabase } from '../support/database.js';

const now = new Date('2026-03-02T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

/** Three platforms; A and A2 share an issuer, as Canvas cloud institutions do. */
const A = { issuer: 'https://canvas.instructure.com', clientId: '10000000000001' };
const A2 = { issuer: 'https://canvas.instructure.com', clientId: '10000000000002' };
const B = { issuer: 'https://moodle.b.example', clientId: 'b-client' };
const C = { issuer: 'https://moodle.c.example', clientId: 'c-client' };

async function course(platform: { issuer: string; clientId: string }, contextId: string, lastEvaluatedAt?: Date, lastLaunchAt = minutesAgo(60)) {
  const courseKey = courseKeyOf(platform.issuer, platform.clientId, 'd1', contextId);
  await CourseModel.create({ courseKey, ...platform, deploymentId: 'd1', contextId, lastLaunchAt, lastEvaluatedAt });
  return courseKey;
}

const keysOf = (courses: { courseKey: string }[]) => courses.map((c) => c.courseKey).sort();

useTestDatabase();
beforeEach(async () => {
  await CourseModel.deleteMany({});
  await PlatformSettingsModel.deleteMany({});
});

describe('which courses the scheduler evaluates', () => {
  it('with no platform setting, uses the server interval for every course, as before', async () => {
    const stale = await course(A, 'stale', minutesAgo(90));
    const never = await course(B, 'never');
    await course(C, 'fresh', minutesAgo(10));
    await course(C, 'term-over', minutesAgo(90 * 24 * 60), minutesAgo(61 * 24 * 60));
    expect(keysOf(await dueCourses(60, now))).toEqual([stale, never].sort());
    expect(await dueCourses(0, now)).toEqual([]);
  });

  it("uses a platform's own interval for its courses, and the server's for the others", async () => {
    await saveSyncInterval(A.issuer, A.clientId, '5', 'admin-a');
    const a = await course(A, 'a', minutesAgo(10));
    const a2 = await course(A2, 'a2', minutesAgo(10)); // same issuer, another platform: server interval
    const c = await course(C, 'c', minutesAgo(10));
    expect(keysOf(await dueCourses(60, now))).toEqual([a]);
    await CourseModel.updateMany({ courseKey: { $in: [a2, c] } }, { $set: { lastEvaluatedAt: minutesAgo(90) } });
    expect(keysOf(await dueCourses(60, now))).toEqual([a, a2, c].sort());
  });

  it("turns sync off for a platform whose administrator chose 0, and on for one when the server's is off", async () => {
    await saveSyncInterval(B.issuer, B.clientId, '0', 'admin-b');
    await saveSyncInterval(A.issuer, A.clientId, '30', 'admin-a');
    const a = await course(A, 'a', minutesAgo(45));
    await course(B, 'b-stale', minutesAgo(24 * 60));
    await course(B, 'b-never');
    const c = await course(C, 'c', minutesAgo(90));
    expect(keysOf(await dueCourses(60, now))).toEqual([a, c].sort());
    expect(keysOf(await dueCourses(0, now))).toEqual([a]);
  });

  it('goes back to the server interval when the administrator empties the field', async () => {
    await saveSyncInterval(B.issuer, B.clientId, '0', 'admin-b');
    const b = await course(B, 'b', minutesAgo(90));
    expect(await dueCourses(60, now)).toEqual([]);
    await saveSyncInterval(B.issuer, B.clientId, '', 'admin-b');
    expect(keysOf(await dueCourses(60, now))).toEqual([b]);
  });

  it('evaluateDueCourses runs only the courses due by their platform (a run that fails is retried after an interval)', async () => {
    await saveSyncInterval(A.issuer, A.clientId, '5', 'admin-a');
    const a = await course(A, 'a', minutesAgo(10));
    const c = await course(C, 'c', minutesAgo(10));
    // No LMS here: the run of A's course fails, and failing stamps it so that it waits one interval.
    expect(await evaluateDueCourses(60, createLogger('silent'), now)).toBe(0);
    expect((await CourseModel.findOne({ courseKey: a }).lean())!.lastEvaluatedAt).toEqual(now);
    expect((await CourseModel.findOne({ courseKey: c }).lean())!.lastEvaluatedAt).toEqual(minutesAgo(10));
    expect(await dueCourses(60, now)).toEqual([]);
  });
});

describe('term end: a course whose roster emptied', () => {
  const record = async (key: string) => (await CourseModel.findOne({ courseKey: key }).lean())!;

  it('is concluded only after several empty readings in a row, and only if it had learners before', async () => {
    const never = await course(A, 'never-had-learners', minutesAgo(90));
    for (let i = 0; i < EMPTY_RUNS_TO_CONCLUDE + 1; i++) expect(await noteRosterOfRun(await record(never), 0, now)).toBe(false);
    expect((await record(never)).concludedAt).toBeUndefined();

    const ended = await course(A, 'ended', minutesAgo(90));
    await noteRosterOfRun(await record(ended), 12, now);
    await noteRosterOfRun(await record(ended), 0, now);
    await noteRosterOfRun(await record(ended), 3, now); // learners back: the count starts again
    for (let i = 1; i < EMPTY_RUNS_TO_CONCLUDE; i++) expect(await noteRosterOfRun(await record(ended), 0, now)).toBe(false);
    expect((await record(ended)).concludedAt).toBeUndefined();
    expect(await noteRosterOfRun(await record(ended), 0, now)).toBe(true);
    expect((await record(ended)).concludedAt).toEqual(now);
  });

  it('is skipped by the scheduler until a staff launch resumes it', async () => {
    const ended = await course(A, 'ended', minutesAgo(90));
    const other = await course(B, 'other', minutesAgo(90));
    await CourseModel.updateOne({ courseKey: ended }, { $set: { learnersSeen: true, emptyRosterRuns: EMPTY_RUNS_TO_CONCLUDE, concludedAt: minutesAgo(60) } });
    expect(keysOf(await dueCourses(60, now))).toEqual([other]);
    await resumeCourse(ended);
    const resumed = await record(ended);
    expect(resumed.concludedAt).toBeUndefined();
    expect(resumed.emptyRosterRuns).toBe(0);
    expect(resumed.resumedAfterEnd).toEqual(minutesAgo(60));
    expect(keysOf(await dueCourses(60, now))).toEqual([ended, other].sort());
  });
});
