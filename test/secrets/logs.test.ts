/**
 * Nothing secret in the logs or on error pages: a Laurel (in the middle of a secret rotation, so
 * with two secrets) launches, issues badges and refuses a series of bad requests; then every log
 * line it wrote and every error page it answered is searched for the secrets, the private keys
 * (issuer keys, ltijs's LTI tool key), the session tokens (ltik) and the id_tokens it handled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { lti } from '../../src/lti/provider.js';
import { ROUTES } from '../../src/lti/scopes.js';
import { signingKeys } from '../../src/store/issuerKeys.js';
import { issuerKeyOf } from '../../src/store/issuerProfile.js';

const PREVIOUS = randomBytes(32).toString('hex');

let laurel: RunningLaurel;
let c: Connected;
const ltiks: string[] = [];
const idTokens: string[] = [];
/** Bodies of every answer that refused or failed. */
const errorPages: string[] = [];

function keep(res: request.Response): request.Response {
  if (res.status >= 400) errorPages.push(res.text);
  return res;
}

async function launch(userId: string) {
  const steps = await startLaunch(c, { userId });
  idTokens.push(steps.idToken);
  const res = await finishLaunch(steps);
  expect(res.status).toBe(303);
  const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
  ltiks.push(ltik);
  return { steps, ltik };
}

beforeAll(async () => {
  laurel = await startLaurel({ LAUREL_SECRET_PREVIOUS: PREVIOUS, SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'moodle');
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const learner = c.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
  const { steps, ltik } = await launch(instructor.id);
  const api = (method: 'get' | 'post', path: string, token = ltik) => request(laurel.url)[method](path).set('Authorization', `Bearer ${token}`);

  // Issues: a badge, awarded by hand and by an evaluation of the course.
  const columns = (await api('get', '/api/course/line-items')).body.lineItems as { id: string }[];
  const badge = await api('post', '/api/course/badges').send({ name: 'Logs', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns[0]!.id, percent: 0 }] } });
  expect(badge.status).toBe(201);
  expect((await api('post', '/api/course/awards').send({ badgeId: badge.body.id, userId: learner.id })).status).toBe(201);
  const job = await api('post', '/api/course/evaluations');
  for (const deadline = Date.now() + 50_000; Date.now() < deadline;) {
    const status = (await api('get', job.headers.location)).body.status;
    if (status === 'done' || status === 'failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await launch(learner.id);

  // Refused: a replayed id_token, a tampered one, tampered and missing session tokens, unknown pages and platforms.
  keep(await finishLaunch(steps));
  const tampered = await startLaunch(c, { userId: instructor.id });
  idTokens.push(tampered.idToken);
  const [h, p, s] = tampered.idToken.split('.');
  keep(await finishLaunch(tampered, { id_token: `${h}.${p}.${s!.slice(0, -4)}AAAA`, state: tampered.state }));
  const forged = `${ltik.slice(0, -4)}AAAA`;
  ltiks.push(forged);
  keep(await api('get', '/api/course/awards', forged));
  keep(await request(laurel.url).get(`/course?ltik=${encodeURIComponent(forged)}`));
  keep(await request(laurel.url).get(`/no-such-page?ltik=${encodeURIComponent(ltik)}`));
  keep(await request(laurel.url).get('/api/course/awards'));
  keep(await request(laurel.url).get(`/api/course/awards?ltik=${encodeURIComponent(ltik)}x`));
  keep(await request(laurel.url).post(ROUTES.launch).type('form').send({ id_token: idTokens[0], state: 'not-a-state' }));
  keep(await request(laurel.url).get(ROUTES.login).query({ iss: 'https://lms.invalid', login_hint: 'x', target_link_uri: `${laurel.url}${ROUTES.launch}` }));
  keep(await request(laurel.url).get('/credentials/no-such-credential'));
});

afterAll(async () => { await c?.emulator.close(); await laurel?.close(); });

describe('logs and error pages', () => {
  it('recorded the run: launches, issuing and the refusals', () => {
    const requests = laurel.logs.filter((l) => l.msg === 'request');
    expect(requests.filter((l) => (l.status as number) < 400).length).toBeGreaterThan(5);
    expect(requests.filter((l) => (l.status as number) >= 400).length).toBeGreaterThanOrEqual(8);
    expect(errorPages.length).toBeGreaterThanOrEqual(8);
  });

  it('hold neither LAUREL_SECRET nor LAUREL_SECRET_PREVIOUS', () => {
    const text = JSON.stringify(laurel.logs) + errorPages.join('\n');
    expect(text).not.toContain(laurel.config.secret);
    expect(text).not.toContain(PREVIOUS);
  });

  it('hold no private key material: issuer keys ("d" and the other private JWK members, the Ed25519 secret) or ltijs\'s PEM key', async () => {
    const text = JSON.stringify(laurel.logs) + errorPages.join('\n');
    const keys = await signingKeys(issuerKeyOf({ issuer: c.emulator.issuer, clientId: c.clientId }));
    const jwk = keys.rsa.privateJwk as Record<string, string>;
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(text).not.toContain(jwk[member]!);
    expect(text).not.toContain(keys.ed25519.secretKeyMultibase);
    const platform = await lti.getPlatform(c.emulator.issuer, c.clientId);
    const pem = await (platform as Exclude<typeof platform, false>).platformPrivateKey();
    expect(pem).toMatch(/PRIVATE KEY/);
    expect(text).not.toMatch(/PRIVATE KEY/);
    for (const line of pem.split('\n').filter((l) => /^[A-Za-z0-9+/=]{64}$/.test(l)).slice(0, 20)) expect(text).not.toContain(line);
  });

  it('hold no session token (ltik) and no id_token, nor their signatures', () => {
    const text = JSON.stringify(laurel.logs) + errorPages.join('\n');
    expect(ltiks.length).toBeGreaterThanOrEqual(3);
    expect(idTokens.length).toBeGreaterThanOrEqual(3);
    for (const token of [...ltiks, ...idTokens]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split('.')[2]);
    }
  });
});
