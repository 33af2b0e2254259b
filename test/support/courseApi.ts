/**
 * Laurel's course JSON API as an instructor of an emulated course uses it: their session token
 * as a bearer, and the one way the tests earn a badge (make it on Quiz 1, evaluate the course,
 * wait for the job) to get the public URLs of one award.
 */
import { expect } from 'vitest';
import request from 'supertest';
import type { RunningLaurel } from './laurel.js';
import { finishLaunch, startLaunch, type Connected } from './lms.js';

export interface CourseApi {
  ltik: string;
  get(path: string): request.Test;
  post(path: string, body?: object): request.Test;
}

/** The API as the course's first instructor, after their launch. */
export async function instructorApi(laurel: RunningLaurel, c: Connected): Promise<CourseApi> {
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  return {
    ltik,
    get: (path) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
    post: (path, body = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
  };
}

/**
 * Makes a badge on Quiz 1 (10 % is enough, so learners earn it), evaluates the course, and
 * answers the badge's id and the public URLs of one of its awards.
 */
export async function earnedBadge(api: CourseApi, badge: { name: string; description: string; alignments?: object[] }): Promise<{ badgeId: string; links: Record<string, string> }> {
  const columns = (await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const created = await api.post('/api/course/badges', {
    ...badge,
    rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.find((l) => l.label === 'Quiz 1')!.id, percent: 10 }] },
  });
  expect(created.status).toBe(201);
  await evaluated(api);
  const awards = (await api.get('/api/course/awards')).body.awards as { badgeId: string; links?: Record<string, string> }[];
  return { badgeId: created.body.id, links: awards.find((a) => a.badgeId === created.body.id && a.links)!.links! };
}

/** An evaluation, bulk award or revocation job once it is neither queued nor running. */
export async function finishedJob(api: Pick<CourseApi, 'get'>, jobId: string): Promise<{ status: string; error?: string }> {
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    const job = (await api.get(`/api/course/evaluations/${jobId}`)).body as { status: string; error?: string };
    if (!['queued', 'running'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${jobId} did not finish`);
}

/** Evaluates the course and waits for the job to be done. */
export async function evaluated(api: CourseApi): Promise<void> {
  const started = await api.post('/api/course/evaluations');
  expect(started.status).toBeLessThan(300);
  const job = await finishedJob(api, started.body.id as string);
  if (job.status !== 'done') throw new Error(job.error ?? `the evaluation ended ${job.status}`);
}
