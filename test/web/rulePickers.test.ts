/**
 * The editor's pickers with Moodle's web service connected, where a graded activity's grade and
 * its completion are one id (`moodle:cm:N`): each is its own option, a stored badge comes back
 * with the option it names chosen (a `minGrade` the grade, a `completed` the completion), and
 * the form, submitted as a browser submits it, saves the badge unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { decodeEntities, parseForm } from '../support/html.js';
import { connectMoodle } from '../../src/store/lmsConnection.js';
import { MOODLE_WS_FUNCTIONS } from '../../src/lms/moodleWs/moodleWsApi.js';
import { getBadge, saveBadge } from '../../src/store/badge.js';
import { courseKeyOf } from '../../src/store/course.js';
import type { Rule } from '../../src/rules/badge.js';

let laurel: RunningLaurel;
let c: Connected;
let ltik: string;
let rules: Rule;
const courseKey = () => courseKeyOf(c.emulator.issuer, c.clientId, c.deploymentId, c.emulator.course.contextId);

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'moodle');
  await connectMoodle(c.emulator.issuer, c.clientId, { baseUrl: c.emulator.url, token: c.emulator.moodleWsToken({ functions: [...MOODLE_WS_FUNCTIONS] }) }, 'admin');
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const res = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  // Participation: an ordinary assignment, graded and with completion, one course module.
  const { course } = c.emulator;
  const participation = course.activities.find((a) => a.label === 'Participation')!;
  const cm = `moodle:cm:${course.modules.flatMap((m) => m.items).find((i) => i.activityId === participation.id)!.id}`;
  rules = { kind: 'all', rules: [{ kind: 'completed', lineItemId: cm }, { kind: 'minGrade', lineItemId: cm, percent: 80 }] };
  await saveBadge(courseKey(), { id: 'both', name: 'Participation done well', description: '', tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false, rules }, instructor.id);
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

const page = (path: string) => request(laurel.url).get(`${path}?ltik=${encodeURIComponent(ltik)}`).set('Accept', 'text/html');

/** The options of a select: value, label, chosen. */
function options(html: string, name: string) {
  const select = html.match(new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`))![1]!;
  return [...select.matchAll(/<option value="([^"]*)"\s*(selected)?[^>]*>([^<]*)</g)].map((m) => ({ value: decodeEntities(m[1]!), chosen: m[2] === 'selected', label: decodeEntities(m[3]!) }));
}

/** What a browser submits: the inputs, and each select's chosen option (the last marked, as browsers pick). */
function submission(html: string): Record<string, string> {
  const { fields } = parseForm(html.slice(html.indexOf('<form method="post" action="/course/badges/')));
  for (const m of html.matchAll(/<select[^>]*name="([^"]+)"/g)) {
    const chosen = options(html, m[1]!).filter((o) => o.chosen);
    fields[m[1]!] = chosen.at(-1)?.value ?? options(html, m[1]!)[0]!.value;
  }
  return fields;
}

describe('a Moodle activity\'s grade and completion in the rule pickers', () => {
  it('are two options with values of their own, and each stored condition comes back with its own chosen', async () => {
    const editor = await page('/course/badges/both');
    expect(editor.status).toBe(200);
    const [completion, grade] = [options(editor.text, 'item_0'), options(editor.text, 'item_1')];
    const participation = completion.filter((o) => o.label.startsWith('Participation'));
    expect(participation).toHaveLength(2);
    expect(new Set(participation.map((o) => o.value)).size).toBe(2);
    expect(completion.filter((o) => o.chosen)).toEqual([expect.objectContaining({ label: 'Participation' })]);
    expect(grade.filter((o) => o.chosen)).toEqual([expect.objectContaining({ label: expect.stringMatching(/^Participation \(out of 10\)/) })]);
    expect(completion.find((o) => o.chosen)!.value).not.toBe(grade.find((o) => o.chosen)!.value);
  });

  it('round-trip: the form saved as it came saves the same badge', async () => {
    const editor = await page('/course/badges/both');
    const saved = await request(laurel.url).post('/course/badges/both').type('form').set('Accept', 'text/html').send(submission(editor.text));
    expect(saved.status, saved.text.slice(0, 2000)).toBe(303);
    expect((await getBadge(courseKey(), 'both'))!.rules).toEqual(rules);
    // And again, from the page the save leads back to.
    const again = await page('/course/badges/both');
    expect(options(again.text, 'item_0').filter((o) => o.chosen).map((o) => o.label)).toEqual(['Participation']);
  });
});
