/**
 * All of a learner's badges (issue 19, part 3): a learner of two courses of one registration of
 * Laurel in an emulated Canvas sees both courses' badges on one page, course by course, each with
 * where it stands (valid, expiring soon, expired, revoked with its reason) and a stack's path with
 * what its next level asks; never another learner's badges nor another registration's; "Add to
 * a wallet" works from this page for the other course's badge, for its learner only; and the
 * public page of badges is off until published, shows what was chosen with the verification
 * page's privacy, and is gone once withdrawn. Badges are made and awarded through the course API
 * as an instructor does; the one expired badge is awarded through Laurel's own store with a clock
 * three days back (nothing else makes a badge expire within a test), then signed by the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { installInEmulator } from '../demo/installInEmulator.js';
import { createAward, awardOf } from '../../src/store/award.js';
import { courseKeyOf } from '../../src/store/course.js';
import type { SeedCourse, SeedUser } from '../emulator/index.js';

let laurel: RunningLaurel;
let c: Connected;
/** Another registration of Laurel in the same LMS: same context id, same user ids, other people to Laurel. */
let sibling: Connected;
let first: SeedCourse;
let second: SeedCourse;
let learner: SeedUser;
let peer: SeedUser;

/** Sessions: the learner from each course and from the sibling registration, the peer from the first course. */
const s = {} as Record<'learnerFirst' | 'learnerSecond' | 'learnerSibling' | 'peerFirst' | 'instructorSecond', string>;
/** Award ids (public ids) by what they show. */
const a = {} as Record<'steady' | 'expiring' | 'revoked' | 'expired' | 'lab1' | 'second' | 'peerSteady' | 'peerSecond' | 'sibling', string>;

async function launchAs(conn: Connected, userId: string, locale?: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(conn, { userId, locale }));
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

const api = (ltik: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${ltik}`),
  post: (path: string, body: object = {}) => request(laurel.url).post(path).set('Authorization', `Bearer ${ltik}`).send(body),
});
const page = (path: string, ltik: string) => request(laurel.url).get(`${path}?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');
const post = (path: string, ltik: string, form: Record<string, string | string[]> = {}) => request(laurel.url).post(`${path}?ltik=${encodeURIComponent(ltik)}`).redirects(0).type('form').set('Accept', 'text/html').send({ ltik, ...form });

/** The page's sections, by the course heading each starts with. */
function sections(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<section aria-labelledby="course-\d+"[^>]*>([\s\S]*?)<\/section>/g)) {
    const heading = htmlText(/<h2[^>]*>([\s\S]*?)<\/h2>/.exec(m[1]!)![1]!);
    out.set(heading, htmlText(m[1]!));
  }
  return out;
}

/** One article's text: the badge card whose heading has this award's id. */
function card(html: string, awardId: string): string {
  const m = new RegExp(`<article[^>]*aria-labelledby="b-${awardId.replace(/[-]/g, '\\-')}"[^>]*>([\\s\\S]*?)</article>`).exec(html);
  return m ? htmlText(m[1]!) : '';
}

