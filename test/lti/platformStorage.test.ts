/**
 * Laurel's Platform Storage page script (views/assets/platform-storage.js) against the emulated
 * Canvas's storage script, both run as their pages would, windows played by small fakes that
 * deliver postMessage as a browser does (target origin checked, event origin and source set).
 *
 * What Canvas does, read in canvas-lms:
 * - ui/shared/lti/jquery/platform_storage.ts: 500 keys and 4,096 characters per tool and page,
 *   every put counted (addToLimit on each put, a key already stored included);
 * - ui/shared/lti/jquery/subjects/lti.put_data.ts: a put without value clears (clearData) and
 *   gives its share back; lti.capabilities.ts lists lti.put_data and lti.get_data;
 * - ui/shared/lti/jquery/messages.ts: the course page itself answers put/get, which is where
 *   `lti_storage_target=_parent` sends them (doc/api lti_window_post_message: "_parent means
 *   messages should be sent to window.parent"; the named frame sits on the OIDC auth origin).
 * Any site may frame Laurel's login page, so with `_parent` the page believes only the sites the
 * platform is known to show Laurel from (data-origins, from web/shared/frameAncestors.ts).
 */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { STORAGE_FRAME, storageScript } from '../emulator/platformStorage.js';

const TOOL = 'https://laurel.example';
const SCHOOL = 'https://school.example';
const SSO = 'https://sso.example';
const UNKNOWN = 'https://unknown.example';
const SCRIPT = readFileSync(new URL('../../views/assets/platform-storage.js', import.meta.url), 'utf8');

interface Sent { from: string; to: string; targetOrigin: string; data: Record<string, unknown>; delivered: boolean }
type Listener = (e: { data: unknown; origin: string; source: FakeWindow }) => void;
interface FakeWindow { origin: string; listeners: Listener[]; postMessage(data: unknown, targetOrigin: string): void; addEventListener(t: string, l: Listener): void; frames: Record<string, FakeWindow>; parent?: FakeWindow }

/** A little browser: windows that know their origin; `post` records every message, delivered or not. */
function world() {
  const sent: Sent[] = [];
  function win(origin: string, sender: () => FakeWindow): FakeWindow {
    const w: FakeWindow = {
      origin, listeners: [], frames: {},
      addEventListener: (_t, l) => { w.listeners.push(l); },
      postMessage(data, targetOrigin) {
        const from = sender();
        const delivered = targetOrigin === '*' || targetOrigin === origin;
        sent.push({ from: from.origin, to: origin, targetOrigin, data: JSON.parse(JSON.stringify(data)), delivered });
        if (delivered) setTimeout(() => { for (const l of w.listeners) l({ data: JSON.parse(JSON.stringify(data)), origin: from.origin, source: from }); }, 1);
      },
    };
    return w;
  }
  return { sent, win };
}

/** Runs Laurel's page in a tool frame under `parent`; resolves with where it went or what it posted. */
function laurelPage(o: { mode: 'put' | 'get'; target: string; origin: string; origins?: string[]; state: string; nonce?: string; parent: FakeWindow; tool: FakeWindow }) {
  return new Promise<{ href?: string; submitted?: Record<string, string>; failed?: boolean; ms: number }>((resolve) => {
    const started = Date.now();
    const fields = { lti_storage_state: { value: '' }, lti_storage_nonce: { value: '' } };
    const elements: Record<string, unknown> = {
      'platform-storage': { dataset: { mode: o.mode, target: o.target, origin: o.origin, origins: (o.origins ?? (o.target === '_parent' ? [SSO, SCHOOL] : [])).join(' '), state: o.state, nonce: o.nonce ?? '', next: 'https://sso.example/api/lti/authorize?state=' + o.state } },
      continue: { elements: fields, submit: () => resolve({ submitted: { state: fields.lti_storage_state.value, nonce: fields.lti_storage_nonce.value }, ms: Date.now() - started }) },
      'storage-failed': { set hidden(v: boolean) { if (!v) resolve({ failed: true, ms: Date.now() - started }); } },
    };
    const window = Object.assign(o.tool, {
      parent: o.parent,
      location: { set href(v: string) { resolve({ href: v, ms: Date.now() - started }); } },
    });
    runInNewContext(SCRIPT, { window, document: { getElementById: (id: string) => elements[id] }, setTimeout, clearTimeout, setInterval, clearInterval });
  });
}

