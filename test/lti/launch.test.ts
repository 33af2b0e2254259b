/**
 * LTI 1.3 launches through the emulated Canvas and Moodle, over real HTTP: login initiation,
 * authentication, launch, and the page each role lands on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { Browser, connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { parseForm } from '../support/html.js';
import type { Flavour } from '../emulator/index.js';

let laurel: RunningLaurel;
const lms: Partial<Record<Flavour, Connected>> = {};

beforeAll(async () => {
  laurel = await startLaurel();
  lms.canvas = await connectEmulator(laurel, 'canvas');
  lms.moodle = await connectEmulator(laurel, 'moodle');
});
afterAll(async () => {
  await lms.canvas?.emulator.close();
  await lms.moodle?.emulator.close();
  await laurel?.close();
});

function person(flavour: Flavour, role: 'Instructor' | 'TeachingAssistant' | 'Learner') {
  const user = lms[flavour]!.emulator.course.users.find((u) => u.role === role && u.status === 'Active');
  if (!user) throw new Error(`no ${role} in the seeded course`);
  return user;
}

async function launchAs(flavour: Flavour, role: 'Instructor' | 'TeachingAssistant' | 'Learner', cookies = true) {
  const steps = await startLaunch(lms[flavour]!, { userId: person(flavour, role).id, cookies });
  const res = await finishLaunch(steps);
  return { steps, res };
}

describe.each(['canvas', 'moodle'] as const)('a resource link launch from %s', (flavour) => {
  it('lands an instructor on the course dashboard with the course title and their name', async () => {
    const { steps, res } = await launchAs(flavour, 'Instructor');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/course\?ltik=/);
    const page = await steps.browser.go('get', laurel.url + res.headers.location);
    expect(page.status).toBe(200);
    const { course } = lms[flavour]!.emulator;
    expect(page.text).toContain(`${course.title}: badges`);
    expect(page.text).toContain(person(flavour, 'Instructor').name);
  });

  it('lands a teaching assistant on the dashboard too', async () => {
    const { res } = await launchAs(flavour, 'TeachingAssistant');
    expect(res.headers.location).toMatch(/^\/course\?ltik=/);
  });

  it('lands a learner on their own page, and keeps them off the dashboard', async () => {
    const { steps, res } = await launchAs(flavour, 'Learner');
    expect(res.headers.location).toMatch(/^\/me\?ltik=/);
    const page = await steps.browser.go('get', laurel.url + res.headers.location);
    expect(page.text).toContain(`My badges in ${lms[flavour]!.emulator.course.title}`);
    expect(page.text).toContain(person(flavour, 'Learner').name);
    const ltik = new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
    const dashboard = await steps.browser.go('get', `${laurel.url}/course?ltik=${encodeURIComponent(ltik)}`);
    expect(dashboard.status).toBe(403);
  });
});

describe('launching inside an iframe whose cookies the browser blocks', () => {
  it('works from Canvas through LTI Platform Storage (lti_storage_target)', async () => {
    const { steps, res } = await launchAs('canvas', 'Learner', false);
    expect(steps.login.status).toBe(200); // the page that puts state into the platform's storage
    expect(steps.browser.cookies.size).toBe(0);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/me\?ltik=/);
  });

  it('from Moodle (no Platform Storage), checks the cookie before asking Moodle, and offers the same login in a new window', async () => {
    const c = lms.moodle!;
    const user = person('moodle', 'Learner');
    const framed = new Browser(false); // keeps no cookie for Laurel inside the LMS's frame
    const start = await framed.go('get', c.emulator.launchUrl({ userId: user.id, clientId: c.clientId, embed: false }));
    const login = await framed.follow(start, (r) => r.request.url.includes('/lti/login'), c.emulator.url);
    expect(login.status).toBe(302);
    const check = await framed.go('get', login.headers.location);
    expect(new URL(check.request.url).pathname).toBe('/lti/login/check');
    // Moodle was not asked yet: its lti_message_hint, which its auth.php uses up, is still good.
    expect(check.status).toBe(200);
    expect(check.text).toContain('Laurel opens in a window of its own');
    const offer = parseForm(check.text, 'new-window');
    expect(check.text).toMatch(/<form id="new-window"[^>]*target="_blank"/);
    expect(offer.action).toBe(`${laurel.url}/lti/login`);
    expect(offer.fields).toMatchObject({ iss: c.emulator.issuer, login_hint: user.id, target_link_uri: `${laurel.url}/lti/launch` });
    expect(offer.fields.lti_message_hint).toBeTruthy();

    // The new window is a top-level page of Laurel's own: its cookie is first-party and kept.
    const window = new Browser(true);
    const again = await window.go('post', offer.action, offer.fields);
    const auth = await window.redirects(again);
    expect(auth.status).toBe(200);
    const form = parseForm(auth.text);
    const res = await window.go('post', form.action, form.fields);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/me\?ltik=/);
  });

  it('refuses a launch whose state cookie is missing, when the browser skipped the check', async () => {
    const steps = await startLaunch(lms.moodle!, { userId: person('moodle', 'Learner').id, cookies: true });
    steps.browser.cookies.clear();
    const res = await finishLaunch(steps);
    expect(res.status).toBe(401);
    expect(res.headers['x-laurel-reason']).toBe('state_not_bound');
  });

  it('is refused when the state in platform storage differs', async () => {
    const steps = await startLaunch(lms.canvas!, { userId: person('canvas', 'Learner').id, cookies: false });
    steps.storage.set(`laurel_state_${steps.state}`, 'someone-elses-state');
    const res = await finishLaunch(steps);
    expect(res.status).toBe(401);
    expect(res.headers['x-laurel-reason']).toBe('state_mismatch');
  });

  it('sets the state cookie SameSite=None; Secure; Partitioned when Laurel is served over HTTPS', async () => {
    const { stateCookieOptions } = await import('../../src/web/lti/stateCookie.js');
    expect(stateCookieOptions(true)).toMatchObject({ sameSite: 'none', secure: true, httpOnly: true, partitioned: true });
  });
});

describe.each(['canvas', 'moodle'] as const)('deep linking from %s', (flavour) => {
  it('answers an instructor with a signed ltiResourceLink to Laurel\'s course page', async () => {
    const c = lms[flavour]!;
    const steps = await startLaunch(c, { userId: person(flavour, 'Instructor').id, message: 'LtiDeepLinkingRequest' });
    const res = await finishLaunch(steps);
    expect(res.status).toBe(200);
    const form = parseForm(res.text);
    expect(form.method).toBe('post');
    const keys = createRemoteJWKSet(new URL(laurel.url + '/lti/keys'));
    const { payload, protectedHeader } = await jwtVerify(form.fields.JWT, keys, { issuer: c.clientId, audience: c.emulator.issuer });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload['https://purl.imsglobal.org/spec/lti/claim/message_type']).toBe('LtiDeepLinkingResponse');
    expect(payload['https://purl.imsglobal.org/spec/lti/claim/version']).toBe('1.3.0');
    expect(payload['https://purl.imsglobal.org/spec/lti/claim/deployment_id']).toBe(c.deploymentId);
    const items = payload['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Record<string, unknown>[];
    expect(items).toEqual([expect.objectContaining({ type: 'ltiResourceLink', url: laurel.url + '/lti/launch', title: 'Badges' })]);

    // The LMS accepts it: the emulator verifies the response and records the link.
    const back = await new Browser().go('post', form.action, form.fields);
    expect(back.status).toBe(200);
    expect(c.emulator.deepLinks.at(-1)).toMatchObject({ clientId: c.clientId, contentItems: [expect.objectContaining({ type: 'ltiResourceLink' })] });
  });

  it('refuses a learner', async () => {
    const steps = await startLaunch(lms[flavour]!, { userId: person(flavour, 'Learner').id, message: 'LtiDeepLinkingRequest' });
    const res = await finishLaunch(steps);
    expect(res.status).toBe(403);
  });
});

describe('names hidden by the LMS\'s privacy settings', () => {
  it('still launches, and shows the person by their LMS id', async () => {
    const hidden = await connectEmulator(laurel, 'moodle', { privacy: { hideNames: true, hideEmails: true } });
    try {
      const learner = hidden.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
      const steps = await startLaunch(hidden, { userId: learner.id });
      const res = await finishLaunch(steps);
      expect(res.status).toBe(303);
      const page = await steps.browser.go('get', laurel.url + res.headers.location);
      expect(page.status).toBe(200);
      expect(page.text).not.toContain(learner.name);
      expect(page.text).toContain(`user ${learner.id}`);
    } finally {
      await hidden.emulator.close();
    }
  });
});
