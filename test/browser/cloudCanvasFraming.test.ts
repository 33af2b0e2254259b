/**
 * Laurel inside a cloud Canvas, as Instructure runs it, in a real browser with its CSP enforced
 * and third-party cookies blocked. The emulated Canvas answers on four hosts: it signs as its
 * issuer (canvas.test, as canvas.instructure.com: canvas-lms config/dynamic_settings.yml lti_iss),
 * logs in, issues tokens and keys on its sso host (sso.canvas.test, as sso.canvaslms.com:
 * app/controllers/lti/ims/authentication_controller.rb, app/controllers/lti/platform_storage_controller.rb),
 * and shows the course from the school's host (school.canvas.test, as school.instructure.com)
 * or the school's own domain (badges.school.test). No registration names the last two, so Laurel
 * learns them from the launches it validates (lib/lti/messages/jwt_message.rb: return_url is
 * built on the browsed host); a site no launch named cannot frame Laurel's course page, and a
 * site that frames Laurel's login page (which any site may) is not believed as the course page
 * that keeps the login's state (Platform Storage with lti_storage_target=_parent).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { listPlatforms } from '../../src/lti/platforms.js';
import { addConfiguredFrameOrigin } from '../../src/store/frameOrigins.js';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Demo } from '../demo/demoCourse.js';
import { demoLearner } from '../demo/demoBadges.js';
import { launchChromium } from '../support/chromium.js';
import { CANVAS_HOSTS, crossSiteChromiumArgs, keepsThirdPartyCookies, laurelFrameAt, startCrossSiteDemo, UNKNOWN_HOST, type TestTls } from '../support/crossSite.js';

let demo: Demo & { tls: TestTls };
let browser: Browser;

beforeAll(async () => {
  demo = await startCrossSiteDemo('canvas', { cloudCanvas: true });
  browser = await launchChromium(crossSiteChromiumArgs(demo.tls));
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const laurelFrame = (page: Page, path: string): Promise<Frame> => laurelFrameAt(page, demo.laurelUrl, path);

const onHost = (url: string, host: string): string => { const u = new URL(url); u.hostname = host; return u.toString(); };

/**
 * A site of its own (a server on this machine, answering any of the test host names) whose page
 * holds Laurel's page `laurelPage` in an iframe; answers that frame once it has loaded. With
 * `script`, the page runs it too (before the frame loads).
 */
async function startProbeSite(tls: TestTls, script = ''): Promise<{ port: number; close(): Promise<void> }> {
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const src = new URL(req.url!, 'https://probe').searchParams.get('frame') ?? '';
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><title>probe</title><script>${script}</script><iframe id="laurel" src="${src.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe>`);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

async function frameFrom(page: Page, site: string, laurelPage: string): Promise<Frame> {
  await page.goto(`${site}/?${new URLSearchParams({ frame: laurelPage })}`);
  const frame = await (await page.locator('#laurel').elementHandle())!.contentFrame();
  await frame!.waitForLoadState('load');
  return frame!;
}

describe('a learner opens Laurel in a cloud Canvas course', () => {
  it('from the school\'s host: the launch and the learner\'s page show inside Canvas\'s page', async () => {
    expect(new URL(demo.emulator.issuer).hostname).toBe(CANVAS_HOSTS.issuer);
    expect(new URL(demo.emulator.endpoints.auth).hostname).toBe(CANVAS_HOSTS.sso);
    expect(new URL(demo.learnerUrl).hostname).toBe(CANVAS_HOSTS.school);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.learnerUrl);
    const frame = await laurelFrame(page, '/me?');
    expect(await keepsThirdPartyCookies(frame)).toBe(false);
    await expect(frame.locator('header').textContent()).resolves.toContain(demoLearner(demo.emulator).name);
    await context.close();
  });

  it('from the school\'s own domain, which Canvas names in that launch', async () => {
    demo.emulator.showCourseFrom(onHost(demo.emulator.url, CANVAS_HOSTS.vanity).replace(/\/$/, ''));
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(onHost(demo.learnerUrl, CANVAS_HOSTS.vanity));
      const frame = await laurelFrame(page, '/me?');
      await expect(frame.locator('header').textContent()).resolves.toContain(demoLearner(demo.emulator).name);
      await context.close();
    } finally {
      demo.emulator.showCourseFrom(undefined);
    }
  });
});