/** A Canvas course page with the storage frame off: the page stores (`_parent`). */
function coursePage(w: ReturnType<typeof world>, toolWindow: () => FakeWindow, withStorage = true, origin = SCHOOL) {
  const page = w.win(origin, toolWindow);
  runInNewContext(storageScript([TOOL], withStorage), { window: page });
  return page;
}

describe('LTI Platform Storage with lti_storage_target=_parent (Canvas with its storage frame off)', () => {
  it('stores in the course page, on the page\'s own origin, reads back at launch, then clears', async () => {
    const w = world();
    let tool: FakeWindow;
    const page = coursePage(w, () => tool);
    tool = w.win(TOOL, () => page);

    const put = await laurelPage({ mode: 'put', target: '_parent', origin: SSO, state: 's1', nonce: 'n1', parent: page, tool });
    expect(put.href).toContain('/api/lti/authorize');
    tool = w.win(TOOL, () => page);
    const got = await laurelPage({ mode: 'get', target: '_parent', origin: SSO, state: 's1', parent: page, tool });
    expect(got.submitted).toEqual({ state: 's1', nonce: 'n1' });

    // Values only ever went to the origin that answered lti.capabilities, never '*' nor the login host.
    const carrying = w.sent.filter((s) => s.from === TOOL && s.data.subject !== 'lti.capabilities');
    expect(carrying.length).toBe(6); // two puts, two gets, two clears
    expect(carrying.every((s) => s.targetOrigin === SCHOOL && s.delivered)).toBe(true);
    // Cleared: a second read finds nothing.
    tool = w.win(TOOL, () => page);
    const again = await laurelPage({ mode: 'get', target: '_parent', origin: SSO, state: 's1', parent: page, tool });
    expect(again.submitted).toEqual({ state: '', nonce: '' });
  });

  it('stays inside Canvas\'s budget over 300 launches in one page (which, not cleared, would fill it within 30)', async () => {
    const w = world();
    let tool: FakeWindow;
    const page = coursePage(w, () => tool);
    for (let i = 0; i < 300; i++) {
      const state = `state-${i}-${'x'.repeat(24)}`;
      tool = w.win(TOOL, () => page);
      await laurelPage({ mode: 'put', target: '_parent', origin: SSO, state, nonce: `nonce-${i}-${'y'.repeat(24)}`, parent: page, tool });
      tool = w.win(TOOL, () => page);
      const got = await laurelPage({ mode: 'get', target: '_parent', origin: SSO, state, parent: page, tool });
      expect(got.submitted?.state).toBe(state);
    }
    const answers = w.sent.filter((s) => s.from === SCHOOL);
    expect(answers.some((s) => JSON.stringify(s.data).includes('storage_exhaustion'))).toBe(false);
    // Each value was put once: no re-sends to count twice.
    const puts = w.sent.filter((s) => s.data.subject === 'lti.put_data' && s.data.value);
    expect(new Set(puts.map((s) => s.data.key)).size).toBe(puts.length);
  }, 60_000);

  it('re-sends only lti.capabilities while the page is not listening yet, and each put once after', async () => {
    const w = world();
    let tool: FakeWindow;
    const page = w.win(SCHOOL, () => tool);
    tool = w.win(TOOL, () => page);
    setTimeout(() => runInNewContext(storageScript([TOOL], true), { window: page }), 700);
    const put = await laurelPage({ mode: 'put', target: '_parent', origin: SSO, state: 's', nonce: 'n', parent: page, tool });
    expect(put.href).toBeDefined();
    expect(w.sent.filter((s) => s.data.subject === 'lti.capabilities').length).toBeGreaterThan(2);
    expect(w.sent.filter((s) => s.data.subject === 'lti.put_data').length).toBe(2);
  });

  it('goes on to the cookie at once when the platform answers that it stores nothing', async () => {
    const w = world();
    let tool: FakeWindow;
    const page = w.win(SCHOOL, () => tool);
    page.addEventListener('message', (e) => {
      const d = e.data as Record<string, unknown>;
      if (d.subject === 'lti.capabilities') e.source.postMessage({ subject: 'lti.capabilities.response', message_id: d.message_id, supported_messages: [{ subject: 'lti.capabilities' }] }, e.origin);
    });
    tool = w.win(TOOL, () => page);
    const put = await laurelPage({ mode: 'put', target: '_parent', origin: SSO, state: 's', nonce: 'n', parent: page, tool });
    expect(put.href).toBeDefined();
    expect(put.ms).toBeLessThan(1000);
    expect(w.sent.some((s) => s.data.subject === 'lti.put_data')).toBe(false);
  });
});

