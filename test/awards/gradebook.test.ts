/**
 * Earned badges beside the grades in the LMS itself, both flavours: a badge that asks for it gets
 * one "Badge: <name>" column, made once, and every learner who earns it a full score whose
 * comment is the verification link; the column stays out of the rule editor's pickers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

describe.each(['canvas', 'moodle'] as const)('badges in the %s grade book', (flavour) => {
  let c: Connected;
  let api: { get(p: string): request.Test; post(p: string, b?: object): request.Test };
  beforeAll(async () => {
    c = await connectEmulator(laurel, flavour);
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
    const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
    api = {
      get: (p) => request(laurel.url).get(p).set('Authorization', `Bearer ${ltik}`),
      post: (p, b) => request(laurel.url).post(p).set('Authorization', `Bearer ${ltik}`).send(b ?? {}),
    };
  });
  afterAll(async () => { await c?.emulator.close(); });

  async function evaluate() {
    const started = await api.post('/api/course/evaluations');
    for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
      const job = (await api.get(started.headers.location)).body;
      if (job.status === 'done') return job;
      if (job.status === 'failed') throw new Error(job.error);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('evaluation did not finish');
  }

  it('scores every holder in one "Badge:" column with the verification link, and makes the column once', async () => {
    const columns = (await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
    const created = await api.post('/api/course/badges', {
      name: 'Lab Safety', description: 'Safe in the lab.', gradebookColumn: true,
      rules: { kind: 'all', rules: [{ kind: 'completed', lineItemId: columns.find((l) => l.label === 'Lab: Safety')!.id }] },
    });
    expect(created.status).toBe(201);
    await evaluate();
    const holders = ((await api.get('/api/course/awards')).body.awards as { userId: string; badgeId: string; links: { page: string } }[]).filter((a) => a.badgeId === created.body.id);
    expect(holders.length).toBeGreaterThan(0);

    const course = c.emulator.course;
    const badgeColumns = course.activities.filter((a) => a.label === 'Badge: Lab Safety');
    expect(badgeColumns).toHaveLength(1);
    const scores = course.results.filter((r) => r.lineItemId === badgeColumns[0]!.id);
    expect(scores.map((r) => r.userId).sort()).toEqual(holders.map((h) => h.userId).sort());
    for (const h of holders) {
      const r = scores.find((s) => s.userId === h.userId)!;
      expect(r).toMatchObject({ score: 1, gradingProgress: 'FullyGraded' });
      expect(r.comment).toContain(h.links.page);
    }

    await evaluate(); // nothing new earned: no second column
    expect(course.activities.filter((a) => a.label === 'Badge: Lab Safety')).toHaveLength(1);
    const labels = ((await api.get('/api/course/line-items')).body.lineItems as { label: string }[]).map((l) => l.label);
    expect(labels).not.toContain('Badge: Lab Safety');
  });
});
