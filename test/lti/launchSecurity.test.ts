/**
 * Launches Laurel must refuse (LTI 1.3 core §5.1.3, Security Framework §5.1.3): each gets a
 * 401 page with a reason, never a stack trace, and a log line saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, exportSPKI, importJWK } from 'jose';
import type request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';

let laurel: RunningLaurel;
let canvas: Connected;

beforeAll(async () => {
  laurel = await startLaurel();
  canvas = await connectEmulator(laurel, 'canvas');
});
afterAll(async () => {
  await canvas?.emulator.close();
  await laurel?.close();
});

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const now = () => Math.floor(Date.now() / 1000);
const learner = () => canvas.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;

function expectRefused(res: request.Response, reason: string) {
  expect(res.status).toBe(401);
  expect(res.headers['x-laurel-reason']).toBe(reason);
  expect(res.text).toContain('Laurel could not accept this launch');
  expect(res.text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack trace
  expect(laurel.logged(reason).length).toBeGreaterThan(0);
}

/** A fresh login (state + nonce bound to this browser), then a token of the test's making. */
async function launchWith(make: (claims: Record<string, unknown>) => Promise<string> | string) {
  const steps = await startLaunch(canvas, { userId: learner().id });
  const nonce = JSON.parse(Buffer.from(steps.idToken.split('.')[1], 'base64url').toString()).nonce as string;
  const claims = canvas.emulator.idTokenClaims({ userId: learner().id, clientId: canvas.clientId, nonce });
  return finishLaunch(steps, { id_token: await make(claims), state: steps.state });
}

const signed = (changes: Record<string, unknown>, opts?: Parameters<Connected['emulator']['signIdToken']>[1]) =>
  (claims: Record<string, unknown>) => canvas.emulator.signIdToken({ ...claims, ...changes }, opts);

