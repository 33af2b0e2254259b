/**
 * The instructor's pages, as a browser posts them: the dashboard, the badge editor with the
 * grade columns the LMS reports, errors shown in the form, the preview with reasons, and an
 * evaluation whose progress page survives a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { parseForm } from '../support/html.js';

let laurel: RunningLaurel;
let c: Connected;
let ltik: string;

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
});
afterAll(async () => {
  await c?.emulator.close();
  await laurel?.close();
});

/** A page as a link inside Laurel reaches it: with the session token in the query (added unless the link has it). */
const page = (path: string) => request(laurel.url).get(path.includes('ltik=') ? path : `${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
const post = (path: string, form: Record<string, string>) => request(laurel.url).post(path).type('form').set('Accept', 'text/html').send({ ltik, ...form });

describe('the instructor pages', () => {
  it('the editor offers the grade columns the LMS reports, and explains what is hidden', async () => {
    const res = await page('/course/badges/new');
    expect(res.status).toBe(200);
    expect(res.text).toContain('>Quiz 1 (out of 10)</option>');
    expect(res.text).not.toContain('Participation');
    expect(res.text).toMatch(/Canvas shows Laurel only the grade columns of Laurel&#39;s own links/);
  });

  it('shows what to fix when a condition cannot be applied, keeping what was typed', async () => {
    const res = await post('/course/badges', { name: 'Half-done', combinator: 'all', kind_0: 'minGrade', item_0: '', value_0: '150', unit_0: 'percent' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Please fix');
    expect(res.text).toMatch(/between 0 and 100|0 and 100|0–100/);
    expect(res.text).toContain('value="Half-done"');
  });

  it('creates a badge from the form, lists it with its criteria in words, previews and evaluates', async () => {
    const editor = await page('/course/badges/new');
    const form = parseForm(editor.text, undefined);
    const quiz1 = editor.text.match(/<option value="([^"]+)"[^>]*>Quiz 1 \(out of 10\)/)![1];
    const created = await post(form.action, { name: 'Quiz 1 at 60 %', description: 'Quiz 1 done well', combinator: 'all', kind_0: 'minGrade', item_0: quiz1.replace(/&#38;|&amp;/g, '&'), value_0: '60', unit_0: 'percent', issueMode: 'automatic' });
    expect(created.status).toBe(303);

    const dashboard = await page('/course');
    expect(dashboard.text).toContain('Quiz 1 at 60 %');
    expect(dashboard.text).toMatch(/at least 60 % on Quiz 1/i);

    const preview = await page('/course/preview');
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(/Quiz 1 at 60 %: \d+ of \d+ qualify/);
    expect(preview.text).toMatch(/Quiz 1: [\d.]+ % of the 60 % needed|Quiz 1: not graded yet/);

    const started = await post('/course/evaluate', {});
    expect(started.status).toBe(303);
    expect(started.headers.location).toMatch(/^\/course\/jobs\//);
    let progress = await page(started.headers.location);
    // The job records the awards, then signs their credentials: allow for a busy machine.
    for (const deadline = Date.now() + 45_000; Date.now() < deadline && /Status: <strong>(queued|running)/.test(progress.text);) {
      await new Promise((r) => setTimeout(r, 100));
      progress = await page(started.headers.location); // a reload finds the same job
    }
    expect(progress.text).toMatch(/Status: <strong>done<\/strong><\/p>/); // not "done — done"
    expect(progress.text).toMatch(/\d+ badges? awarded, .* and 1 badge \(/); // the course's one badge, in the singular
  });

  it('keeps a job of another course out of reach', async () => {
    const res = await page('/course/jobs/not-a-job-of-this-course');
    expect(res.status).toBe(404);
  });

  it('queues awards of an approval-mode badge on the dashboard, and approving one issues its credential', async () => {
    const api = (path: string) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`);
    const columns = (await request(laurel.url).get('/api/course/line-items').set('Authorization', `Bearer ${ltik}`)).body.lineItems as { id: string; label: string }[];
    const created = await api('/api/course/badges').send({
      name: 'Essay <Approved>', description: 'An essay an instructor has read.', issueMode: 'approval',
      rules: { kind: 'all', rules: [{ kind: 'completed', lineItemId: columns.find((l) => l.label === 'Essay')!.id }] },
    });
    expect(created.status).toBe(201);
    const started = await api('/api/course/evaluations');
    for (const deadline = Date.now() + 45_000; Date.now() < deadline;) {
      const job = (await request(laurel.url).get(started.headers.location).set('Authorization', `Bearer ${ltik}`)).body;
      if (job.status === 'done' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const dashboard = await page('/course');
    expect(dashboard.text).toContain('Waiting for your approval');
    expect(dashboard.text).toContain('Essay &lt;Approved&gt;');
    const approve = parseForm(dashboard.text.slice(dashboard.text.indexOf('Waiting for your approval')));
    expect(approve.action).toMatch(/\/course\/awards\/[^/]+\/approve/);
    const awardId = decodeURIComponent(approve.action.split('/')[3]!);
    const before = (dashboard.text.match(/aria-label="Approve /g) ?? []).length;

    const approved = await post(approve.action.replace(/&amp;/g, '&'), {});
    expect(approved.status).toBe(303);
    const after = await page('/course');
    expect((after.text.match(/aria-label="Approve /g) ?? []).length).toBe(before - 1);
    const awards = (await request(laurel.url).get('/api/course/awards').set('Authorization', `Bearer ${ltik}`)).body.awards as { id: string; status: string; links?: { credential: string } }[];
    const award = awards.find((a) => a.id === awardId)!;
    expect(award.status).toBe('awarded');
    expect((await request(laurel.url).get(new URL(award.links!.credential).pathname)).status).toBe(200);
  });

  it('exports every award as CSV, with formulas kept as text', async () => {
    const res = await page('/course/awards.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename=".*badges\.csv"/);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('badge,learner id,name,email,status,origin,awarded at,awarded by,revoked at,revocation reason,verification page');
    const awards = (await request(laurel.url).get('/api/course/awards').set('Authorization', `Bearer ${ltik}`)).body.awards as unknown[];
    expect(lines.length - 1).toBe(awards.length);
    expect(res.text).toContain('Essay <Approved>');
    expect(res.text).toMatch(/,awarded,rules,/);
  });

  it('revokes from the list of holders after a confirmation that says who and how many, with a reason', async () => {
    const dashboard = await page('/course');
    const holders = dashboard.text.match(/href="(\/course\/badges\/[^"]+\/awards\?[^"]*)"/)![1]!.replace(/&amp;/g, '&');
    const list = await page(holders);
    expect(list.status).toBe(200);
    const revokeLink = list.text.match(/href="(\/course\/awards\/[^"]+\/revoke\?[^"]*)"/)![1]!.replace(/&amp;/g, '&');
    const confirm = await page(revokeLink);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toMatch(/This affects <strong>1 learner<\/strong>/);
    const form = parseForm(confirm.text);
    const empty = await post(form.action, { reason: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/Say why the badge is revoked/);
    const done = await post(form.action, { reason: 'Graded in error' });
    expect(done.status).toBe(303);
    const awardId = decodeURIComponent(form.action.split('/')[3]!);
    const awards = (await request(laurel.url).get('/api/course/awards').set('Authorization', `Bearer ${ltik}`)).body.awards as { id: string; status: string; revocationReason?: string }[];
    expect(awards.find((a) => a.id === awardId)).toMatchObject({ status: 'revoked', revocationReason: 'Graded in error' });
    expect((await page(holders)).text).toContain('revoked: Graded in error');
  });
});

