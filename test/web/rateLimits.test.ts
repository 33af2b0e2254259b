/**
 * Rate limits per client address: the LTI launch, dynamic registration and the public badge URLs
 * each have a limit of their own (RATE_LIMIT_*); over it a client gets 429 with Retry-After, the
 * standard RateLimit headers and a page or JSON saying why and when to try again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { loadConfig, ConfigError } from '../../config/index.js';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';

const LAUNCH = 4;
const PUBLIC = 5;

let laurel: RunningLaurel;
let c: Connected;
beforeAll(async () => {
  laurel = await startLaurel({ RATE_LIMIT_LAUNCH: String(LAUNCH), RATE_LIMIT_PUBLIC: String(PUBLIC), RATE_LIMIT_REGISTRATION: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
  c = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

describe('rate limits', () => {
  it('are off under NODE_ENV=test unless set, on in production with generous public limits, and named in a bad value\'s message', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'test', LAUREL_SECRET: secret }).rateLimits).toEqual({ windowSeconds: 60, launch: 0, registration: 0, public: 0 });
    expect(loadConfig({ NODE_ENV: 'production', LAUREL_SECRET: secret }).rateLimits).toEqual({ windowSeconds: 60, launch: 600, registration: 30, public: 3000 });
    expect(loadConfig({ NODE_ENV: 'production', LAUREL_SECRET: secret, RATE_LIMIT_PUBLIC: '0' }).rateLimits.public).toBe(0);
    expect(() => loadConfig({ NODE_ENV: 'production', LAUREL_SECRET: secret, RATE_LIMIT_LAUNCH: 'lots' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', LAUREL_SECRET: secret, RATE_LIMIT_LAUNCH: 'lots' })).toThrow(/RATE_LIMIT_LAUNCH/);
  });

  it('let a launch under the limit through, with the RateLimit headers naming the launch policy', async () => {
    const learner = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const steps = await startLaunch(c, { userId: learner.id });
    expect(steps.login.status).toBe(200);
    expect(steps.login.headers['ratelimit-policy']).toMatch(new RegExp(`^"launch"; q=${LAUNCH}; w=60;`));
    expect(steps.login.headers.ratelimit).toMatch(new RegExp(`^"launch"; r=${LAUNCH - 1}; t=\\d+$`));
    const res = await finishLaunch(steps);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/me\?ltik=/);
  });

  it('answer the public pages under their own limit, then 429 with Retry-After and a reason, while launches still pass', async () => {
    const under = await request(laurel.url).get('/verify/no-such-badge');
    expect(under.status).toBe(404); // passed the limit; the badge does not exist
    expect(under.headers.ratelimit).toMatch(new RegExp(`^"public"; r=${PUBLIC - 1}; t=\\d+$`));
    for (let i = 1; i < PUBLIC; i++) expect((await request(laurel.url).get('/status/none')).status).toBe(404);

    const page = await request(laurel.url).get('/verify/no-such-badge').set('Accept', 'text/html');
    expect(page.status).toBe(429);
    expect(page.headers['x-laurel-reason']).toBe('rate_limited');
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(page.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(page.headers.ratelimit).toMatch(/^"public"; r=0; t=\d+$/);
    expect(page.text).toContain('Too many requests');
    expect(page.text).toContain(`Wait ${page.headers['retry-after']} seconds`);

    const json = await request(laurel.url).get('/credentials/anything.json').set('Accept', 'application/json');
    expect(json.status).toBe(429);
    expect(json.body).toMatchObject({ error: 'rate_limited', title: 'Too many requests' });
    expect(json.body.detail).toContain(`at most ${PUBLIC} of these requests from one address every 60 seconds`);

    // What wallets call (OpenID4VCI metadata and endpoints, VC-API exchanges) counts under the same limit.
    const metadata = await request(laurel.url).get('/.well-known/openid-credential-issuer/issuers/any').set('Accept', 'application/json');
    expect(metadata.status).toBe(429);
    expect(metadata.headers.ratelimit).toMatch(/^"public"; r=0; t=\d+$/);
    expect((await request(laurel.url).get('/.well-known/oauth-authorization-server/issuers/any')).status).toBe(429);
    expect((await request(laurel.url).post('/issuers/any/oid4vci/token').type('form').send({ grant_type: 'x' })).status).toBe(429);
    // A wallet in a browser reads the refusal and when to try again, not a CORS failure.
    const exchange = await request(laurel.url).post('/exchanges/any').set('Origin', 'https://wallet.example').send({});
    expect(exchange.status).toBe(429);
    expect(exchange.headers['access-control-allow-origin']).toBe('*');
    expect(exchange.headers['access-control-expose-headers']).toMatch(/Retry-After/);

    // The launch has a limit of its own, not spent by the public pages.
    const login = await request(laurel.url).get('/lti/login');
    expect(login.status).toBe(400);
    expect(login.headers['x-laurel-reason']).toBe('login_parameters_missing');
    // Neither is the health check limited: load balancers poll it.
    expect((await request(laurel.url).get('/healthz')).status).toBe(200);
  });

  it('refuse launches past their limit, whatever X-Forwarded-For a client claims when no proxy is trusted', async () => {
    let res = await request(laurel.url).get('/lti/login');
    for (let i = 0; i < LAUNCH && res.status !== 429; i++) res = await request(laurel.url).post('/lti/launch').set('X-Forwarded-For', `203.0.113.${i}`).type('form').send({ id_token: 'x' });
    expect(res.status).toBe(429);
    expect(res.headers['x-laurel-reason']).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.headers['ratelimit-policy']).toMatch(new RegExp(`^"launch"; q=${LAUNCH}; w=60;`));

    // Registration counts on its own as well.
    const registration = await request(laurel.url).get('/lti/register');
    expect(registration.status).not.toBe(429);
    expect(registration.headers['ratelimit-policy']).toMatch(/^"registration"; q=2; w=60;/);
  });
});
