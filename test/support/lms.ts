/**
 * The LMS side of a test: an emulated Canvas or Moodle with Laurel registered in it, and
 * Laurel knowing that platform, as an admin's manual install would leave them.
 */
import request from 'supertest';
import { startEmulator, type Emulator, type Flavour, type LaunchSession } from '../emulator/index.js';
import { installInEmulator } from '../demo/installInEmulator.js';
import { ROUTES } from '../../src/lti/scopes.js';
import type { RunningLaurel } from './laurel.js';
import { dataAttributes, decodeEntities, parseForm } from './html.js';

export interface Connected {
  emulator: Emulator;
  clientId: string;
  deploymentId: string;
}

export async function connectEmulator(laurel: RunningLaurel, flavour: Flavour, o: { privacy?: { hideNames?: boolean; hideEmails?: boolean } } = {}): Promise<Connected> {
  const emulator = await startEmulator({ flavour, privacy: o.privacy });
  const { clientId, deploymentId } = await installInEmulator(emulator, laurel.url);
  await laurel.running.laurel.platformOrigins.refresh();
  return { emulator, clientId, deploymentId };
}

/** A cookie jar for one browser, across Laurel and the emulator (keyed by name; enough here). */
export class Browser {
  cookies = new Map<string, string>();
  /** Sent as Accept-Language when set. */
  language?: string;
  constructor(readonly acceptsCookies = true) {}

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keep(res: request.Response): void {
    if (!this.acceptsCookies) return;
    const set = res.headers['set-cookie'] as unknown as string[] | undefined;
    for (const c of set ?? []) {
      const [pair] = c.split(';');
      const [name, ...value] = pair.split('=');
      if (/expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value.join('='));
    }
  }

  async go(method: 'get' | 'post', url: string, form?: Record<string, string>): Promise<request.Response> {
    const u = new URL(url);
    let req = request(u.origin)[method](u.pathname + u.search).redirects(0).set('Accept', 'text/html');
    if (this.cookies.size) req = req.set('Cookie', this.header());
    if (this.language) req = req.set('Accept-Language', this.language);
    if (form) req = req.type('form').send(form);
    const res = await req;
    this.keep(res);
    return res;
  }

  /** Follows HTTP redirects only. */
  async redirects(res: request.Response): Promise<request.Response> {
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      res = await this.go('get', new URL(res.headers.location, res.request.url).toString());
    }
    return res;
  }

  /** Follows what a browser would: redirects and auto-submitting forms, until `stop` says so. */
  async follow(res: request.Response, stop: (res: request.Response) => boolean, base: string): Promise<request.Response> {
    for (let hops = 0; hops < 10 && !stop(res); hops++) {
      if (res.status >= 300 && res.status < 400) res = await this.go('get', new URL(res.headers.location, base).toString());
      else if (res.status === 200 && /<form/i.test(res.text)) {
        const form = parseForm(res.text);
        const target = new URL(form.action, base).toString();
        res = await (form.method === 'post' ? this.go('post', target, form.fields) : this.go('get', `${target}?${new URLSearchParams(form.fields)}`));
      } else break;
      base = res.request.url;
    }
    return res;
  }
}

export interface LaunchSteps {
  browser: Browser;
  /** Laurel's answer to the login initiation. */
  login: request.Response;
  /** The id_token and state the platform posts to Laurel's launch URL. */
  idToken: string;
  state: string;
  launchUrl: string;
}

/**
 * Runs a launch up to the moment the platform posts the id_token, so a test can post it as is,
 * changed, or twice. With Platform Storage (Canvas), the browser's storage is played by the test.
 */
export async function startLaunch(c: Connected, o: { userId: string; message?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest'; cookies?: boolean; locale?: string; session?: LaunchSession }): Promise<LaunchSteps & { storage: Map<string, string>; fields: Record<string, string> }> {
  const browser = new Browser(o.cookies ?? true);
  const start = await browser.go('get', c.emulator.launchUrl({ userId: o.userId, clientId: c.clientId, message: o.message, embed: false, locale: o.locale, session: o.session }));
  // Canvas redirects to the login initiation; Moodle auto-submits a form to it.
  const login = await browser.follow(start, (r) => r.request.url.includes(ROUTES.login), c.emulator.url);
  const storage = new Map<string, string>();
  let authUrl: string;
  if (login.status === 200 && login.text.includes('id="platform-storage"')) {
    const d = dataAttributes(login.text, 'platform-storage');
    storage.set(`laurel_state_${d.state}`, d.state).set(`laurel_nonce_${d.state}`, d.nonce);
    authUrl = d.next;
  } else {
    if (login.status !== 302) throw new Error(`login answered ${login.status}: ${login.text.slice(0, 300)}`);
    authUrl = login.headers.location;
  }
  const auth = await browser.redirects(await browser.go('get', authUrl));
  if (auth.status !== 200) throw new Error(`authorization answered ${auth.status}: ${auth.text.slice(0, 300)}`);
  const form = parseForm(auth.text);
  return { browser, login, idToken: form.fields.id_token, state: form.fields.state, launchUrl: form.action, storage, fields: form.fields };
}

/** Posts the launch as the browser would, answering a Platform Storage check from `storage`. */
export async function finishLaunch(s: LaunchSteps & { storage: Map<string, string> }, fields: Record<string, string> = { id_token: s.idToken, state: s.state }): Promise<request.Response> {
  let res = await s.browser.go('post', s.launchUrl, fields);
  if (res.status === 200 && res.text.includes('id="platform-storage"')) {
    const form = parseForm(res.text, 'continue');
    form.fields.lti_storage_state = s.storage.get(`laurel_state_${fields.state}`) ?? '';
    form.fields.lti_storage_nonce = s.storage.get(`laurel_nonce_${fields.state}`) ?? '';
    res = await s.browser.go('post', new URL(form.action, s.launchUrl).toString(), form.fields);
  }
  return res;
}

/**
 * The tool's registration URL as the LMS's registration page frames it, with openid_configuration
 * and registration_token: followed through Canvas's dr_iframe, which nests it one frame deeper.
 */
export async function registrationFrameUrl(emulator: Emulator, toolRegisterUrl: string): Promise<URL> {
  let url = new URL(emulator.dynamicRegistrationUrl(toolRegisterUrl));
  for (;;) {
    const html = await (await fetch(url)).text();
    const src = html.match(/<iframe[^>]*\ssrc="([^"]+)"/i)?.[1];
    if (!src) throw new Error(`no iframe in the LMS's registration page ${url}:\n${html.slice(0, 400)}`);
    url = new URL(decodeEntities(src), url);
    if (url.origin !== new URL(emulator.url).origin) return url;
  }
}