describe('a site no launch named and no administrator configured', () => {
  it('cannot frame Laurel\'s course page, which a site the administrator configured can', async () => {
    const probe = await startProbeSite(demo.tls);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.learnerUrl);
    const course = (await laurelFrame(page, '/me?')).url();

    // Where the frame's document comes from: Laurel's page, or the browser's error page when
    // Laurel's frame-ancestors refuses the site around it.
    const shown = async (f: Frame) => f.evaluate(() => location.href).catch(() => 'refused');
    const unknown = `https://${UNKNOWN_HOST}:${probe.port}`;
    expect(await shown(await frameFrom(page, unknown, course))).toBe('chrome-error://chromewebdata/');
    // The same site, once an administrator names it (npm run platform -- add-frame-origin), may:
    // the refusal above was Laurel's frame-ancestors, nothing else.
    const platform = (await listPlatforms()).find((p) => p.issuer === demo.emulator.issuer)!;
    await addConfiguredFrameOrigin(platform.issuer, platform.clientId, unknown);
    await demo.running.laurel.platformOrigins.refresh();
    expect(await shown(await frameFrom(page, unknown, course))).toBe(course);
    await context.close();
    await probe.close();
  });
});

/**
 * A page that plays Canvas's course page with its storage frame off (ui/shared/lti/jquery/
 * messages.ts answers lti.capabilities, lti.put_data and lti.get_data in the page itself), and
 * records what the frame sent it and how many documents the frame loaded.
 */
const STORING_PAGE = `
window.received = [];
window.addEventListener('message', function (event) {
  var d = event.data; if (!d || typeof d.subject !== 'string') return;
  window.received.push({ origin: event.origin, subject: d.subject, key: d.key, value: d.value });
  var answer = { subject: d.subject + '.response', message_id: d.message_id };
  if (d.subject === 'lti.capabilities') answer.supported_messages = [{ subject: 'lti.capabilities' }, { subject: 'lti.put_data' }, { subject: 'lti.get_data' }];
  else { answer.key = d.key; answer.value = d.value; }
  event.source.postMessage(answer, event.origin);
});
`;

interface Received { origin: string; subject: string; key?: string; value?: string }

