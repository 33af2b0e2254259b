/**
 * Earned badges beside the grades in the LMS itself, both flavours: a badge that asks for it gets
 * one "Badge: <name>" column, made once, and every learner who earns it a full score whose
 * comment is the verification link; the column stays out of the rule editor's pickers. The column
 * follows the award and the badge (revocation clears the score, a rename renames it, deleting the
 * badge or unticking the option removes it); one learner's failed score leaves the others
 * written, is retried and shown to the instructor; a refusal for a non-student is reported and
 * not retried by itself; Canvas, with its API connected, leaves the column out of the final
 * grade, and where Laurel cannot (Moodle), the editor says so before the box is ticked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import pino from 'pino';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import type { SeedActivity, SeedUser } from '../emulator/index.js';
import { retryGradebookWrites } from '../../src/jobs/gradebookRetry.js';
import { connectCanvas } from '../../src/store/lmsConnection.js';
import { saveCanvasGrant } from '../../src/store/canvasGrant.js';
import { emulatedCanvasGrant } from '../demo/demoConnection.js';
import { canvasRedirectUri } from '../../src/lms/canvasRest/canvasRedirect.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' }); });
afterAll(async () => { await laurel?.close(); });

const quiet = pino({ level: 'silent' });
/** An hour on: every retry with backoff is due by then. */
const later = () => new Date(Date.now() + 3600_000);

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const got = await probe();
    if (got) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe.each(['canvas', 'moodle'] as const)('badges in the %s grade book', (flavour) => {
  let c: Connected;
  let ltik: string;
  let api: { get(p: string): request.Test; post(p: string, b?: object): request.Test; put(p: string, b: object): request.Test; delete(p: string): request.Test };
  const page = (path: string) => request(laurel.url).get(`${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
  beforeAll(async () => {
    c = await connectEmulator(laurel, flavour);
    const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
    const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
    ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
    const auth = (t: request.Test) => t.set('Authorization', `Bearer ${ltik}`);
    api = {
      get: (p) => auth(request(laurel.url).get(p)),
      post: (p, b) => auth(request(laurel.url).post(p)).send(b ?? {}),
      put: (p, b) => auth(request(laurel.url).put(p)).send(b),
      delete: (p) => auth(request(laurel.url).delete(p)),
    };
  });
  afterAll(async () => { await c?.emulator.close(); });

  async function evaluate() {
    const started = await api.post('/api/course/evaluations');
    for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
      const job = (await api.get(started.headers.location)).body;
      if (job.status === 'done') return job;
      if (job.status === 'failed') throw new Error(job.error);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('evaluation did not finish');
  }

  const course = () => c.emulator.course;
  const columnOf = (badgeId: string) => course().activities.find((a) => a.resourceId === `laurel-badge:${badgeId}`);
  const scoreOf = (column: SeedActivity | undefined, userId: string) => course().results.find((r) => r.lineItemId === column?.id && r.userId === userId)?.score;
  const lineItemId = async (label: string) => ((await api.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[]).find((l) => l.label === label)!.id;
  const holdersOf = async (badgeId: string) => ((await api.get('/api/course/awards')).body.awards as { id: string; userId: string; badgeId: string; status: string; links: { page: string } }[])
    .filter((a) => a.badgeId === badgeId && a.status === 'awarded');
  /** Active learners with a grade on the activity: who earns a badge that asks for it to be completed. */
  const graded = (label: string) => {
    const a = course().activities.find((x) => x.label === label)!;
    return course().users.filter((u) => u.role === 'Learner' && u.status === 'Active' && course().results.some((r) => r.lineItemId === a.id && r.userId === u.id && r.score !== undefined));
  };
  async function createBadge(name: string, activity: string, gradebookColumn = true) {
    const created = await api.post('/api/course/badges', { name, description: `${name}.`, gradebookColumn, rules: { kind: 'all', rules: [{ kind: 'completed', lineItemId: await lineItemId(activity) }] } });
    expect(created.status).toBe(201);
    return created.body as { id: string; name: string; gradebookColumn: boolean };
  }

  let labSafety: { id: string; name: string };

  it('scores every holder in one "Badge:" column with the verification link, and makes the column once', async () => {
    labSafety = await createBadge('Lab Safety', 'Lab: Safety');
    await evaluate();
    const holders = await holdersOf(labSafety.id);
    expect(holders.length).toBeGreaterThan(0);

    const badgeColumns = course().activities.filter((a) => a.label === 'Badge: Lab Safety');
    expect(badgeColumns).toHaveLength(1);
    const scores = course().results.filter((r) => r.lineItemId === badgeColumns[0]!.id);
    expect(scores.map((r) => r.userId).sort()).toEqual(holders.map((h) => h.userId).sort());
    for (const h of holders) {
      const r = scores.find((s) => s.userId === h.userId)!;
      expect(r).toMatchObject({ score: 1, gradingProgress: 'FullyGraded' });
      expect(r.comment).toContain(h.links.page);
    }

    const posts = c.emulator.requests.filter((r) => r.method === 'POST' && r.path.includes('/scores')).length;
    await evaluate(); // nothing new earned: no second column, no score posted again
    expect(course().activities.filter((a) => a.label === 'Badge: Lab Safety')).toHaveLength(1);
    expect(c.emulator.requests.filter((r) => r.method === 'POST' && r.path.includes('/scores')).length).toBe(posts);
    const labels = ((await api.get('/api/course/line-items')).body.lineItems as { label: string }[]).map((l) => l.label);
    expect(labels).not.toContain('Badge: Lab Safety');
  });

  it('clears the score of a revoked award, AGS\'s way (no scoreGiven, NotReady), and leaves the other holders\' scores', async () => {
    const [revoked, ...kept] = await holdersOf(labSafety.id);
    const column = columnOf(labSafety.id);
    expect(scoreOf(column, revoked!.userId)).toBe(1);
    expect((await api.post(`/api/course/awards/${revoked!.id}/revoke`, { reason: 'Broke the safety rules.' })).status).toBe(200);
    await until('the score is cleared', () => scoreOf(column, revoked!.userId) === undefined);
    expect(course().results.find((r) => r.lineItemId === column!.id && r.userId === revoked!.userId)?.gradingProgress).toBe('NotReady');
    for (const h of kept) expect(scoreOf(column, h.userId)).toBe(1);
  });

  it('renames the column with the badge (the same line item, a PUT)', async () => {
    const badge = (await api.get(`/api/course/badges/${labSafety.id}`)).body;
    const before = columnOf(labSafety.id)!.id;
    expect((await api.put(`/api/course/badges/${labSafety.id}`, { ...badge, name: 'Lab Safety Expert' })).status).toBe(200);
    await until('the column is renamed', () => columnOf(labSafety.id)?.label === 'Badge: Lab Safety Expert');
    expect(columnOf(labSafety.id)!.id).toBe(before);
    expect(course().activities.some((a) => a.label === 'Badge: Lab Safety')).toBe(false);
    expect(c.emulator.requests.some((r) => r.method === 'PUT' && r.path.includes(before))).toBe(true);
  });

  it('removes the column when the option is unticked, and makes it anew with every holder\'s score when ticked again', async () => {
    const badge = (await api.get(`/api/course/badges/${labSafety.id}`)).body;
    expect((await api.put(`/api/course/badges/${labSafety.id}`, { ...badge, gradebookColumn: false })).status).toBe(200);
    await until('the column is removed', () => !columnOf(labSafety.id));
    expect(c.emulator.requests.some((r) => r.method === 'DELETE' && r.status === 204)).toBe(true);

    expect((await api.put(`/api/course/badges/${labSafety.id}`, { ...badge, gradebookColumn: true })).status).toBe(200);
    const holders = await holdersOf(labSafety.id);
    const column = await until('the column is back with its scores', () => {
      const col = columnOf(labSafety.id);
      return col && holders.every((h) => scoreOf(col, h.userId) === 1) && col;
    });
    expect(column.label).toBe('Badge: Lab Safety Expert');
    // The revoked learner's score does not come back.
    const scored = course().results.filter((r) => r.lineItemId === column.id && r.score !== undefined).map((r) => r.userId).sort();
    expect(scored).toEqual(holders.map((h) => h.userId).sort());
  });

  it('removes the column when the badge is deleted', async () => {
    expect(columnOf(labSafety.id)).toBeDefined();
    expect((await api.delete(`/api/course/badges/${labSafety.id}`)).status).toBe(204);
    await until('the column is removed', () => !columnOf(labSafety.id));
  });

  it('writes every other learner\'s score when one learner\'s fails, retries that one, and tells the instructor on the dashboard', async () => {
    const [unlucky] = graded('Quiz 2');
    c.emulator.failScores(unlucky!.id, 1000); // 500 on every try, until the LMS recovers
    const badge = await createBadge('Quiz Whiz', 'Quiz 2');
    await evaluate();
    const holders = await holdersOf(badge.id);
    expect(holders.map((h) => h.userId)).toContain(unlucky!.id);
    const column = columnOf(badge.id);
    for (const h of holders) expect(scoreOf(column, h.userId)).toBe(h.userId === unlucky!.id ? undefined : 1);

    const dashboard = await page('/course');
    expect(dashboard.text).toContain('1 score for the badge &#34;Quiz Whiz&#34; could not be written to the grade book:');
    expect(dashboard.text).toContain('Laurel tries again by itself');
    expect(laurel.logs.some((l) => l.level === 40 && l.badgeId === badge.id && String(l.msg).includes('could not be written'))).toBe(true);

    c.emulator.failScores(unlucky!.id, 0); // the LMS is back
    await retryGradebookWrites(quiet, later());
    expect(scoreOf(column, unlucky!.id)).toBe(1);
    expect((await page('/course')).text).not.toContain('Quiz Whiz&#34; could not be written');
  });

  it('reports a refusal for someone who is not a student there (Moodle: 400 with an empty body), and does not retry it by itself', async () => {
    // A non-editing teacher, in Moodle: NRPS lists them as Learner, but the grade book grades students only.
    const [staff] = graded('Lab: Titration') as SeedUser[];
    staff!.gradable = false;
    const badge = await createBadge('Titration', 'Lab: Titration');
    await evaluate();
    const column = columnOf(badge.id)!;
    const refusals = () => c.emulator.requests.filter((r) => r.method === 'POST' && r.path.includes(`/${column.id}/`) && r.path.includes('/scores') && r.status === (flavour === 'moodle' ? 400 : 422)).length;
    expect(refusals()).toBe(1);
    expect((await holdersOf(badge.id)).filter((h) => h.userId !== staff!.id).every((h) => scoreOf(column, h.userId) === 1)).toBe(true);

    await retryGradebookWrites(quiet, later());
    expect(refusals()).toBe(1); // not tried again by itself
    const dashboard = (await page('/course')).text;
    expect(dashboard).toContain('1 score for the badge &#34;Titration&#34; could not be written to the grade book:');
    expect(dashboard).toContain(flavour === 'moodle' ? 'Moodle refused them without saying why (HTTP 400)' : 'User not found in course or is not a student');
    expect(dashboard).toContain('Laurel does not try again for them by itself.');
  });

  if (flavour === 'moodle') {
    it('says, beside the unticked box, that Moodle counts the column in the course total and how to leave it out (Gradebook setup, weight 0)', async () => {
      const editor = (await page('/course/badges/new')).text;
      expect(editor).toMatch(/<input type="checkbox" id="gradebookColumn" name="gradebookColumn" aria-describedby="gradebookColumn-note" >/);
      const note = /<p id="gradebookColumn-note" class="hint">([^<]*)<\/p>/.exec(editor)![1]!;
      expect(note).toContain('Moodle counts this column in the course total');
      expect(note).toContain('Gradebook setup');
      expect(note).toContain('Weights column, enter 0');
      // As the note says: the column counts in Moodle's total (Natural aggregation adds every item).
      const learner = graded('Lab: Titration').find((u) => u.gradable !== false)!;
      const seeded = course().activities.filter((a) => !a.clientId).reduce((s, a) => s + a.scoreMaximum, 0);
      expect(c.emulator.courseTotal(learner.id).max).toBe(seeded + course().activities.filter((a) => a.clientId).length);
    });
  }

  if (flavour === 'canvas') {
    it('leaves the column out of the final grade once the Canvas API is connected (omit_from_final_grade, assignments_api_controller.rb#update), and says so in the editor', async () => {
      const before = (await page('/course/badges/new')).text;
      expect(before).toContain('Canvas counts this column in the final grade unless it is told not to');
      const learner = graded('Quiz 1').find((u) => u.gradable !== false)!;
      const withColumns = c.emulator.courseTotal(learner.id).max;

      const { emulator } = c;
      const redirectUri = canvasRedirectUri(laurel.url);
      const key = emulator.canvasApiKey({ redirectUri });
      await connectCanvas(emulator.issuer, c.clientId, { baseUrl: emulator.url, apiClientId: key.clientId, apiClientSecret: key.clientSecret, enforcesScopes: false }, 'test');
      const instructor = course().users.find((u) => u.role === 'Instructor')!;
      await saveCanvasGrant(emulator.issuer, c.clientId, instructor.id, await emulatedCanvasGrant({ baseUrl: emulator.url, clientId: key.clientId, clientSecret: key.clientSecret, redirectUri }, instructor.lmsId));

      const after = (await page('/course/badges/new')).text;
      expect(after).toContain('Laurel leaves this column out of Canvas&#39;s final grade');

      const badge = await createBadge('Quiz Starter', 'Quiz 1');
      await evaluate();
      const column = columnOf(badge.id)!;
      expect(scoreOf(column, learner.id)).toBe(1);
      expect(column.omitFromFinalGrade).toBe(true);
      expect(emulator.requests.some((r) => r.method === 'PUT' && r.path === `/api/v1/courses/${course().id}/assignments/${column.assignmentId}` && r.status === 200)).toBe(true);
      // The new column is in the grade book but not in the total; the ones made before the connection still count.
      expect(c.emulator.courseTotal(learner.id).max).toBe(withColumns);
    });
  }
});