const dayMs = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0', RATE_LIMIT_PUBLIC: '10000' });
  c = await connectEmulator(laurel, 'canvas');
  sibling = { emulator: c.emulator, ...(await installInEmulator(c.emulator, laurel.url)) };
  first = c.emulator.course;
  [learner, peer] = first.users.filter((u) => u.role === 'Learner' && u.status === 'Active');
  const instructor = first.users.find((u) => u.role === 'Instructor')!;

  // The first course: badges of every kind, awarded by hand.
  const staff = api(await launchAs(c, instructor.id));
  const items = (await staff.get('/api/course/line-items')).body.lineItems as { id: string; label: string }[];
  const badge = async (name: string, more: object = {}) => {
    const res = await staff.post('/api/course/badges', { name, description: `${name}, described`, rules: { kind: 'approval' }, ...more });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const award = async (badgeId: string, userId: string) => {
    const res = await staff.post('/api/course/awards', { badgeId, userId });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  };
  const steady = await badge('Steady Hands');
  const expiring = await badge('Short Lived', { validFor: 'P10D' });
  const revoked = await badge('Taken Back');
  const lapsed = await badge('Long Gone', { validFor: 'P1D' });
  const lab1 = await badge('Lab I', { group: 'Lab skills', level: 1 });
  await badge('Lab II', { group: 'Lab skills', level: 2, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: items.find((i) => i.label === 'Quiz 2')!.id, percent: 95 }] } });
  await badge('Lab III', { group: 'Lab skills', level: 3 });
  a.steady = await award(steady, learner.id);
  a.expiring = await award(expiring, learner.id);
  a.revoked = await award(revoked, learner.id);
  a.lab1 = await award(lab1, learner.id);
  a.peerSteady = await award(steady, peer.id);
  expect((await staff.post(`/api/course/awards/${a.revoked}/revoke`, { reason: 'Work copied from a classmate' })).status).toBe(200);
  // Awarded three days ago, valid for a day: expired two days ago (signed when the learner's page asks).
  const firstKey = courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, first.contextId);
  expect(await createAward({ courseKey: firstKey, badgeId: lapsed, userId: learner.id, status: 'awarded', origin: 'instructor', awardedBy: instructor.id }, new Date(Date.now() - 3 * dayMs))).toBe(true);
  a.expired = (await awardOf(firstKey, lapsed, learner.id))!.id;
  s.learnerFirst = await launchAs(c, learner.id);
  s.peerFirst = await launchAs(c, peer.id);

  // Next term: a second course on the same registration, where the learner and the peer each hold a badge.
  second = c.emulator.copyCourse();
  second.title = 'Organic Chemistry';
  second.label = 'CHEM 201';
  s.instructorSecond = await launchAs(c, instructor.id);
  const staff2 = api(s.instructorSecond);
  const created = await staff2.post('/api/course/badges', { name: 'Second Term Star', description: 'From the second course', rules: { kind: 'approval' } });
  expect(created.status).toBe(201);
  a.second = (await staff2.post('/api/course/awards', { badgeId: created.body.id, userId: learner.id })).body.id;
  a.peerSecond = (await staff2.post('/api/course/awards', { badgeId: created.body.id, userId: peer.id })).body.id;
  s.learnerSecond = await launchAs(c, learner.id);

  // The sibling registration: the same LMS person (same user id) holds a badge there too.
  const siblingStaff = api(await launchAs(sibling, instructor.id));
  const siblingBadge = await siblingStaff.post('/api/course/badges', { name: 'Sibling Registration Badge', description: 'Elsewhere', rules: { kind: 'approval' } });
  a.sibling = (await siblingStaff.post('/api/course/awards', { badgeId: siblingBadge.body.id, userId: learner.id })).body.id;
  s.learnerSibling = await launchAs(sibling, learner.id);
});
afterAll(async () => {
  await c?.emulator.close();
  await laurel?.close();
});

describe('all of a learner\'s badges on one page', () => {
  it('the course page links to it', async () => {
    const res = await page('/me', s.learnerSecond);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`href="/me/all?ltik=`);
    expect(htmlText(res.text)).toContain('All my badges, from every course');
  });

  it('shows both courses of the registration, by title and label, each badge under its course with where it stands', async () => {
    const res = await page('/me/all', s.learnerSecond);
    expect(res.status).toBe(200);
    const bySection = sections(res.text);
    expect([...bySection.keys()]).toEqual(['Organic Chemistry (CHEM 201)', 'Introduction to Chemistry (CHEM 101)']);
    expect(bySection.get('Organic Chemistry (CHEM 201)')).toContain('Second Term Star');
    expect(bySection.get('Organic Chemistry (CHEM 201)')).not.toContain('Steady Hands');
    const firstCourse = bySection.get('Introduction to Chemistry (CHEM 101)')!;
    for (const name of ['Steady Hands', 'Short Lived', 'Taken Back', 'Long Gone', 'Lab I']) expect(firstCourse).toContain(name);

    expect(card(res.text, a.steady)).toContain('Valid');
    expect(card(res.text, a.second)).toMatch(/Valid/);
    const in10Days = new Date(Date.now() + 10 * dayMs).toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
    expect(card(res.text, a.expiring)).toContain(`Expiring soon: valid until ${in10Days}`);
    const twoDaysAgo = new Date(Date.now() - 2 * dayMs).toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
    expect(card(res.text, a.expired)).toContain(`Expired on ${twoDaysAgo}`);
    expect(card(res.text, a.revoked)).toContain('Revoked: Work copied from a classmate');
  });

  it('offers the course page\'s actions on every badge still held, and none on a revoked one', async () => {
    const html = (await page('/me/all', s.learnerSecond)).text;
    for (const id of [a.steady, a.expiring, a.expired, a.second]) {
      const text = card(html, id);
      expect(text, id).toContain('Download: PNG image');
      expect(text).toContain('Add to LinkedIn profile');
      expect(text).toContain('Add to a wallet');
      expect(html).toContain(`value="${laurel.url}/verify/${id}?via=share"`);
      expect(html).toContain(`action="/me/awards/${encodeURIComponent(id)}/wallet?ltik=`);
    }
    expect(card(html, a.revoked)).not.toContain('Add to a wallet');
    expect(html).not.toContain(`/me/awards/${encodeURIComponent(a.revoked)}/wallet`);
  });

  it('shows a stack as a path of its levels, with what the next level asks, in the LMS\'s names for its columns', async () => {
    const text = htmlText((await page('/me/all', s.learnerSecond)).text);
    expect(text).toContain('Your path in Lab skills');
    expect(text).toContain('Level 1: Lab I — earned');
    expect(text).toContain('Level 2: Lab II — next');
    expect(text).toContain('Level 3: Lab III — later');
    expect(text).toContain('Next, Lab II: Earn at least 95 % on Quiz 2.');
  });

  it('is the same from a session of the other course', async () => {
    const bySection = sections((await page('/me/all', s.learnerFirst)).text);
    expect([...bySection.keys()].sort()).toEqual(['Introduction to Chemistry (CHEM 101)', 'Organic Chemistry (CHEM 201)']);
  });

  it('in French when the LMS launches in French', async () => {
    const french = await launchAs(c, learner.id, 'fr-CA');
    const res = await page('/me/all', french);
    expect(res.text).toContain('<html lang="fr">');
    const text = htmlText(res.text);
    expect(text).toContain('Tous mes badges');
    expect(text).toContain('Retiré : Work copied from a classmate');
    expect(text).toContain('Niveau 2 : Lab II — le suivant');
    expect(text).toContain('Ensuite, Lab II : Obtenir au moins 95 % à Quiz 2.');
  });
});

