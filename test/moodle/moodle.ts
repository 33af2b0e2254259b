/**
 * What the real-Moodle suite shares: the seed scripts/moodle/seed.php wrote (ids, user names,
 * passwords, the web-service token), Chromium resolving the two test host names to this machine
 * and trusting our certificate by its key, Moodle's login, Laurel's frame inside Moodle's page,
 * grades set as a teacher would, and the private messages a user received, through Moodle's own
 * PHP API (scripts/moodle/seed.php, messages.php).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { CHROMIUM } from '../support/chromium.js';

export interface SeedPerson { id: number; username: string; password: string; name: string }
export interface Seed {
  moodleUrl: string;
  admin: { id: number; username: string; password: string };
  course: { id: number; shortname: string; fullname: string };
  teacher: SeedPerson;
  nonEditingTeacher: SeedPerson;
  learners: SeedPerson[];
  assignment: { id: number; cmid: number; name: string; maxGrade: number; grades: Record<string, number> };
  webService: { user: SeedPerson; role: string; capabilities: string[]; service: string; functions: string[]; token: string;
    /** What Laurel's messages through Moodle add to the service and the role (its admin page's admin.messagesMoodleSetup). */
    messageCapabilities: string[]; messageFunctions: string[] };
}

const repo = resolve(__dirname, '../..');

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this suite with npm run test:moodle (scripts/moodle/e2e.sh), which starts Moodle first`);
  return v;
}

export const moodleSite = {
  get seed(): Seed { return JSON.parse(readFileSync(required('MOODLE_SEED_JSON'), 'utf8')) as Seed; },
  get laurelUrl(): string { return required('LAUREL_PUBLIC_URL'); },
  get laurelPort(): string { return required('LAUREL_HTTP_PORT'); },
  get hosts(): string[] { return [required('LAUREL_HOST'), required('MOODLE_HOST')]; },
};

/** Chromium as production meets it: both sites on HTTPS under their own names, third-party cookies blocked (a new context's default). */
export function launchChromiumForMoodle(): Promise<Browser> {
  const map = moodleSite.hosts.map((h) => `MAP ${h} 127.0.0.1`).join(', ');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--host-resolver-rules=${map}`,
      `--ignore-certificate-errors-spki-list=${required('LAUREL_MOODLE_SPKI')}`],
  });
}

export async function logIn(page: Page, who: { username: string; password: string }): Promise<void> {
  const { moodleUrl } = moodleSite.seed;
  for (let attempt = 1; ; attempt++) {
    // Moodle 4.5's script redraws the password field (its show-password toggle) once loaded:
    // a password typed before that is lost, and Moodle says "Invalid login".
    await page.goto(`${moodleUrl}/login/index.php`, { waitUntil: 'networkidle' });
    await page.locator('#username').fill(who.username);
    await page.locator('#password').fill(who.password);
    if (await page.locator('#password').inputValue() !== who.password) await page.locator('#password').fill(who.password);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login/index.php' || u.search.includes('loginredirect'), { waitUntil: 'load' }), page.locator('#loginbtn').click()]);
    if (!new URL(page.url()).pathname.startsWith('/login/')) return;
    const said = ((await page.locator('.alert, #loginerrormessage').allTextContents()).join(' ')).replace(/\s+/g, ' ').trim();
    if (attempt === 2) throw new Error(`Moodle did not log ${who.username} in: ${said || page.url()}`);
  }
}

