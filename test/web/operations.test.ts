/**
 * Operating Laurel: health, request ids and JSON logs, the Canvas developer key, and expiry of
 * short-lived records on FerretDB (no TTL indexes there, so the sweeper deletes them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import mongoose from 'mongoose';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { ensureIndexes } from '../../src/store/indexes.js';
import { sweepExpired } from '../../src/store/sweeper.js';
import { LaunchStateModel } from '../../src/store/launchState.js';

let laurel: RunningLaurel;
beforeAll(async () => { laurel = await startLaurel(); });
afterAll(async () => { await laurel?.close(); });

describe('operations', () => {
  it('answers /healthz with the database state', async () => {
    const res = await request(laurel.url).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: 'ok' });
  });

  it('gives every request an id, echoes a sane incoming one, and logs JSON lines with it and no session token', async () => {
    const res = await request(laurel.url).get('/healthz?ltik=secret-session-token').set('X-Request-Id', 'lms-req-42');
    expect(res.headers['x-request-id']).toBe('lms-req-42');
    const line = laurel.logs.find((l) => l.reqId === 'lms-req-42' && l.msg === 'request');
    expect(line).toMatchObject({ method: 'GET', path: '/healthz', status: 200, service: 'laurel' });
    expect(JSON.stringify(laurel.logs)).not.toContain('secret-session-token');
    const generated = await request(laurel.url).get('/healthz').set('X-Request-Id', '<script>');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows the request id on error pages, which promise it, and in JSON problems', async () => {
    const missing = await request(laurel.url).get('/no-such-page').set('Accept', 'text/html').set('X-Request-Id', 'lms-req-401');
    expect(missing.status).toBe(401); // no session: what any page outside the public ones answers first
    expect(missing.text).toMatch(/Request id: <code>lms-req-401<\/code>/);
    // A refused launch says "give your LMS administrator the request id below".
    const launch = await request(laurel.url).post('/lti/launch').type('form').set('Accept', 'text/html').send({ id_token: 'not-a-jwt', state: 'nothing' });
    expect(launch.status).toBe(401);
    expect(launch.text).toContain('the request id below');
    expect(launch.text).toContain(`<code>${launch.headers['x-request-id']}</code>`);
    const french = await request(laurel.url).get('/no-such-page').set('Accept', 'text/html').set('Accept-Language', 'fr').set('X-Request-Id', 'req-fr');
    expect(french.text).toMatch(/Identifiant de requête : <code>req-fr<\/code>/);
    const json = await request(laurel.url).get('/no-such-page').set('Accept', 'application/json').set('X-Request-Id', 'lms-req-json');
    expect(json.body).toMatchObject({ error: 'invalid_session', requestId: 'lms-req-json' });
  });

  it('sends security headers: a CSP limiting who may frame Laurel and allowing no inline script, HSTS, no x-powered-by', async () => {
    const res = await request(laurel.url).get('/healthz');
    expect(res.headers['x-powered-by']).toBeUndefined();
    const csp = res.headers['content-security-policy'] as string;
    expect(csp).toMatch(/frame-ancestors 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/); // no 'unsafe-inline', no other source
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the Canvas developer key JSON with Laurel\'s URLs, placements and scopes', async () => {
    const res = await request(laurel.url).get('/lti/canvas.json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      oidc_initiation_url: `${laurel.url}/lti/login`,
      target_link_uri: `${laurel.url}/lti/launch`,
      public_jwk_url: `${laurel.url}/lti/keys`,
    });
    expect(res.body.scopes).toEqual(expect.arrayContaining([
      'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem', 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
      'https://purl.imsglobal.org/spec/lti-ags/scope/score', 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
    ]));
    const placements = res.body.extensions[0].settings.placements.map((p: { placement: string; message_type: string }) => [p.placement, p.message_type]);
    expect(placements).toEqual([['course_navigation', 'LtiResourceLinkRequest'], ['link_selection', 'LtiDeepLinkingRequest']]);
    // The course's copy history, for next term (canvas-lms lib/lti/variable_expander.rb, "Context.id.history").
    expect(res.body.custom_fields).toMatchObject({ context_id_history: '$Context.id.history' });
  });

  it('deletes expired launch states and ltijs records without TTL indexes, and keeps fresh ones', async () => {
    const expiries = await ensureIndexes({ ttl: false });
    expect(expiries.map((e) => e.model)).toEqual(expect.arrayContaining(['launchState', 'usedNonce', 'nonce', 'state', 'idtoken', 'contexttoken', 'accesstoken']));
    const hourAgo = new Date(Date.now() - 3600_000);
    await LaunchStateModel.create([
      { state: 'old', nonce: 'n', issuer: 'i', clientId: 'c', expiresAt: hourAgo },
      { state: 'fresh', nonce: 'n', issuer: 'i', clientId: 'c', expiresAt: new Date(Date.now() + 600_000) },
    ]);
    await mongoose.model('nonce').create([{ nonce: 'old-nonce', createdAt: hourAgo }, { nonce: 'fresh-nonce' }]);
    await sweepExpired(expiries);
    expect((await LaunchStateModel.find({}).lean()).map((s) => s.state)).toEqual(['fresh']);
    expect((await mongoose.model('nonce').find({}).lean()).map((n) => (n as { nonce?: string }).nonce)).toEqual(['fresh-nonce']);
  });

  it('answers /healthz 503 when the database is gone', async () => {
    await mongoose.disconnect();
    const res = await request(laurel.url).get('/healthz');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unavailable', database: 'unreachable' });
  });
});