describe('a learner never sees another learner\'s badges nor another registration\'s', () => {
  it('another learner of both courses sees their own badges only', async () => {
    const html = (await page('/me/all', s.peerFirst)).text;
    const text = htmlText(html);
    expect(text).toContain('Steady Hands');
    for (const theirs of ['Short Lived', 'Taken Back', 'Long Gone', 'Lab I', learner.name]) expect(text).not.toContain(theirs);
    for (const id of [a.steady, a.expiring, a.revoked, a.expired, a.lab1, a.second]) expect(html).not.toContain(id);
    expect(html).toContain(a.peerSteady);
    // The peer has not launched the second course since it began: it is not theirs to see yet.
    expect(html).not.toContain(a.peerSecond);
  });

  it('the same LMS user through another registration sees that registration\'s badges only', async () => {
    const html = (await page('/me/all', s.learnerSibling)).text;
    const text = htmlText(html);
    expect(text).toContain('Sibling Registration Badge');
    // (Its course is the same LMS course, by the same title, seen through the other registration.)
    for (const home of ['Steady Hands', 'Second Term Star', 'Introduction to Chemistry', 'CHEM 101']) expect(text).not.toContain(home);
    for (const id of [a.steady, a.second]) expect(html).not.toContain(id);
    expect(htmlText((await page('/me/all', s.learnerSecond)).text)).not.toContain('Sibling Registration Badge');
  });
});

describe('"Add to a wallet" from all the badges', () => {
  it('works for the other course\'s badge of the learner, and leads back to all the badges', async () => {
    // The session is the second course's; the badge is the first course's.
    const res = await post(`/me/awards/${encodeURIComponent(a.steady)}/wallet`, s.learnerSecond, { from: 'all' });
    expect(res.status).toBe(200);
    const text = htmlText(res.text);
    expect(text).toContain('Add Steady Hands to your wallet');
    expect(res.text).toContain('openid-credential-offer://');
    expect(res.text).toContain('href="/me/all?ltik=');
  });

  it('is refused for someone else\'s badge, for the same person through another registration, and for a revoked one', async () => {
    expect((await post(`/me/awards/${encodeURIComponent(a.steady)}/wallet`, s.peerFirst, { from: 'all' })).status).toBe(404);
    expect((await post(`/me/awards/${encodeURIComponent(a.second)}/wallet`, s.peerFirst, { from: 'all' })).status).toBe(404);
    expect((await post(`/me/awards/${encodeURIComponent(a.steady)}/wallet`, s.learnerSibling, { from: 'all' })).status).toBe(404);
    expect((await post(`/me/awards/${encodeURIComponent(a.steady)}/wallet`, s.instructorSecond, { from: 'all' })).status).toBe(404);
    expect((await post(`/me/awards/${encodeURIComponent(a.revoked)}/wallet`, s.learnerSecond, { from: 'all' })).status).toBe(404);
  });

  it('is refused for a badge of a course the learner holds but has not launched since this page exists', async () => {
    // The peer holds a badge of the second course, and launched only the first.
    expect((await post(`/me/awards/${encodeURIComponent(a.peerSecond)}/wallet`, s.peerFirst, { from: 'all' })).status).toBe(404);
  });
});

