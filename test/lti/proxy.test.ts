/**
 * Behind a TLS proxy (PUBLIC_URL https, TRUST_PROXY): the login's state cookie is
 * SameSite=None; Secure, as an LMS iframe needs, and the LMS is sent Laurel's https URLs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { registerPlatform } from '../../src/lti/platforms.js';

let laurel: RunningLaurel;
const PUBLIC = 'https://badges.example.edu';

beforeAll(async () => {
  laurel = await startLaurel({ PUBLIC_URL: PUBLIC, TRUST_PROXY: 'true' });
  await registerPlatform({
    issuer: 'https://moodle.example.edu', clientId: 'proxy-client', name: 'Moodle', deploymentIds: ['1'], active: true,
    authEndpoint: 'https://moodle.example.edu/mod/lti/auth.php', tokenEndpoint: 'https://moodle.example.edu/mod/lti/token.php', jwksUri: 'https://moodle.example.edu/mod/lti/certs.php',
  });
});
afterAll(async () => { await laurel?.close(); });

describe('behind a TLS proxy', () => {
  it('sets the state cookie SameSite=None; Secure; HttpOnly; Partitioned and redirects with the public https launch URL', async () => {
    const direct = request(`http://127.0.0.1:${laurel.config.port}`);
    const login = await direct.post('/lti/login')
      .set('X-Forwarded-Proto', 'https').set('X-Forwarded-For', '203.0.113.9')
      .type('form').send({ iss: 'https://moodle.example.edu', login_hint: '42', target_link_uri: `${PUBLIC}/lti/launch`, client_id: 'proxy-client', lti_deployment_id: '1' });
    expect(login.status).toBe(302);
    // First back to Laurel's public URL, to see the cookie kept, then on to Moodle.
    const check = new URL(login.headers.location);
    expect(check.origin + check.pathname).toBe(`${PUBLIC}/lti/login/check`);
    const cookie = (login.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('lti_state_'))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=None/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Partitioned/);
    const res = await direct.get(check.pathname + check.search).set('X-Forwarded-Proto', 'https').set('Cookie', cookie.split(';')[0]);
    expect(res.status).toBe(302);
    const auth = new URL(res.headers.location);
    expect(auth.origin + auth.pathname).toBe('https://moodle.example.edu/mod/lti/auth.php');
    expect(auth.searchParams.get('redirect_uri')).toBe(`${PUBLIC}/lti/launch`);
    expect(auth.searchParams.get('response_mode')).toBe('form_post');
    expect(auth.searchParams.get('prompt')).toBe('none');
  });

  it('refuses a login whose target is not a Laurel URL', async () => {
    const res = await request(`http://127.0.0.1:${laurel.config.port}`).get('/lti/login').set('Accept', 'text/html')
      .query({ iss: 'https://moodle.example.edu', login_hint: '42', target_link_uri: 'https://evil.example/lti/launch', client_id: 'proxy-client' });
    expect(res.status).toBe(400);
    expect(res.headers['x-laurel-reason']).toBe('foreign_target_link_uri');
  });

  it('refuses a login from an unregistered platform, saying what to do', async () => {
    const res = await request(`http://127.0.0.1:${laurel.config.port}`).get('/lti/login').set('Accept', 'text/html')
      .query({ iss: 'https://unknown.example.edu', login_hint: '42', target_link_uri: `${PUBLIC}/lti/launch` });
    expect(res.status).toBe(400);
    expect(res.text).toContain('This LMS is not registered with Laurel');
  });
});
