/**
 * Next term (issue 13, part 2 item 6): a course copied in the LMS brings Laurel's link and its
 * "Badge:" columns with the old scores, and no badges. The instructor brings every badge of the
 * earlier course in one step, from the course the launch's history names (Canvas) or from the
 * list of their earlier courses (Moodle), once however often or concurrently they click; rules
 * on activities that cannot be found again are reported; only an instructor of both courses may
 * do it; and the old columns are found, deleted, or adopted by the brought badge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { decodeEntities } from '../support/html.js';
import { courseKeyOf } from '../../src/store/course.js';
import { listBadges } from '../../src/store/badge.js';
import type { SeedActivity, SeedCourse } from '../emulator/index.js';
import type { BadgeDefinition } from '../../src/rules/badge.js';

let laurel: RunningLaurel;

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
});
afterAll(async () => {
  await laurel?.close();
});

async function launchAs(c: Connected, userId: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId }));
  expect(res.status).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

const withLtik = (path: string, ltik: string) => `${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`;
const page = (path: string, ltik: string) => request(laurel.url).get(withLtik(path, ltik)).set('Accept', 'text/html');
const post = (path: string, ltik: string, form: Record<string, string> = {}) => request(laurel.url).post(path).type('form').set('Accept', 'text/html').send({ ltik, ...form });
const api = (ltik: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body: object) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
});
const text = (html: string) => decodeEntities(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

const keyOf = (c: Connected, course: SeedCourse) => courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, course.contextId);
const instructorOf = (c: Connected) => c.emulator.course.users.find((u) => u.role === 'Instructor')!;

/** Three badges in the course of `ltik`: a stack (Level 2 needs Level 1) and one on the Essay; Level 1 shows in the grade book. */
async function defineBadges(ltik: string): Promise<Record<string, BadgeDefinition>> {
  const items = (await api(ltik).get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const item = (label: string) => items.find((i) => i.label === label)!.id;
  const create = async (b: object) => {
    const res = await api(ltik).post('/api/course/badges', b);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as BadgeDefinition;
  };
  const level1 = await create({ name: 'Quizzes, level 1', description: 'Quiz 1 done well', validFor: 'P2Y', gradebookColumn: true, group: 'quizzes', level: 1,
    rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: item('Quiz 1'), percent: 60 }] } });
  const level2 = await create({ name: 'Quizzes, level 2', description: 'Both quizzes', issueMode: 'approval', group: 'quizzes', level: 2,
    rules: { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: level1.id }, { kind: 'minGrade', lineItemId: item('Quiz 2'), points: 7 }] } });
  const essay = await create({ name: 'Essayist', description: 'A good essay', evidenceRequired: true, rules: { kind: 'any', rules: [{ kind: 'minGrade', lineItemId: item('Essay'), percent: 80 }] } });
  return { level1, level2, essay };
}

/**
 * What the earlier course's evaluations left in its grade book: a "Badge:" column per badge shown
 * there (Laurel made it when the badge was saved; made here for a badge deleted since), scored.
 */
