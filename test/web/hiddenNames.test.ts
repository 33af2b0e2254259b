/**
 * Names the LMS hides over LTI but lists in its own API (Moodle web services' enrolled users,
 * Canvas's enrollments): once an administrator connected that API, the instructor's pages name
 * the learners instead of showing their user ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { htmlText } from '../support/html.js';
import { connectMoodle } from '../../src/store/lmsConnection.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';

let laurel: RunningLaurel;
let c: Connected;
let ltik: string;

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'moodle', { privacy: { hideNames: true } });
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  const columns = (await request(laurel.url).get('/api/course/line-items').set('Authorization', `Bearer ${ltik}`)).body.lineItems as { id: string; label: string }[];
  const created = await request(laurel.url).post('/api/course/badges').set('Authorization', `Bearer ${ltik}`).send({
    name: 'Quiz 1 passed', description: '', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.find((l) => l.label === 'Quiz 1')!.id, percent: 60 }] },
  });
  expect(created.status).toBe(201);
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

const page = async (path: string) => htmlText((await request(laurel.url).get(`${path}?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html')).text);
const learners = () => c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');

describe('names hidden over LTI', () => {
  it('are ids while only LTI is read', async () => {
    const list = await page('/course/learners');
    expect(learners().filter((u) => list.includes(u.name))).toEqual([]);
  });

  it('are the names Moodle\'s web service lists once it is connected: on the learners page and in the preview', async () => {
    await connectMoodle(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, token: c.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] }) }, 'admin');
    const [list, preview] = [await page('/course/learners'), await page('/course/preview')];
    for (const u of learners()) {
      expect(list, u.name).toContain(u.name);
      expect(preview, u.name).toContain(u.name);
    }
  });
});