describe('a launch is refused with 401 and its reason when', () => {
  it('the signature does not verify', async () => {
    const res = await launchWith(async (claims) => {
      const token = await canvas.emulator.signIdToken(claims);
      const [h, p, s] = token.split('.');
      const sig = Buffer.from(s, 'base64url');
      sig[10] ^= 0xff;
      return [h, p, base64url.encode(sig)].join('.');
    });
    expectRefused(res, 'bad_signature');
  });

  it('the payload was changed after signing', async () => {
    const res = await launchWith(async (claims) => {
      const [h, , s] = (await canvas.emulator.signIdToken(claims)).split('.');
      return [h, base64url.encode(JSON.stringify({ ...claims, sub: 'someone-else' })), s].join('.');
    });
    expectRefused(res, 'bad_signature');
  });

  it('the kid is not in the platform\'s key set', async () => {
    expectRefused(await launchWith(signed({}, { kid: 'not-a-platform-key' })), 'unknown_kid');
  });

  it('alg is none', async () => {
    const res = await launchWith((claims) => `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`);
    expectRefused(res, 'alg_not_allowed');
  });

  it('alg is HS256, keyed with the platform\'s public key', async () => {
    const res = await launchWith(async (claims) => {
      const jwks = await (await fetch(canvas.emulator.endpoints.jwks)).json() as { keys: Record<string, string>[] };
      const pem = await exportSPKI(await importJWK(jwks.keys[0], 'RS256', { extractable: true }) as CryptoKey);
      return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid }).sign(new TextEncoder().encode(pem));
    });
    expectRefused(res, 'alg_not_allowed');
  });

  it('the header points at a key of its own (jku)', async () => {
    expectRefused(await launchWith(signed({}, { header: { jku: 'https://attacker.example/jwks' } })), 'key_reference_not_allowed');
  });

  it('iss is not the platform the login started with', async () => {
    expectRefused(await launchWith(signed({ iss: 'https://evil.example' })), 'wrong_issuer');
  });

  it('aud is another client', async () => {
    expectRefused(await launchWith(signed({ aud: 'another-client' })), 'wrong_audience');
  });

  it('aud lists several audiences and azp names none of them', async () => {
    expectRefused(await launchWith(signed({ aud: [canvas.clientId, 'another-client'], azp: 'a-third-client' })), 'azp_mismatch');
  });

  it('the deployment is not registered', async () => {
    expectRefused(await launchWith(signed({ [LTI + 'deployment_id']: 'unknown-deployment' })), 'unknown_deployment');
  });

  it('the token has expired', async () => {
    expectRefused(await launchWith(signed({ iat: now() - 900, exp: now() - 600 })), 'token_expired');
  });

  it('iat is in the future', async () => {
    expectRefused(await launchWith(signed({ iat: now() + 3600, exp: now() + 4000 })), 'issued_in_future');
  });

  it('message_type is not one Laurel handles', async () => {
    expectRefused(await launchWith(signed({ [LTI + 'message_type']: 'LtiSubmissionReviewRequest' })), 'wrong_message_type');
  });

  it('version is not 1.3.0', async () => {
    expectRefused(await launchWith(signed({ [LTI + 'version']: '1.1' })), 'wrong_version');
  });

  it('the token is not a JWT at all', async () => {
    expectRefused(await launchWith(() => 'not-a-jwt'), 'malformed_token');
  });

  it('the id_token is posted again (replayed nonce)', async () => {
    const steps = await startLaunch(canvas, { userId: learner().id });
    expect((await finishLaunch(steps)).status).toBe(303);
    expectRefused(await finishLaunch(steps), 'nonce_replayed');
  });

  it('the nonce is not the one this login sent', async () => {
    expectRefused(await launchWith(signed({ nonce: 'a-nonce-from-elsewhere' })), 'nonce_mismatch');
  });

  it('the state is missing', async () => {
    const steps = await startLaunch(canvas, { userId: learner().id });
    expectRefused(await finishLaunch(steps, { id_token: steps.idToken }), 'missing_state');
  });

  it('the state was started by another browser', async () => {
    const mine = await startLaunch(canvas, { userId: learner().id });
    const theirs = await startLaunch(canvas, { userId: learner().id });
    // Their id_token and state, posted in my browser: no cookie for their state, so Laurel asks
    // the platform's storage (Canvas), which holds only mine. (Without Platform Storage, Moodle:
    // 'state_not_bound', see launch.test.ts.)
    const res = await finishLaunch(mine, { id_token: theirs.idToken, state: theirs.state });
    expectRefused(res, 'state_mismatch');
  });

  it('the state belongs to another login of this browser', async () => {
    const first = await startLaunch(canvas, { userId: learner().id });
    const second = await startLaunch(canvas, { userId: learner().id });
    second.browser.cookies.forEach((v, k) => first.browser.cookies.set(k, v));
    const res = await first.browser.go('post', first.launchUrl, { id_token: first.idToken, state: second.state });
    expectRefused(res, 'nonce_mismatch');
  });

  it('the state is unknown', async () => {
    const steps = await startLaunch(canvas, { userId: learner().id });
    expectRefused(await finishLaunch(steps, { id_token: steps.idToken, state: 'made-up-state' }), 'unknown_state');
  });
});

describe('the session token after a launch', () => {
  async function launched() {
    const steps = await startLaunch(canvas, { userId: learner().id });
    const res = await finishLaunch(steps);
    return { browser: steps.browser, ltik: new URL(res.headers.location, laurel.url).searchParams.get('ltik')! };
  }

  it('opens the learner page as it is', async () => {
    const { browser, ltik } = await launched();
    expect((await browser.go('get', `${laurel.url}/me?ltik=${ltik}`)).status).toBe(200);
  });

  it('is refused when tampered with', async () => {
    const { browser, ltik } = await launched();
    const [h, p, s] = ltik.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = [h, base64url.encode(JSON.stringify({ ...claims, user: 'someone-else' })), s].join('.');
    const res = await browser.go('get', `${laurel.url}/me?ltik=${forged}`);
    expect(res.status).toBe(401);
    expect(res.headers['x-laurel-reason']).toBe('session_invalid');
    expect(laurel.logged('session_invalid').length).toBeGreaterThan(0);
  });

  it('is required: no token, no page', async () => {
    const res = await (await launched()).browser.go('get', `${laurel.url}/me`);
    expect(res.status).toBe(401);
  });
});
