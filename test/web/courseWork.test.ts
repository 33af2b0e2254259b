/**
 * What staff do with learners and awards through the pages, and what is kept of it: the draft
 * preview in the editor, alignments, learners and their drill-down, awarding and revoking in
 * bulk behind a confirmation that counts the learners, the audit log and its export, and the
 * engagement figures (viewed, downloaded, shared) from what a learner does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { decodeEntities } from '../support/html.js';

let laurel: RunningLaurel;
let c: Connected;
let ltik: string;
let learnerLtik: string;
let learnerId: string;

async function launchAs(userId: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId }));
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'moodle');
  const users = c.emulator.course.users;
  ltik = await launchAs(users.find((u) => u.role === 'Instructor')!.id);
  learnerId = users.find((u) => u.role === 'Learner' && u.status === 'Active')!.id;
  learnerLtik = await launchAs(learnerId);
});
afterAll(async () => {
  await c?.emulator.close();
  await laurel?.close();
});

const withLtik = (path: string, token: string) => (path.includes('ltik=') ? path : `${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(token)}`);
const page = (path: string, token = ltik) => request(laurel.url).get(withLtik(path, token)).set('Accept', 'text/html');
const post = (path: string, form: Record<string, string | string[]>, token = ltik) => request(laurel.url).post(path).type('form').set('Accept', 'text/html').send({ ltik: token, ...form });

async function untilDone(location: string) {
  let res = await page(location);
  for (const deadline = Date.now() + 45_000; Date.now() < deadline && /Status: <strong>(queued|running)/.test(res.text);) {
    await new Promise((r) => setTimeout(r, 100));
    res = await page(location);
  }
  return res;
}

/** A line item's id as the editor lists it. */
async function columnId(label: string): Promise<string> {
  const editor = await page('/course/badges/new');
  return decodeEntities(editor.text.match(new RegExp(`<option value="([^"]+)"[^>]*>${label} \\(out of`))![1]);
}

async function createBadge(form: Record<string, string>): Promise<string> {
  const res = await post('/course/badges', { combinator: 'all', issueMode: 'automatic', ...form });
  expect(res.status, res.text.slice(0, 2000)).toBe(303);
  const api = await request(laurel.url).get('/api/course/badges').set('Authorization', `Bearer ${ltik}`);
  return (api.body.badges as { id: string; name: string }[]).find((b) => b.name === form.name)!.id;
}