describe('LTI Platform Storage with lti_storage_target=_parent on a site the platform does not show Laurel from', () => {
  it('sends no value to a page on an unknown site that answers as Canvas would, and goes on to the cookie at once', async () => {
    const w = world();
    let tool: FakeWindow;
    // A site that frames Laurel's login page and stores as Canvas's course page does.
    const page = coursePage(w, () => tool, true, UNKNOWN);
    tool = w.win(TOOL, () => page);
    const put = await laurelPage({ mode: 'put', target: '_parent', origin: SSO, origins: [SSO, SCHOOL], state: 'the-state', nonce: 'the-nonce', parent: page, tool });
    // On to the platform's login, as when storage is unavailable: the state cookie is all there is.
    expect(put.href).toContain('/api/lti/authorize');
    expect(put.ms).toBeLessThan(1000);
    // It answered lti.capabilities, and got nothing after it: no put, no value, delivered or not.
    expect(w.sent.some((s) => s.from === UNKNOWN && s.data.subject === 'lti.capabilities.response')).toBe(true);
    expect(w.sent.filter((s) => s.from === TOOL && s.data.subject !== 'lti.capabilities')).toEqual([]);
    expect(JSON.stringify(w.sent)).not.toMatch(/the-state|the-nonce/);
  });

  it('at launch, takes no state from it: the page says the browser blocked the launch', async () => {
    const w = world();
    let tool: FakeWindow;
    const page = coursePage(w, () => tool, true, UNKNOWN);
    tool = w.win(TOOL, () => page);
    const got = await laurelPage({ mode: 'get', target: '_parent', origin: SSO, origins: [SSO, SCHOOL], state: 's', parent: page, tool });
    expect(got.failed).toBe(true);
    expect(w.sent.some((s) => s.data.subject === 'lti.get_data')).toBe(false);
  });

  it('asks nobody when Laurel knows no site of the platform', async () => {
    const w = world();
    let tool: FakeWindow;
    const page = coursePage(w, () => tool);
    tool = w.win(TOOL, () => page);
    const put = await laurelPage({ mode: 'put', target: '_parent', origin: SSO, origins: [], state: 's', nonce: 'n', parent: page, tool });
    expect(put.href).toBeDefined();
    expect(w.sent).toEqual([]);
  });
});

describe('LTI Platform Storage in Canvas\'s forwarding frame', () => {
  it('talks to the named frame on the OIDC auth origin only', async () => {
    const w = world();
    let tool: FakeWindow;
    const frame = w.win(SSO, () => tool);
    runInNewContext(storageScript([TOOL], true), { window: frame });
    const page = w.win(SCHOOL, () => tool);
    page.frames[STORAGE_FRAME] = frame;
    tool = w.win(TOOL, () => frame);
    const put = await laurelPage({ mode: 'put', target: STORAGE_FRAME, origin: SSO, state: 's', nonce: 'n', parent: page, tool });
    expect(put.href).toBeDefined();
    expect(w.sent.filter((s) => s.from === TOOL).every((s) => s.to === SSO && s.targetOrigin === SSO)).toBe(true);
  });
});

describe('the emulated Canvas storage keeps Canvas\'s budget', () => {
  it('counts a key put again, refuses past 4,096 characters, and gives room back on a put without value', () => {
    let listener!: Listener;
    const replies: Record<string, unknown>[] = [];
    runInNewContext(storageScript([TOOL], true), { window: { addEventListener: (_: string, l: Listener) => { listener = l; } } });
    const source = { postMessage: (m: Record<string, unknown>) => replies.push(m) } as unknown as FakeWindow;
    const put = (key: string, value?: string) => listener({ origin: TOOL, source, data: { subject: 'lti.put_data', message_id: String(replies.length), key, value } });
    const value = 'v'.repeat(1000);
    for (let i = 0; i < 4; i++) put('k', value); // 4 × 1,001 characters: the same key, counted four times
    put('k', value);
    expect(replies.at(-1)).toMatchObject({ error: { code: 'storage_exhaustion' } });
    put('k');
    put('k', value);
    expect(replies.at(-1)).toMatchObject({ key: 'k', value });
  });
});