describe('Platform Storage in the page around Laurel (lti_storage_target=_parent)', () => {
  it('gives a site that frames the login page no state, unless it is one the platform shows Laurel from', async () => {
    const probe = await startProbeSite(demo.tls, STORING_PAGE);
    const site = `https://${UNKNOWN_HOST}:${probe.port}`;
    const platform = (await listPlatforms()).find((p) => p.issuer === demo.emulator.issuer)!;
    const loginUrl = `${demo.laurelUrl}/lti/login?${new URLSearchParams({
      iss: platform.issuer, client_id: platform.clientId, login_hint: 'someone', target_link_uri: `${demo.laurelUrl}/lti/launch`, lti_storage_target: '_parent',
    })}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    /** Frames the login from the probe site; answers what the frame sent once it left the login page. */
    const framedLogin = async (): Promise<Received[]> => {
      // The login page leaves for Canvas's authorization endpoint once it is done with storage.
      const toAuthorization = page.waitForRequest((r) => r.url().startsWith(demo.emulator.endpoints.auth), { timeout: 30_000 });
      await page.goto(`${site}/?${new URLSearchParams({ frame: loginUrl })}`);
      await toAuthorization;
      return page.evaluate(() => (window as unknown as { received: Received[] }).received);
    };

    // Unknown: it answered lti.capabilities as Canvas would, and the login went on without it.
    const unknown = await framedLogin();
    expect(unknown.map((m) => m.subject)).toContain('lti.capabilities');
    expect(unknown.filter((m) => m.subject !== 'lti.capabilities')).toEqual([]);

    // The same page, once an administrator names the site: the state goes there. The refusal
    // above was the site's, nothing else.
    await addConfiguredFrameOrigin(platform.issuer, platform.clientId, site);
    await demo.running.laurel.platformOrigins.refresh();
    const known = await framedLogin();
    const puts = known.filter((m) => m.subject === 'lti.put_data');
    expect(puts.map((m) => [m.origin, m.key?.split('_').slice(0, 2).join('_')]).sort()).toEqual([[demo.laurelUrl, 'laurel_nonce'], [demo.laurelUrl, 'laurel_state']]);
    expect(puts.every((m) => typeof m.value === 'string' && m.value.length > 20)).toBe(true);
    await context.close();
    await probe.close();
  });
});

/**
 * An administrator registers Laurel from this Canvas, then a teacher and a learner launch it: the
 * registration wizard on the school's host frames `/api/lti/accounts/:id/dr_iframe` (same host),
 * which frames Laurel's registration page (canvas-lms
 * app/views/lti/ims/dynamic_registration/dr_iframe.html.erb); the openid_configuration URL Laurel
 * is given is on the issuer's host, with the registration token in it
 * (dynamic_registration_controller.rb oidc_configuration_url), and the configuration names the
 * sso host for login, token and keys and the school's host for registration
 * (security_controller.rb openid_configuration).
 */
describe('registering Laurel from a cloud Canvas and launching it there', () => {
  let clientId: string;

  it('registers from the school\'s host through Canvas\'s nested frames, closed by Done', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => { if (/frame-ancestors|Refused to frame/i.test(m.text())) refused.push(m.text()); });
    const toolsBefore = demo.emulator.tools.length;

    const wizard = demo.emulator.dynamicRegistrationUrl(`${demo.laurelUrl}/lti/register`);
    expect(new URL(wizard).hostname).toBe(CANVAS_HOSTS.school);
    await page.goto(wizard);
    const frame = await laurelFrame(page, '/lti/register');
    await frame.getByText('Laurel is registered').waitFor({ timeout: 30_000 });
    // Two frames deep: Laurel's page, inside Canvas's dr_iframe, inside the wizard.
    const drIframe = frame.parentFrame()!;
    expect(new URL(drIframe.url()).pathname).toBe('/api/lti/accounts/self/dr_iframe');
    expect(drIframe.parentFrame()).toBe(page.mainFrame());
    const openidConfiguration = new URL(new URL(frame.url()).searchParams.get('openid_configuration')!);
    expect(openidConfiguration.hostname).toBe(CANVAS_HOSTS.issuer);

    await frame.getByRole('button', { name: 'Done' }).click();
    // The dr_iframe forwards the close message; the wizard leaves for its "Registered tools" page.
    await page.waitForURL(/\/emulator\/registered$/, { timeout: 30_000 });
    expect(refused).toEqual([]);
    await context.close();

    expect(demo.emulator.tools.length).toBe(toolsBefore + 1);
    clientId = demo.emulator.tools.at(-1)!.clientId;
    const platform = (await listPlatforms()).find((p) => p.clientId === clientId)!;
    expect(platform.issuer).toBe(demo.emulator.issuer);
    expect(new URL(platform.authEndpoint).hostname).toBe(CANVAS_HOSTS.sso);
  });

  it('the teacher launches the new registration from the course on the school\'s host', async () => {
    const teacher = demo.emulator.course.users.find((u) => u.role === 'Instructor' && u.status === 'Active')!;
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.emulator.launchUrl({ userId: teacher.id, clientId, embed: true }));
    const frame = await laurelFrame(page, '/course?');
    expect(await keepsThirdPartyCookies(frame)).toBe(false);
    await expect(frame.locator('h1').textContent()).resolves.toBe(`${demo.emulator.course.title}: badges`);
    await context.close();
  });

  it('and so does a learner', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(demo.emulator.launchUrl({ userId: demoLearner(demo.emulator).id, clientId, embed: true }));
    const frame = await laurelFrame(page, '/me?');
    await expect(frame.locator('header').textContent()).resolves.toContain(demoLearner(demo.emulator).name);
    await context.close();
  });
});
