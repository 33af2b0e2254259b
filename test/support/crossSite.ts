/**
 * Laurel and the LMS on two sites over HTTPS, as in production: host names of their own
 * (laurel.test, lms.test) resolved to this machine for the browser (Chromium's
 * --host-resolver-rules) and for this process (dns.lookup), certificates from a local CA
 * (made by globalSetup.ts, trusted here through NODE_EXTRA_CA_CERTS and by Chromium through the
 * key's SPKI hash). Laurel sits behind a TLS front as behind a production proxy.
 */
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Frame, Page } from 'playwright-core';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../src/store/localFerret.js';
import { startDemo, type Demo } from '../demo/demoCourse.js';
import type { Flavour } from '../emulator/index.js';
import { testDatabaseUri } from './database.js';

export const LAUREL_HOST = 'laurel.test';
export const LMS_HOST = 'lms.test';
/**
 * Cloud Canvas's hosts: the issuer (canvas.instructure.com), the OIDC login, token and key set
 * (sso.canvaslms.com), the school's host (school.instructure.com) and the school's own domain;
 * and a site no platform shows Laurel from.
 */
export const CANVAS_HOSTS = { issuer: 'canvas.test', sso: 'sso.canvas.test', school: 'school.canvas.test', vanity: 'badges.school.test' } as const;
export const UNKNOWN_HOST = 'unknown.test';
const NAMES = new Set([LAUREL_HOST, LMS_HOST, ...Object.values(CANVAS_HOSTS), UNKNOWN_HOST]);

export interface TestTls { key: Buffer; cert: Buffer; spki: string }

export function testTls(): TestTls {
  const dir = process.env.LAUREL_TEST_TLS_DIR;
  if (!dir) throw new Error('LAUREL_TEST_TLS_DIR is not set: run the tests with vitest (test/support/globalSetup.ts)');
  return { key: readFileSync(join(dir, 'server-key.pem')), cert: readFileSync(join(dir, 'server.pem')), spki: readFileSync(join(dir, 'spki.txt'), 'utf8').trim() };
}

/** Makes this process resolve the test host names to 127.0.0.1 (a hosts file of its own, in effect). */
export function resolveTestHosts(): void {
  const original = dns.lookup;
  if ((original as { testHosts?: boolean }).testHosts) return;
  const lookup = ((hostname: string, options: unknown, callback?: unknown) => {
    if (!NAMES.has(hostname)) return (original as (...a: unknown[]) => void)(hostname, options, callback);
    const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
  }) as typeof dns.lookup;
  (lookup as { testHosts?: boolean }).testHosts = true;
  dns.lookup = lookup;
}

/** Chromium's flags for the two sites: names mapped to this machine, our certificate trusted. */
export function crossSiteChromiumArgs(tls: TestTls): string[] {
  return [
    `--host-resolver-rules=${[...NAMES].map((n) => `MAP ${n} 127.0.0.1`).join(', ')}`,
    `--ignore-certificate-errors-spki-list=${tls.spki}`,
  ];
}

/** A TLS-terminating front on a free port for a plain-HTTP server on `targetPort`, as a production proxy. */
export async function startTlsFront(tls: TestTls, targetPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createHttpsServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const upstream = httpRequest({
      host: '127.0.0.1', port: targetPort, method: req.method, path: req.url,
      headers: { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1' },
    }, (answer) => { res.writeHead(answer.statusCode ?? 502, answer.rawHeaders); answer.pipe(res); });
    upstream.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); }),
  };
}


/**
 * The demo (Laurel and the emulated LMS with its seeded course) on two sites over HTTPS:
 * Laurel at https://laurel.test behind a TLS front, the LMS at https://lms.test.
 */
export async function startCrossSiteDemo(flavour: Flavour, o: { cloudCanvas?: boolean } = {}): Promise<Demo & { tls: TestTls }> {
  resolveTestHosts();
  const tls = testTls();
  const port = await freePort();
  const front = await startTlsFront(tls, port);
  const demo = await startDemo({
    flavour,
    env: {
      NODE_ENV: 'test', PORT: String(port), PUBLIC_URL: `https://${LAUREL_HOST}:${front.port}`, TRUST_PROXY: 'loopback',
      MONGODB_URI: testDatabaseUri(), LAUREL_SECRET: randomBytes(32).toString('hex'), SYNC_INTERVAL_MINUTES: '0',
    },
    logger: createLogger('silent'),
    emulatorTls: { hostname: o.cloudCanvas ? CANVAS_HOSTS.school : LMS_HOST, key: tls.key, cert: tls.cert },
    ...(o.cloudCanvas ? { emulatorCloudHosts: { issuer: CANVAS_HOSTS.issuer, sso: CANVAS_HOSTS.sso } } : {}),
  });
  return { ...demo, tls, stop: async () => { await demo.stop(); await front.close(); } };
}

/** Whether the browser keeps an ordinary (unpartitioned) third-party cookie in this frame: it must not, as in production. */
export async function keepsThirdPartyCookies(frame: Frame): Promise<boolean> {
  return frame.evaluate(() => {
    document.cookie = 'third_party_probe=1; SameSite=None; Secure; Path=/';
    const kept = document.cookie.includes('third_party_probe=1');
    document.cookie = 'third_party_probe=; Max-Age=0; SameSite=None; Secure; Path=/';
    return kept;
  });
}

/** The frame of `page` whose document is Laurel's page at `path` (each frame is asked where it is: Playwright's frame URL can lag). */
export async function laurelFrameAt(page: Page, laurelUrl: string, path: string): Promise<Frame> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const f of page.frames()) {
      const href = await f.evaluate(() => location.href).catch(() => '');
      if (href.startsWith(laurelUrl + path)) return f;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`Laurel's ${path} never loaded; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
}