function badgeColumn(c: Connected, label: string, badgeId: string, scoredUserIds: string[]): SeedActivity {
  const course = c.emulator.course;
  let column = course.activities.find((a) => a.resourceId === `laurel-badge:${badgeId}`);
  if (!column) {
    column = { id: String(900 + course.activities.length), label, scoreMaximum: 1, tag: 'laurel-badge', resourceId: `laurel-badge:${badgeId}`, ags: true, clientId: c.clientId };
    course.activities.push(column);
  }
  for (const userId of scoredUserIds) course.results.push({ userId, lineItemId: column.id, score: 1, scoreMaximum: 1, timestamp: '2025-06-01T10:00:00.000Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
  return column;
}

/** The "from" value of the earlier course's button on the list page. */
function fromValues(html: string): string[] {
  return [...html.matchAll(/name="from" value="([^"]+)"/g)].map((m) => m[1]!);
}

describe('next term in Canvas: the course history names the earlier course', () => {
  let c: Connected;
  let earlier: SeedCourse;
  let copy: SeedCourse;
  let source: Record<string, BadgeDefinition>;
  let ltik: string;

  beforeAll(async () => {
    c = await connectEmulator(laurel, 'canvas');
    earlier = c.emulator.course;
    source = await defineBadges(await launchAs(c, instructorOf(c).id));
    const learners = earlier.users.filter((u) => u.role === 'Learner' && u.status === 'Active').slice(0, 3).map((u) => u.id);
    badgeColumn(c, 'Badge: Quizzes, level 1', source.level1.id, learners);
    badgeColumn(c, 'Badge: A badge deleted since', 'deletedBadgeId000', learners.slice(0, 1));

    copy = c.emulator.copyCourse();
    copy.title = 'Introduction to Chemistry, spring';
    // Next term's essay is another assignment: its rule cannot be carried over by name.
    copy.activities.find((a) => a.label === 'Essay')!.label = 'Essay (new prompt)';
    ltik = await launchAs(c, instructorOf(c).id);
  });
  afterAll(async () => {
    await c?.emulator.close();
  });

  it('the launch carries the history Canvas substitutes for $Context.id.history: the earlier context id', () => {
    // canvas-lms lib/lti/variable_expander.rb, "Context.id.history": "a comma-separated list of the
    // context ids of the courses in reverse chronological order from which content has been copied".
    const claims = c.emulator.idTokenClaims({ userId: instructorOf(c).id, clientId: c.clientId, nonce: 'n' });
    expect((claims['https://purl.imsglobal.org/spec/lti/claim/custom'] as Record<string, string>).context_id_history).toBe(earlier.contextId);
  });

  it('the dashboard of the new course, with no badges, offers to bring them and lists the old columns', async () => {
    const dashboard = await page('/course', ltik);
    expect(dashboard.status).toBe(200);
    const words = text(dashboard.text);
    expect(words).toContain('No badges yet');
    expect(dashboard.text).toContain('href="/course/bring-badges?');
    expect(words).toContain('Badge columns from an earlier course');
    expect(words).toContain('Badge: Quizzes, level 1');
    expect(words).toContain('Badge: A badge deleted since');
    // Nothing to adopt before the badges are brought: only deleting is offered.
    expect(dashboard.text).not.toContain('/course/badge-columns/adopt');
  });

  it('lists the earlier course first, marked as the one this course was copied from', async () => {
    const list = await page('/course/bring-badges', ltik);
    expect(list.status).toBe(200);
    const words = text(list.text);
    expect(words).toContain('This course was copied from Introduction to Chemistry.');
    expect(words).toMatch(/Introduction to Chemistry CHEM 101 this course was copied from it 3 badges/);
    expect(fromValues(list.text)).toEqual([keyOf(c, earlier)]);
  });

  it('brings every badge in one click, prerequisites pointing at the copies, and reports the rule it could not carry over', async () => {
    const done = await post('/course/bring-badges', ltik, { from: keyOf(c, earlier) });
    expect(done.status).toBe(200);
    const words = text(done.text);
    expect(words).toContain('From Introduction to Chemistry: 3 badges copied, 0 badges already here.');
    expect(words).toContain('"Essay": no activity of this course has that name');
    expect(words.match(/Needs your attention/g)).toHaveLength(1);

    const brought = new Map((await listBadges(keyOf(c, copy))).map((b) => [b.name, b]));
    expect([...brought.keys()].sort()).toEqual(['Essayist', 'Quizzes, level 1', 'Quizzes, level 2']);
    const level1 = brought.get('Quizzes, level 1')!;
    const level2 = brought.get('Quizzes, level 2')!;
    expect(level1.id).not.toBe(source.level1.id);
    // Everything but the ids of what the rules name, as defined.
    expect(level1).toMatchObject({ description: 'Quiz 1 done well', validFor: 'P2Y', gradebookColumn: true, group: 'quizzes', level: 1, issueMode: 'automatic' });
    expect(level2).toMatchObject({ issueMode: 'approval', level: 2 });
    const items = (await api(ltik).get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
    const idOf = (label: string) => items.find((i) => i.label === label)!.id;
    expect(level1.rules).toEqual({ kind: 'all', rules: [{ kind: 'minGrade', lineItemId: idOf('Quiz 1'), percent: 60 }] });
    expect(level2.rules).toEqual({ kind: 'all', rules: [{ kind: 'prerequisite', badgeId: level1.id }, { kind: 'minGrade', lineItemId: idOf('Quiz 2'), points: 7 }] });
    expect(idOf('Quiz 1')).toContain(`/courses/${copy.id}/`);
    // The Essay's rule keeps the earlier column, which the editor flags for the instructor to replace.
    const essay = brought.get('Essayist')!;
    expect(essay.evidenceRequired).toBe(true);
    expect(essay.rules).toEqual(source.essay.rules);
    const editor = await page(`/course/badges/${essay.id}`, ltik);
    expect(editor.status).toBe(200);

    const audit = text((await page('/course/audit', ltik)).text);
    expect(audit.match(/Badge brought from an earlier course/g)).toHaveLength(3);
  });

  it('brings nothing twice: a second click finds them all there', async () => {
    const again = await post('/course/bring-badges', ltik, { from: keyOf(c, earlier) });
    expect(text(again.text)).toContain('0 badges copied, 3 badges already here');
    expect(await listBadges(keyOf(c, copy))).toHaveLength(3);
    const audit = text((await page('/course/audit', ltik)).text);
    expect(audit.match(/Badge brought from an earlier course/g)).toHaveLength(3);
  });

  it('awards never come along', async () => {
    const awards = (await api(ltik).get('/api/course/awards')).body.awards as unknown[];
    expect(awards).toEqual([]);
  });

  it('offers the brought badge its old column; adopting re-keys it, clears the earlier scores, and the next evaluation scores it there', async () => {
    const dashboard = await page('/course', ltik);
    const adopt = dashboard.text.match(/action="\/course\/badge-columns\/adopt[^"]*"[\s\S]*?name="lineItem" value="([^"]+)"/);
    expect(adopt, 'an adopt button').not.toBeNull();
    const column = c.emulator.course.activities.find((a) => a.label === 'Badge: Quizzes, level 1')!;
    expect(decodeEntities(adopt![1]!)).toContain(`/line_items/${column.id}`);
    expect(c.emulator.course.results.filter((r) => r.lineItemId === column.id && r.score !== undefined)).toHaveLength(3);

    const adopted = await post('/course/badge-columns/adopt', ltik, { lineItem: decodeEntities(adopt![1]!) });
    expect(adopted.status).toBe(303);
    const level1 = (await listBadges(keyOf(c, copy))).find((b) => b.name === 'Quizzes, level 1')!;
    expect(column.resourceId).toBe(`laurel-badge:${level1.id}`);
    expect(c.emulator.course.results.filter((r) => r.lineItemId === column.id && r.score !== undefined)).toEqual([]);
    expect(text((await page('/course', ltik)).text)).not.toContain('Badge: Quizzes, level 1 Use for the brought badge');

    // This term's grades: two learners do well on Quiz 1.
    const quiz1 = c.emulator.course.activities.find((a) => a.label === 'Quiz 1')!;
    const achievers = c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').slice(3, 5);
    for (const u of achievers) c.emulator.course.results.push({ userId: u.id, lineItemId: quiz1.id, score: 9, timestamp: '2026-02-01T10:00:00.000Z', activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    const started = await api(ltik).post('/api/course/evaluations', {});
    expect(started.status).toBe(202);
    let job = started.body as { id: string; status: string };
    for (const deadline = Date.now() + 45_000; Date.now() < deadline && /queued|running/.test(job.status);) {
      await new Promise((r) => setTimeout(r, 150));
      job = (await api(ltik).get(`/api/course/evaluations/${job.id}`)).body;
    }
    expect(job.status).toBe('done');
    // Learners earn it from this course's grades, and their scores land in the adopted column, not a new one.
    const badgeColumns = c.emulator.course.activities.filter((a) => a.tag === 'laurel-badge');
    expect(badgeColumns.map((a) => a.label).sort()).toEqual(['Badge: A badge deleted since', 'Badge: Quizzes, level 1']);
    expect(c.emulator.course.results.filter((r) => r.lineItemId === column.id && r.score === 1).map((r) => r.userId).sort()).toEqual(achievers.map((u) => u.id).sort());
  });

  it('deletes an old column no badge can take over', async () => {
    const orphan = c.emulator.course.activities.find((a) => a.label === 'Badge: A badge deleted since')!;
    const dashboard = await page('/course', ltik);
    const values = [...dashboard.text.matchAll(/action="\/course\/badge-columns\/delete[^"]*"[\s\S]*?name="lineItem" value="([^"]+)"/g)].map((m) => decodeEntities(m[1]!));
    expect(values).toHaveLength(1);
    expect(values[0]).toContain(`/line_items/${orphan.id}`);
    expect((await post('/course/badge-columns/delete', ltik, { lineItem: values[0]! })).status).toBe(303);
    expect(c.emulator.course.activities.some((a) => a.id === orphan.id)).toBe(false);
    expect(text((await page('/course', ltik)).text)).not.toContain('Badge columns from an earlier course');
    expect(text((await page('/course/audit', ltik)).text)).toContain('Old badge column deleted');
  });

  it('refuses to delete a column that is not an old one of this course, such as a brought badge\'s own', async () => {
    const own = c.emulator.course.activities.find((a) => a.label === 'Badge: Quizzes, level 1')!;
    const items = (await api(ltik).get('/api/course/line-items')).body.lineItems as { id: string }[];
    const url = items[0]!.id.replace(/\/line_items\/.*$/, `/line_items/${own.id}`);
    const refused = await post('/course/badge-columns/delete', ltik, { lineItem: url });
    expect(refused.status).toBe(404);
    expect(refused.headers['x-laurel-reason']).toBe('column_not_orphan');
    expect(c.emulator.course.activities).toContain(own);
  });

  it('refuses course staff who never launched as an instructor in the earlier course', async () => {
    const ta = c.emulator.course.users.find((u) => u.role === 'TeachingAssistant')!;
    const taLtik = await launchAs(c, ta.id);
    expect(fromValues((await page('/course/bring-badges', taLtik)).text)).toEqual([]);
    const refused = await post('/course/bring-badges', taLtik, { from: keyOf(c, earlier) });
    expect(refused.status).toBe(403);
    expect(refused.headers['x-laurel-reason']).toBe('not_taught');
    expect(text(refused.text)).toContain('Only an instructor of both courses may bring badges');

    const learner = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const learnerLtik = await launchAs(c, learner.id);
    expect((await post('/course/bring-badges', learnerLtik, { from: keyOf(c, earlier) })).status).toBe(403);
  });

  it('two clicks at the same moment, as on two Laurel instances, create each badge once', async () => {
    const third = c.emulator.copyCourse();
    const thirdLtik = await launchAs(c, instructorOf(c).id);
    const list = await page('/course/bring-badges', thirdLtik);
    // The history names the copy first, then the course it came from.
    expect(fromValues(list.text)).toEqual([keyOf(c, copy), keyOf(c, earlier)]);
    const both = await Promise.all([0, 1].map(() => post('/course/bring-badges', thirdLtik, { from: keyOf(c, earlier) })));
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const created = both.map((r) => Number(/: (\d+) badges? copied/.exec(text(r.text))![1]));
    expect(created[0]! + created[1]!).toBe(3);
    expect(await listBadges(keyOf(c, third))).toHaveLength(3);
  });
});

describe('next term in Moodle: an import sends no history, so the instructor picks from the list', () => {
  let c: Connected;
  let earlier: SeedCourse;
  let ltik: string;

  beforeAll(async () => {
    c = await connectEmulator(laurel, 'moodle');
    earlier = c.emulator.course;
    await defineBadges(await launchAs(c, instructorOf(c).id));
    c.emulator.copyCourse({ into: 'existingCourse' });
    ltik = await launchAs(c, instructorOf(c).id);
  });
  afterAll(async () => {
    await c?.emulator.close();
  });

  it('the launch\'s history is empty, and the list offers the earlier course unmarked', async () => {
    const claims = c.emulator.idTokenClaims({ userId: instructorOf(c).id, clientId: c.clientId, nonce: 'n' });
    expect((claims['https://purl.imsglobal.org/spec/lti/claim/custom'] as Record<string, string>).context_id_history).toBe('');
    const list = await page('/course/bring-badges', ltik);
    expect(fromValues(list.text)).toEqual([keyOf(c, earlier)]);
    expect(text(list.text)).not.toContain('was copied from');
  });

  it('brings the badges from the list, with every rule found again by name', async () => {
    const done = await post('/course/bring-badges', ltik, { from: keyOf(c, earlier) });
    expect(done.status).toBe(200);
    const words = text(done.text);
    expect(words).toContain('3 badges copied');
    expect(words).not.toContain('Needs your attention');
    const badges = await listBadges(keyOf(c, c.emulator.course));
    expect(badges).toHaveLength(3);
    const level1 = badges.find((b) => b.name === 'Quizzes, level 1')!;
    expect(badges.find((b) => b.name === 'Quizzes, level 2')!.rules).toMatchObject({ rules: [{ kind: 'prerequisite', badgeId: level1.id }, {}] });
    expect(JSON.stringify(level1.rules)).toContain(`services.php/${c.emulator.course.id}/lineitems/`);
  });
});