describe('the public page of badges', () => {
  let url: string;

  it('is off by default', async () => {
    const text = htmlText((await page('/me/all', s.learnerSecond)).text);
    expect(text).toContain('Off: nobody sees a page of your badges.');
    expect(text).toContain('Publish my page');
  });

  it('publishes the badges chosen, with the name only when asked, and no grades nor course', async () => {
    const published = await post('/me/all/profile', s.learnerSecond, { award: [a.steady, a.second], showName: 'on' });
    expect(published.status).toBe(303);
    expect(published.headers.location).toContain('note=published');
    const html = (await page('/me/all', s.learnerSecond)).text;
    url = /id="profile-link" class="share-link" readonly value="([^"]+)"/.exec(html)![1]!;
    expect(url).toMatch(new RegExp(`^${laurel.url}/profiles/[A-Za-z0-9_-]{22}$`));
    expect(html).toMatch(new RegExp(`id="pick-${a.steady}" name="award" value="${a.steady}" checked`));
    expect(html).toMatch(new RegExp(`id="pick-${a.expiring}" name="award" value="${a.expiring}" >`));

    const shown = await request(laurel.url).get(new URL(url).pathname).set('Accept', 'text/html');
    expect(shown.status).toBe(200);
    expect(shown.headers['x-robots-tag']).toBe('noindex');
    expect(shown.headers.ratelimit).toMatch(/^"public"/);
    const text = htmlText(shown.text);
    expect(text).toContain(`Badges of ${learner.name}`);
    expect(text).toContain('Steady Hands');
    expect(text).toContain('Second Term Star');
    for (const hidden of ['Short Lived', 'Taken Back', 'Introduction to Chemistry', 'Organic Chemistry', 'CHEM 101', learner.email!]) expect(text).not.toContain(hidden);
    expect(shown.text).toContain(`href="${laurel.url}/verify/${a.steady}"`);
  });

  it('changes what it shows at the same address: without the name, a revoked badge shown as revoked', async () => {
    const saved = await post('/me/all/profile', s.learnerFirst, { award: [a.revoked, a.expired] });
    expect(saved.headers.location).toContain('note=saved');
    const html = (await page('/me/all', s.learnerFirst)).text;
    expect(html).toContain(`value="${url}"`);
    const text = htmlText((await request(laurel.url).get(new URL(url).pathname).set('Accept', 'text/html')).text);
    expect(text).not.toContain(learner.name);
    expect(text).not.toContain('Steady Hands');
    expect(text).toContain('Revoked: Work copied from a classmate.');
    expect(text).toMatch(/Long Gone .*Expired on/);
  });

  it('takes only the learner\'s own signed badges, and nothing from a refused choice', async () => {
    expect((await post('/me/all/profile', s.peerFirst, { award: [a.steady] })).status).toBe(404);
    expect((await post('/me/all/profile', s.learnerSibling, { award: [a.steady] })).status).toBe(404);
    expect((await post('/me/all/profile', s.learnerSecond, { award: [a.steady, a.peerSteady] })).status).toBe(404);
    expect(htmlText((await page('/me/all', s.peerFirst)).text)).toContain('Off: nobody sees a page of your badges.');
    // The learner's page still shows what they chose last.
    expect(htmlText((await request(laurel.url).get(new URL(url).pathname)).text)).toContain('Taken Back');
    const none = await post('/me/all/profile', s.learnerSecond, {});
    expect(none.headers.location).toContain('note=nothingChosen');
  });

  it('is gone once withdrawn (410), and publishing again makes a new address', async () => {
    const withdrawn = await post('/me/all/profile/withdraw', s.learnerSecond);
    expect(withdrawn.status).toBe(303);
    expect(withdrawn.headers.location).toContain('note=withdrawn');
    const gone = await request(laurel.url).get(new URL(url).pathname).set('Accept', 'text/html');
    expect(gone.status).toBe(410);
    expect(htmlText(gone.text)).not.toContain('Taken Back');
    expect(htmlText((await page('/me/all', s.learnerSecond)).text)).toContain('Off: nobody sees a page of your badges.');
    // Withdrawing again: nothing was published, nothing said.
    expect((await post('/me/all/profile/withdraw', s.learnerSecond)).headers.location).not.toContain('note=');

    await post('/me/all/profile', s.learnerSecond, { award: a.second });
    const again = /id="profile-link" class="share-link" readonly value="([^"]+)"/.exec((await page('/me/all', s.learnerSecond)).text)![1]!;
    expect(again).not.toBe(url);
    expect((await request(laurel.url).get(new URL(url).pathname)).status).toBe(410);
    expect((await request(laurel.url).get(new URL(again).pathname)).status).toBe(200);
    expect((await request(laurel.url).get('/profiles/AAAAAAAAAAAAAAAAAAAAAA').set('Accept', 'text/html')).status).toBe(404);
  });
});
