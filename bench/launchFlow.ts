/**
 * One complete LTI launch as a browser makes it, over HTTP (what test/support/lms.ts does with
 * supertest, here with fetch and nothing to spare): the course link in the emulated Canvas, the
 * login initiation at Laurel, the LMS's authorization, the launch POST, and Laurel's landing page.
 * Any answer other than the expected one throws, saying which step and what came back.
 */
import { LAUNCH_PATH } from '../test/emulator/launch.js';

interface Answer { status: number; location: string; text: string }

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => (e[0] !== '#' ? NAMED[e.toLowerCase()] ?? m : String.fromCodePoint(e[1]!.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))));
const attr = (tag: string, name: string) => { const m = tag.match(new RegExp(`\\s${name}="([^"]*)"`)); return m ? decode(m[1]!) : undefined; };

/** A browser's cookies for one launch (by name, across Laurel and the emulator: enough here). */
class Browser {
  private cookies = new Map<string, string>();

  async go(url: string, form?: Record<string, string>): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { method: form ? 'POST' : 'GET', headers, redirect: 'manual', body: form ? new URLSearchParams(form).toString() : undefined });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return { status: res.status, location: new URL(res.headers.get('location') ?? '', url).toString(), text: await res.text() };
  }
}

function expectStatus(a: Answer, status: number, step: string): void {
  if (a.status !== status) throw new Error(`${step} answered ${a.status} (expected ${status}): ${a.text.replace(/\s+/g, ' ').slice(0, 200)}`);
}

function autoSubmitForm(html: string): { action: string; fields: Record<string, string> } {
  const form = html.match(/<form\b[^>]*>([\s\S]*?)<\/form>/i);
  if (!form) throw new Error(`no form in the authorization answer: ${html.slice(0, 200)}`);
  const fields: Record<string, string> = {};
  for (const input of form[1]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = attr(input[0], 'name');
    if (name) fields[name] = attr(input[0], 'value') ?? '';
  }
  return { action: attr(form[0], 'action') ?? '', fields };
}

/** The launch's steps, for `timed`: where a launch's time goes. */
export const LAUNCH_STEPS = ['course link', 'login initiation', 'authorization', 'launch POST', 'landing page'] as const;

/**
 * `timed`, when given, receives each step's milliseconds, in the order of LAUNCH_STEPS. Answers
 * the launch's ltik, by which the session's later requests say who they are (`Authorization: Bearer`).
 */
export async function launch(lms: { url: string; clientId: string }, userId: string, timed?: (ms: number[]) => void): Promise<string> {
  const browser = new Browser();
  const marks = [performance.now()];
  const mark = () => marks.push(performance.now());
  const link = await browser.go(`${lms.url}${LAUNCH_PATH}?${new URLSearchParams({ user: userId, client_id: lms.clientId, message: 'LtiResourceLinkRequest', embed: '0' })}`);
  expectStatus(link, 302, 'the course link');
  mark();
  // Canvas offers Platform Storage: Laurel's page puts the state there and goes on to `data-next`.
  const login = await browser.go(link.location);
  expectStatus(login, 200, 'the login initiation');
  const storage = login.text.match(/<div id="platform-storage"[^>]*>/);
  if (!storage) throw new Error('the login initiation has no platform-storage element');
  mark();
  const bounce = await browser.go(attr(storage[0], 'data-next')!);
  expectStatus(bounce, 302, 'the authorization redirect');
  const authorized = await browser.go(bounce.location);
  expectStatus(authorized, 200, 'the authorization');
  const form = autoSubmitForm(authorized.text);
  mark();
  const launched = await browser.go(form.action, form.fields);
  expectStatus(launched, 303, 'the launch');
  mark();
  const landing = await browser.go(launched.location);
  expectStatus(landing, 200, 'the landing page');
  mark();
  timed?.(marks.slice(1).map((t, i) => t - marks[i]!));
  return new URL(launched.location).searchParams.get('ltik') ?? '';
}
