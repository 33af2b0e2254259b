/**
 * Canvas answers the tool's authentication request with an OIDC error, posted to the redirect URI
 * in place of an id_token, when the browser has no Canvas session or another user's:
 * `validate_current_user!` in canvas-lms app/controllers/lti/ims/authentication_controller.rb sets
 * { error: "login_required", error_description: "Must have an active user session", state }.
 * The person must be told what to do, in their language, not shown a generic failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, startLaunch, type Connected } from '../support/lms.js';

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

const learner = () => canvas.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;

describe('Canvas answers the login with login_required', () => {
  for (const session of ['none', 'other_user'] as const) {
    it(`(${session === 'none' ? 'nobody signed in' : 'another user signed in'}): the emulator posts the error as Canvas does, Laurel says to sign in and reopen`, async () => {
      const steps = await startLaunch(canvas, { userId: learner().id, session });
      expect(steps.fields).toEqual({ error: 'login_required', error_description: 'Must have an active user session', state: steps.state });
      const stateCookies = [...steps.browser.cookies.keys()].filter((k) => k.includes(steps.state));

      const res = await steps.browser.go('post', steps.launchUrl, steps.fields);
      expect(res.status).toBe(401);
      expect(res.headers['x-laurel-reason']).toBe('platform_login_required');
      expect(res.text).toContain('Sign in to your LMS in this browser, then open Laurel again');
      expect(res.text).toContain('go back to your course and open Laurel again');
      expect(res.text).not.toContain('Laurel could not accept this launch');
      expect(laurel.logged('platform_login_required').length).toBeGreaterThan(0);
      for (const k of stateCookies) expect(steps.browser.cookies.has(k)).toBe(false);
    });
  }

  it('in French for a French browser', async () => {
    const steps = await startLaunch(canvas, { userId: learner().id, session: 'none' });
    steps.browser.language = 'fr-CA,fr;q=0.9';
    const res = await steps.browser.go('post', steps.launchUrl, steps.fields);
    expect(res.status).toBe(401);
    expect(res.headers['x-laurel-reason']).toBe('platform_login_required');
    expect(res.text).toContain('Connectez-vous à votre LMS dans ce navigateur, puis ouvrez Laurel de nouveau');
  });

  it('another OIDC error is a refused launch that names what the LMS said', async () => {
    const steps = await startLaunch(canvas, { userId: learner().id, session: 'none' });
    const res = await steps.browser.go('post', steps.launchUrl, { error: 'launch_no_longer_valid', error_description: 'The launch has either expired or already been consumed', state: steps.state });
    expect(res.status).toBe(401);
    expect(res.headers['x-laurel-reason']).toBe('platform_refused_login');
    expect(res.text).toContain('launch_no_longer_valid: The launch has either expired or already been consumed');
  });
});

it('with the launch\'s user signed in, Canvas sends the id_token as before', async () => {
  const steps = await startLaunch(canvas, { userId: learner().id });
  expect(steps.fields.id_token).toBeTruthy();
  expect(steps.fields.error).toBeUndefined();
});
