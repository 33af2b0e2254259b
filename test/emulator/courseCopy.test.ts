/**
 * Next term in the emulator: a course copy as Canvas's course copy and Moodle's backup and
 * restore leave it (a new course and context id, the tool's links and its own columns with
 * their scores under new ids, the earlier course still answering its services), and the copy
 * history a tool asks for with `$Context.id.history`, as each LMS computes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Flavour } from './index.js';
import { accessToken, startToolStub, type ToolStub } from './toolStub.js';

const CUSTOM = 'https://purl.imsglobal.org/spec/lti/claim/custom';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/';
const LINEITEMS = 'application/vnd.ims.lis.v2.lineitemcontainer+json';

let emu: Emulator | undefined;
let tool: ToolStub | undefined;
afterEach(async () => {
  await emu?.close();
  await tool?.close();
});

async function withTool(flavour: Flavour, customParameters?: Record<string, string>) {
  emu = await startEmulator({ flavour });
  tool = await startToolStub();
  const { clientId } = emu.registerTool({ ...tool.registration, ...(customParameters ? { customParameters } : {}) });
  const custom = () => emu!.idTokenClaims({ userId: emu!.course.users[0]!.id, clientId, nonce: 'n' })[CUSTOM] as Record<string, string>;
  return { emu, clientId, custom };
}

/** A column the tool made, as Laurel's "Badge:" columns are, with one learner's score. */
function toolColumn(e: Emulator, clientId: string) {
  const learner = e.course.users.find((u) => u.role === 'Learner')!;
  e.course.activities.push({ id: '77', label: 'Badge: Lab safety', scoreMaximum: 1, tag: 'laurel-badge', resourceId: 'laurel-badge:abc', ags: true, clientId });
  e.course.results.push({ userId: learner.id, lineItemId: '77', score: 1, scoreMaximum: 1, timestamp: '2025-05-01T00:00:00.000Z' });
}

async function lineItems(e: Emulator, clientId: string, url: string) {
  const token = await accessToken(e, tool!, clientId, [`${AGS}scope/lineitem`]);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: LINEITEMS } });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; label: string; tag?: string; resourceId?: string }[];
}

describe('Context.id.history', () => {
  it('Canvas: "" for a course never copied, then the context ids copied from, most recent first, comma-separated', async () => {
    // canvas-lms lib/lti/variable_expander.rb ("Context.id.history") and
    // lib/lti/substitutions_helper.rb (recursively_fetch_previous_lti_context_ids: "" without a migration).
    const { emu, custom } = await withTool('canvas', { context_id_history: '$Context.id.history', course: '$Canvas.course.id', unknown: '$No.such.variable' });
    const first = emu.course;
    expect(custom()).toMatchObject({ context_id_history: '', course: first.id, unknown: '$No.such.variable' });
    const second = emu.copyCourse();
    expect(second.contextId).not.toBe(first.contextId);
    expect(custom()).toMatchObject({ context_id_history: first.contextId, course: second.id, canvas_course_id: second.id });
    emu.copyCourse();
    expect(custom().context_id_history).toBe(`${second.contextId},${first.contextId}`);
  });

  it('Moodle: the originalcourseid chain after a restore into a new course; nothing after an import into an existing one', async () => {
    // mod/lti/locallib.php (get_course_history) and backup/moodle2/restore_stepslib.php, Moodle 4.5.6.
    const { emu, custom } = await withTool('moodle', { context_id_history: '$Context.id.history' });
    const first = emu.course;
    expect(custom().context_id_history).toBe('');
    emu.copyCourse({ into: 'newCourse' });
    expect(custom().context_id_history).toBe(first.contextId);
    expect(first.contextId).toBe(first.id);
    emu.copyCourse({ into: 'existingCourse' });
    expect(custom().context_id_history).toBe('');
  });

  it('is not sent to a tool that does not ask for it', async () => {
    const { emu, custom } = await withTool('canvas');
    emu.copyCourse();
    expect(custom()).not.toHaveProperty('context_id_history');
  });
});

describe('a course copy', () => {
  for (const flavour of ['canvas', 'moodle'] as const) {
    it(`${flavour}: brings the tool's links and its columns with their scores under new ids, and leaves the earlier course answering`, async () => {
      const { emu, clientId } = await withTool(flavour);
      toolColumn(emu, clientId);
      const first = emu.course;
      const earlierUrl = emu.idTokenClaims({ userId: first.users[0]!.id, clientId, nonce: 'n' })[`${AGS}claim/endpoint`] as { lineitems: string };
      const copy = emu.copyCourse();

      expect(copy.id).not.toBe(first.id);
      expect(copy.activities.map((a) => a.label)).toEqual(first.activities.map((a) => a.label));
      expect(copy.activities.filter((a) => first.activities.some((f) => f.id === a.id))).toEqual([]);
      const column = copy.activities.find((a) => a.label === 'Badge: Lab safety')!;
      expect(column).toMatchObject({ tag: 'laurel-badge', resourceId: 'laurel-badge:abc', clientId });
      expect(copy.results).toEqual([expect.objectContaining({ lineItemId: column.id, score: 1 })]);
      expect(copy.completions).toEqual([]);

      const now = emu.idTokenClaims({ userId: copy.users[0]!.id, clientId, nonce: 'n' })[`${AGS}claim/endpoint`] as { lineitems: string };
      expect(now.lineitems).not.toBe(earlierUrl.lineitems);
      expect((await lineItems(emu, clientId, now.lineitems)).find((i) => i.label === 'Badge: Lab safety')?.id).toContain(`/${column.id}`);
      // The earlier course is still in the LMS, with its own columns.
      const earlier = await lineItems(emu, clientId, earlierUrl.lineitems);
      expect(earlier.find((i) => i.label === 'Badge: Lab safety')?.id).toMatch(/\/77(\/lineitem)?(\?|$)/);
    });
  }
});