describe('the badge editor', () => {
  it('previews who would qualify with the badge as typed, saving nothing', async () => {
    const quiz1 = await columnId('Quiz 1');
    const res = await post('/course/badges/preview', { name: 'Draft only', combinator: 'all', kind_0: 'minGrade', item_0: quiz1, value_0: '50', unit_0: 'percent', issueMode: 'automatic' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/Preview: \d+ of \d+ learners would qualify/);
    expect(res.text).toMatch(/Quiz 1: [\d.]+ % of the 50 % needed|Quiz 1: not graded yet/);
    expect(res.text).toContain('value="Draft only"');
    const badges = await request(laurel.url).get('/api/course/badges').set('Authorization', `Bearer ${ltik}`);
    expect(badges.body.badges.map((b: { name: string }) => b.name)).not.toContain('Draft only');
  });

  it('keeps alignments, and says what to fix in one that has no link', async () => {
    const quiz1 = await columnId('Quiz 1');
    const bad = await post('/course/badges', { name: 'Aligned', combinator: 'all', kind_0: 'completed', item_0: quiz1, alignName_0: 'Critical thinking', alignUrl_0: 'not a link' });
    expect(bad.status).toBe(400);
    expect(decodeEntities(bad.text)).toContain('the link to "Critical thinking" must be an absolute http(s) URL');
    const id = await createBadge({ name: 'Aligned', kind_0: 'completed', item_0: quiz1, alignName_0: 'Critical thinking', alignUrl_0: 'https://example.org/skills/critical-thinking', alignCode_0: 'CT-1' });
    const badge = await request(laurel.url).get(`/api/course/badges/${id}`).set('Authorization', `Bearer ${ltik}`);
    expect(badge.body.alignments).toEqual([{ targetName: 'Critical thinking', targetUrl: 'https://example.org/skills/critical-thinking', targetCode: 'CT-1' }]);
  });
});

describe('learners, bulk work and the audit log', () => {
  let badgeId: string;
  const learners = () => c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');

  it('lists the learners and shows one learner\'s standing on every badge', async () => {
    badgeId = await createBadge({ name: 'Workshop helper', kind_0: 'approval' });
    const list = await page('/course/learners');
    expect(list.status).toBe(200);
    const first = learners()[0]!;
    expect(list.text).toContain(first.name);
    expect(list.text).not.toContain(c.emulator.course.users.find((u) => u.role === 'Instructor')!.name);
    const detail = await page(`/course/learners/${encodeURIComponent(first.id)}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Workshop helper');
    expect(detail.text).toContain('Not approved by an instructor yet');
    expect((await page('/course/learners/nobody-here')).status).toBe(404);
  });

  it('awards in bulk after a confirmation that counts the learners, once each, with progress that survives a reload', async () => {
    const chosen = learners().slice(0, 3).map((u) => u.id);
    const confirm = await post('/course/bulk/award/confirm', { badgeId, userId: chosen });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('to 3 learners?');
    expect(confirm.text).toMatch(/This affects <strong>3 learners<\/strong>/);

    const started = await post('/course/bulk/award', { badgeId, userId: [...chosen, 'someone-not-enrolled'] });
    expect(started.status).toBe(303);
    const done = await untilDone(started.headers.location);
    expect(done.text).toContain('3 of 3 learners awarded.');

    // Again, with one more: only the new learner is awarded, and the confirmation said so.
    const more = [...chosen, learners()[3]!.id];
    const again = await post('/course/bulk/award/confirm', { badgeId, userId: more });
    expect(again.text).toMatch(/This affects <strong>1 learner<\/strong>; 3 already hold it/);
    const second = await untilDone((await post('/course/bulk/award', { badgeId, userId: more })).headers.location);
    expect(second.text).toContain('1 of 4 learners awarded.');
    const awards = (await request(laurel.url).get('/api/course/awards').set('Authorization', `Bearer ${ltik}`)).body.awards as { badgeId: string; userId: string; links?: object }[];
    const mine = awards.filter((a) => a.badgeId === badgeId);
    expect(mine.map((a) => a.userId).sort()).toEqual([...more].sort());
    expect(mine.every((a) => a.links)).toBe(true);
  });

  it('revokes in bulk only with a reason, and says how many', async () => {
    const holders = await page(`/course/badges/${badgeId}/awards`);
    const ids = [...holders.text.matchAll(/name="awardId" value="([^"]+)"/g)].map((m) => m[1]!).slice(0, 2);
    expect(ids).toHaveLength(2);
    const confirm = await post('/course/bulk/revoke/confirm', { awardId: ids });
    expect(confirm.text).toMatch(/This affects <strong>2 learners<\/strong>/);
    const noReason = await post('/course/bulk/revoke', { awardId: ids, reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('Say why the badge is revoked');
    const started = await post('/course/bulk/revoke', { awardId: ids, reason: 'Awarded to the wrong group' });
    const done = await untilDone(started.headers.location);
    expect(done.text).toContain('2 of 2 badges revoked.');
    const verify = await request(laurel.url).get(`/verify/${ids[0]}`);
    expect(verify.text).toContain('Awarded to the wrong group');
  });

  it('keeps an audit log of who did what, and exports it', async () => {
    const log = await page('/course/audit');
    expect(log.status).toBe(200);
    const text = decodeEntities(log.text);
    for (const what of ['Badge created', 'Awarded by hand', 'Award revoked']) expect(text).toContain(what);
    expect(text).toContain('Awarded to the wrong group');
    expect((text.match(/Awarded by hand/g) ?? []).length).toBe(4); // four learners, each once
    const exported = await page('/course/audit.csv');
    expect(exported.headers['content-type']).toMatch(/text\/csv/);
    expect(exported.text.split('\r\n')[0]).toBe('at,by (user id),by (name),action,badge,learner id,award id,details');
    expect(exported.text).toContain('award.revoked,Workshop helper');
  });

  it('is for staff only', async () => {
    for (const path of ['/course/audit', '/course/audit.csv', '/course/learners']) expect((await page(path, learnerLtik)).status).toBe(403);
    expect((await post('/course/bulk/award', { badgeId, userId: [learnerId] }, learnerLtik)).status).toBe(403);
  });
});

describe('engagement figures', () => {
  it('counts a badge viewed by its learner, downloaded and opened from a shared link, once per learner', async () => {
    const badgeId = await createBadge({ name: 'Attendance', kind_0: 'approval' });
    const started = await post('/course/bulk/award', { badgeId, userId: [learnerId] });
    await untilDone(started.headers.location);
    const figures = async () => {
      const html = decodeEntities((await page('/course')).text);
      const row = html.slice(html.indexOf('Attendance</span>'));
      return [/(\d+) viewed by the learner/, /(\d+) downloaded/, /(\d+) shared/].map((re) => Number(row.match(re)![1]));
    };
    expect(await figures()).toEqual([0, 0, 0]);

    const mine = decodeEntities((await page('/me', learnerLtik)).text);
    await page('/me', learnerLtik); // a second visit counts once
    const card = mine.slice(mine.indexOf('>Attendance</h3>'));
    const png = new URL(card.match(/href="([^"]+\.png\?download)"/)![1]!);
    const downloaded = await request(laurel.url).get(png.pathname + png.search);
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['content-disposition']).toMatch(/attachment; filename="Attendance.png"/);
    await request(laurel.url).get(png.pathname); // an image fetched without "download" (a verifier, a backpack) is not counted
    const share = new URL(card.match(/class="share-link" readonly value="([^"]+)"/)![1]!);
    expect(share.searchParams.get('via')).toBe('share');
    expect((await request(laurel.url).get(share.pathname + share.search)).status).toBe(200);
    expect(await figures()).toEqual([1, 1, 1]);
  });
});

describe('badge images', () => {
  const hostile = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="200" onload="alert(1)">'
    + '<script>alert(2)</script><foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'
    + '<image href="http://evil.example/x.png" width="10" height="10"/><circle cx="100" cy="100" r="90" fill="#2e6b3a"/></svg>';

  it('cleans an SVG with script on upload, and signed credentials show (and bake) the cleaned image', async () => {
    const badgeId = await createBadge({ name: 'Pictured', kind_0: 'approval' });
    const uploaded = await request(laurel.url).post(`/course/badges/${badgeId}/image?ltik=${encodeURIComponent(ltik)}`)
      .attach('image', Buffer.from(hostile), { filename: 'badge.svg', contentType: 'image/svg+xml' });
    expect(uploaded.status, uploaded.text.slice(0, 1500)).toBe(303);
    const shown = await page(`/course/badges/${badgeId}/image`);
    const svg = shown.body instanceof Buffer ? shown.body.toString('utf8') : shown.text;
    expect(shown.headers['content-type']).toMatch(/image\/svg\+xml/);
    for (const gone of ['<script', 'onload', 'foreignObject', 'evil.example']) expect(svg).not.toContain(gone);
    expect(svg).toContain('<circle');

    await untilDone((await post('/course/bulk/award', { badgeId, userId: [learnerId] })).headers.location);
    const awards = (await request(laurel.url).get('/api/course/awards').set('Authorization', `Bearer ${ltik}`)).body.awards as { badgeId: string; links: { credential: string; svg: string } }[];
    const award = awards.find((a) => a.badgeId === badgeId)!;
    const credential = (await request(laurel.url).get(new URL(award.links.credential).pathname)).body as { credentialSubject: { achievement: { image: { id: string } } } };
    const imageUrl = new URL(credential.credentialSubject.achievement.image.id);
    expect(imageUrl.pathname).toMatch(/^\/images\/[0-9a-f]{64}$/);
    const hosted = await request(laurel.url).get(imageUrl.pathname).buffer(true);
    expect(hosted.headers['cache-control']).toContain('immutable');
    expect(Buffer.from(hosted.body).toString('utf8')).toBe(svg);
    const baked = await request(laurel.url).get(new URL(award.links.svg).pathname).buffer(true);
    const bakedText = Buffer.from(baked.body).toString('utf8');
    expect(bakedText).toContain('<circle');
    expect(bakedText).toContain('openbadges:credential');
    expect(bakedText).not.toContain('<script');

    const log = decodeEntities((await page('/course/audit')).text);
    expect(log).toContain('Badge image changed');
  });

  it('refuses a file that is not what it says, or too large, saying what to do', async () => {
    const badgeId = await createBadge({ name: 'Refused pictures', kind_0: 'approval' });
    const send = (bytes: Buffer, filename: string, contentType: string) => request(laurel.url).post(`/course/badges/${badgeId}/image?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html').attach('image', bytes, { filename, contentType });
    const html = await send(Buffer.from('<html><body>not a picture</body></html>'), 'badge.png', 'image/png');
    expect(html.status).toBe(400);
    expect(html.text).toContain('Please fix');
    const big = await send(Buffer.alloc(1_100_000, 1), 'huge.png', 'image/png');
    expect(big.status).toBe(400);
    expect(big.text).toContain('over 1 MB');
    const badge = await request(laurel.url).get(`/api/course/badges/${badgeId}`).set('Authorization', `Bearer ${ltik}`);
    expect(badge.body.image).toBeUndefined();
  });
});

describe('evidence from the learner page', () => {
  it('a badge that asks for evidence is signed once the learner adds it', async () => {
    const badgeId = await createBadge({ name: 'Portfolio', kind_0: 'approval', evidenceRequired: 'on' });
    await untilDone((await post('/course/bulk/award', { badgeId, userId: [learnerId] })).headers.location);
    const before = decodeEntities((await page('/me', learnerLtik)).text);
    const card = before.slice(before.indexOf('>Portfolio</h3>'));
    const action = card.match(/action="(\/me\/awards\/[^"]+\/evidence)\?/)![1]!;
    const bad = await post(action, { url: 'javascript:alert(1)' }, learnerLtik);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('must be an absolute http(s) URL');
    const added = await post(action, { url: 'https://portfolio.example/work', text: 'My lab notebook' }, learnerLtik);
    expect(added.status).toBe(303);
    const after = decodeEntities((await page(added.headers.location, learnerLtik)).text);
    expect(after).toContain('Your evidence is added.');
    const signed = after.slice(after.indexOf('>Portfolio</h3>'));
    expect(signed).toMatch(/href="[^"]+\.png\?download"/);
    // Another learner cannot add evidence to this award.
    const other = c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active')[5]!;
    expect((await post(action, { text: 'mine now' }, await launchAs(other.id))).status).toBe(404);
  });
});