/** Laurel's frame inside Moodle's page once its page at `path` has loaded (Playwright's frame URL can lag: each frame is asked). */
export async function laurelFrame(page: Page, path: string | string[], timeoutMs = 30_000): Promise<Frame> {
  const paths = typeof path === 'string' ? [path] : path;
  const base = moodleSite.laurelUrl;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      // The browser refused the page (a CSP frame-ancestors, a TLS error): no point waiting.
      if (f.url().startsWith('chrome-error:')) break;
      const href = f.url().startsWith(base) ? f.url() : await f.evaluate(() => location.href).catch(() => '');
      if (paths.some((p) => href.startsWith(base + p))) {
        await f.waitForLoadState('load');
        return f;
      }
      // Laurel answered with its error page (a refused launch): say why now rather than time out.
      if (href.startsWith(base) && await f.locator('section.problem[role=alert]').count().catch(() => 0)) {
        const said = ((await f.locator('section.problem').textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
        throw new Error(`Laurel refused at ${href.split('?')[0]} instead of showing ${paths.join(' or ')}: ${said}`);
      }
    }
    if (page.frames().some((f) => f.url().startsWith('chrome-error:'))) break;
    await page.waitForTimeout(200);
  }
  const texts = await Promise.all(page.frames().map(async (f) => `${f.url()}: ${((await f.locator('body').textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 300)}`));
  throw new Error(`Laurel's ${paths.join(' or ')} never loaded in Moodle's page; frames:\n${texts.join('\n')}`);
}

/** Clicks and waits for the frame's next page. */
export async function clickIn(frame: Frame, target: ReturnType<Frame['locator']>, urlPattern: RegExp): Promise<void> {
  const navigated = frame.page().waitForEvent('framenavigated', { predicate: (f) => f === frame, timeout: 60_000 });
  await target.click();
  await navigated;
  await frame.waitForLoadState('load');
  if (!urlPattern.test(frame.url())) throw new Error(`expected ${urlPattern} after the click, at ${frame.url()}: ${(await frame.locator('body').textContent())?.replace(/\s+/g, ' ').slice(0, 500)}`);
}

export async function untilJobDone(frame: Frame, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await frame.locator('[role=status]').first().textContent()) ?? '';
    if (!/Status: (queued|running)/.test(status) || Date.now() > deadline) return status;
    await frame.waitForTimeout(500);
    await frame.waitForLoadState('load');
  }
}

/** Sets a learner's grade on the seeded assignment through Moodle's assign API, as a teacher grading would (completion follows). */
export function setGrade(username: string, grade: number): void {
  execFileSync('bash', ['-c', `. scripts/moodle/env.sh && php_moodle scripts/moodle/seed.php --grade=${username}:${grade}`], { cwd: repo, stdio: 'pipe' });
}

/** Rejects as soon as a frame of the page shows the browser's own error page (a refused frame: CSP frame-ancestors, TLS). */
export async function refusedFrame(page: Page, timeoutMs: number): Promise<never> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const refused = page.frames().find((f) => f.url().startsWith('chrome-error:'));
    if (refused) {
      const said = ((await refused.locator('body').textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 200);
      throw new Error(`the browser refused a frame in ${page.url()}: ${said}`);
    }
    await page.waitForTimeout(200);
  }
  return new Promise<never>(() => {});
}

/** A private message as Moodle keeps it (`messages`, its conversation's type: 1 individual), as scripts/moodle/messages.php reads it. */
export interface ReceivedMessage { id: number; useridfrom: number; conversationid: number; conversationtype: number; fullmessage: string; fullmessageformat: number; smallmessage: string; timecreated: number }

/** Runs scripts/moodle/messages.php with these arguments; Moodle's own words when it fails. */
export function messagesPhp(args: string): string {
  try {
    return execFileSync('bash', ['-c', `. scripts/moodle/env.sh && php_moodle scripts/moodle/messages.php ${args}`], { cwd: repo, stdio: 'pipe' }).toString();
  } catch (e) {
    const { stdout, stderr } = e as { stdout: Buffer; stderr: Buffer };
    throw new Error(`scripts/moodle/messages.php ${args} failed: ${stdout.toString().slice(-1500)} ${stderr.toString().slice(-1500)}`);
  }
}

/** The private messages Moodle user `userid` can read from others, newest first (at most 20). */
export function receivedBy(userid: number): ReceivedMessage[] {
  return JSON.parse(messagesPhp(`--received=${userid}`)) as ReceivedMessage[];
}
