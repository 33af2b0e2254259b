/**
 * The LMS emulator over real HTTP, for both flavours: configuration and registration, the OIDC
 * launch, service tokens, AGS, NRPS, deep linking, throttling and privacy.
 */
import { runInNewContext } from 'node:vm';
import { createRemoteJWKSet, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedCourse, startEmulator, type Emulator, type Flavour, type SeedUser } from './index.js';
import { storageScript } from './platformStorage.js';
import { registrationFrameUrl } from '../support/lms.js';
import { accessToken, clientAssertion, followPages, readForm, requestToken, signAsTool, startToolStub, type ToolStub } from './toolStub.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/scope/';
const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const ALL_SCOPES = [`${AGS}lineitem`, `${AGS}lineitem.readonly`, `${AGS}result.readonly`, `${AGS}score`, NRPS_SCOPE];
const LINEITEMS = 'application/vnd.ims.lis.v2.lineitemcontainer+json';
const RESULTS = 'application/vnd.ims.lis.v2.resultcontainer+json';
const SCORE = 'application/vnd.ims.lis.v1.score+json';
const MEMBERSHIPS = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

/** Runs the login initiation and the auth request as a browser and the tool would; returns the posted launch form. */
async function launch(emu: Emulator, tool: ToolStub, o: { user: SeedUser; clientId: string; message?: 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest'; resourceLinkId?: string; locale?: string }) {
  const start = await fetch(emu.launchUrl({ userId: o.user.id, clientId: o.clientId, message: o.message, resourceLinkId: o.resourceLinkId, embed: false, locale: o.locale }), { redirect: 'manual' });
  let login: Record<string, string>;
  if (emu.flavour === 'canvas') {
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(tool.registration.initiateLoginUri);
    login = Object.fromEntries(location.searchParams);
  } else {
    const form = readForm(await start.text());
    expect(form.action).toBe(tool.registration.initiateLoginUri);
    login = form.fields;
  }
  const nonce = `nonce-${Math.random()}`;
  const auth = new URL(emu.endpoints.auth);
  auth.search = new URLSearchParams({
    scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
    client_id: login.client_id!, redirect_uri: tool.registration.redirectUris[0]!,
    login_hint: login.login_hint!, lti_message_hint: login.lti_message_hint!, state: 'state-1', nonce,
  }).toString();
  const answer = await fetch(auth); // follows Canvas's authorize_redirect hop
  const html = await answer.text();
  expect(answer.status, html).toBe(200);
  const form = readForm(html);
  const { payload } = await jwtVerify(form.fields.id_token!, createRemoteJWKSet(new URL(emu.endpoints.jwks)), { issuer: emu.issuer, audience: o.clientId, algorithms: ['RS256'] });
  return { login, form, claims: payload, nonce, authUrl: auth };
}

describe('seedCourse', () => {
  it('is deterministic, realistic and shapes ids per flavour', () => {
    const a = seedCourse({ seed: 7 });
    expect(seedCourse({ seed: 7 })).toEqual(a);
    // Canvas also has a sub-account admin, not enrolled, last (laurelAdministrators.test.ts).
    expect(a.users.filter((u) => u.role === 'Instructor' && u.enrolled !== false)).toHaveLength(1);
    expect(a.users.filter((u) => u.enrolled === false).map((u) => u.subAccountAdmin)).toEqual([true]);
    expect(a.users.filter((u) => u.role === 'TeachingAssistant')).toHaveLength(1);
    expect(a.users.filter((u) => u.role === 'Learner')).toHaveLength(30);
    expect(a.activities.filter((x) => x.ags).map((x) => x.label)).toEqual(['Quiz 1', 'Lab: Safety', 'Essay', 'Quiz 2', 'Lab: Titration', 'Final Project']);
    expect(a.activities.filter((x) => !x.ags)).toHaveLength(1);
    const graded = a.results.length;
    expect(graded).toBeLessThan(30 * 7); // some results are missing
    expect(a.results.some((r) => r.score! / a.activities.find((x) => x.id === r.lineItemId)!.scoreMaximum < 0.5)).toBe(true);
    expect(a.users[2]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/); // Canvas: opaque uuid sub
    const m = seedCourse({ seed: 7, flavour: 'moodle' });
    // Canvas alone adds its Test Student, an observer and an unenrolled sub-account admin, after everyone else.
    const canvasOnly = (u: { role: string; subAccountAdmin?: boolean }) => u.subAccountAdmin || u.role === 'TestStudent' || u.role === 'Observer';
    expect(a.users.filter(canvasOnly).map((u) => u.role).slice(0, 2)).toEqual(['TestStudent', 'Observer']);
    expect(m.users.map((u) => u.name)).toEqual(a.users.filter((u) => !canvasOnly(u)).map((u) => u.name));
    for (const course of [a, m]) expect(new Set(course.users.map((u) => u.lmsId)).size, 'one LMS id per person').toBe(course.users.length);
    expect(m.users[2]!.id).toBe(m.users[2]!.lmsId);
    expect(m.contextId).toBe(m.id);
  });
});

describe('platform storage script', () => {
  it('stores per tool origin, answers .response subjects and ignores other origins', () => {
    let listener: (e: unknown) => void = () => {};
    const sent: { msg: Record<string, unknown>; origin: string }[] = [];
    runInNewContext(storageScript(['https://tool.example'], true), { window: { addEventListener: (_: string, l: typeof listener) => { listener = l; } } });
    const post = (origin: string, data: object) => listener({ origin, data, source: { postMessage: (msg: Record<string, unknown>, o: string) => sent.push({ msg, origin: o }) } });
    post('https://tool.example', { subject: 'lti.capabilities', message_id: '1' });
    post('https://tool.example', { subject: 'lti.put_data', message_id: '2', key: 'state', value: 'abc' });
    post('https://evil.example', { subject: 'lti.get_data', message_id: '3', key: 'state' });
    post('https://tool.example', { subject: 'lti.get_data', message_id: '4', key: 'state' });
    expect(sent.map((s) => s.msg.subject)).toEqual(['lti.capabilities.response', 'lti.put_data.response', 'lti.get_data.response']);
    expect(sent[2]!.msg).toMatchObject({ message_id: '4', key: 'state', value: 'abc' });
    expect(sent.every((s) => s.origin === 'https://tool.example')).toBe(true);
  });
});

describe.each<Flavour>(['canvas', 'moodle'])('%s emulator', (flavour) => {
  let emu: Emulator;
  let tool: ToolStub;
  let clientId: string;
  let deploymentId: string;
  const canvas = flavour === 'canvas';
  const learner = () => emu.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
  const ta = () => emu.course.users.find((u) => u.role === 'TeachingAssistant')!;
  const teacher = () => emu.course.users.find((u) => u.role === 'Instructor')!;
  // Moodle wants the exact media type in Accept (and refuses */*); Canvas does not care.
  const get = (token: string, accept: string) => ({ authorization: `Bearer ${token}`, accept });

  beforeAll(async () => {
    emu = await startEmulator({ flavour });
    tool = await startToolStub();
    ({ clientId, deploymentId } = emu.registerTool(tool.registration));
  });
  afterAll(async () => {
    await emu.close();
    await tool.close();
  });

  it('serves its OpenID configuration and JWKS', async () => {
    const config = (await (await fetch(emu.endpoints.openidConfiguration)).json()) as Record<string, any>;
    expect(config.issuer).toBe(emu.url);
    expect(config.authorization_endpoint).toBe(emu.endpoints.auth);
    expect(config.token_endpoint).toBe(emu.endpoints.token);
    expect(config.jwks_uri).toBe(emu.endpoints.jwks);
    expect(config.registration_endpoint).toBe(emu.endpoints.registration);
    expect(config.scopes_supported).toEqual(expect.arrayContaining(ALL_SCOPES));
    expect(config['https://purl.imsglobal.org/spec/lti-platform-configuration'].product_family_code).toBe(flavour);
    expect(emu.endpoints.auth).toContain(canvas ? '/api/lti/authorize_redirect' : '/mod/lti/auth.php');
    const jwks = (await (await fetch(emu.endpoints.jwks)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]!.kid).toBeTruthy();
    expect(jwks.keys[0]!.d).toBeUndefined();
  });

  it('runs dynamic registration only with the registration token it issued', async () => {
    const page = await (await fetch(emu.dynamicRegistrationUrl(`${tool.url}/lti/register`))).text();
    const iframe = await registrationFrameUrl(emu, `${tool.url}/lti/register`);
    expect(iframe.origin + iframe.pathname).toBe(`${tool.url}/lti/register`);
    const token = iframe.searchParams.get('registration_token')!;
    const configUrl = iframe.searchParams.get('openid_configuration')!;
    const config = (await (await fetch(configUrl)).json()) as Record<string, string>;
    expect(config.registration_endpoint).toBe(emu.endpoints.registration);
    expect(page).toContain('org.imsglobal.lti.close');
    if (flavour === 'canvas') {
      // security_controller.rb openid_configuration: no configuration without a token Canvas issued.
      const bare = new URL(configUrl);
      bare.search = '';
      expect((await fetch(bare)).status).toBe(401);
      // dynamic_registration_controller.rb dr_iframe: 400 without a url, 401 for a token Canvas did not issue.
      const drIframe = new URL('/api/lti/accounts/self/dr_iframe', emu.url);
      expect((await fetch(drIframe)).status).toBe(400);
      const forged = new URL(iframe);
      forged.searchParams.set('registration_token', 'forged');
      drIframe.searchParams.set('url', forged.toString());
      expect((await fetch(drIframe)).status).toBe(401);
    }

    const body = {
      application_type: 'web', response_types: ['id_token'], grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${tool.url}/lti/login`, redirect_uris: [`${tool.url}/lti/launch`], client_name: 'Laurel (dynamic)',
      jwks_uri: `${tool.url}/lti/keys`, token_endpoint_auth_method: 'private_key_jwt',
      scope: `${AGS}score ${NRPS_SCOPE} https://example.com/unsupported`,
      'https://purl.imsglobal.org/spec/lti-tool-configuration': {
        domain: new URL(tool.url).host, target_link_uri: `${tool.url}/lti/launch`, claims: ['iss', 'sub', 'name', 'email'],
        messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: `${tool.url}/lti/deep-link` }],
      },
    };
    const post = (b: object, bearer?: string) => fetch(config.registration_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(b),
    });
    expect((await post(body)).status).toBe(401);
    expect((await post(body, 'forged-token')).status).toBe(401);
    const incomplete = await post({ ...body, jwks_uri: undefined }, token);
    expect(incomplete.status).toBe(400);
    expect(await incomplete.json()).toMatchObject({ error: 'invalid_client_metadata', error_description: expect.stringContaining('jwks_uri') });

    const ok = await post(body, token);
    expect(ok.status).toBe(200);
    const answer = (await ok.json()) as Record<string, any>;
    expect(answer.client_id).toBeTruthy();
    // Moodle names the deployment in its answer; Canvas creates it later, at install.
    const named = answer['https://purl.imsglobal.org/spec/lti-tool-configuration'].deployment_id;
    if (flavour === 'moodle') expect(named).toBeTruthy();
    else expect(named).toBeUndefined();
    expect(answer.scope.split(' ').sort()).toEqual([`${AGS}score`, NRPS_SCOPE].sort());
    const registered = emu.tools.find((t) => t.clientId === answer.client_id)!;
    expect(registered).toMatchObject({ name: 'Laurel (dynamic)', deepLinkingUri: `${tool.url}/lti/deep-link` });
    expect((await post(body, token)).status).toBe(401); // the token is spent
  });

  it('launches a learner: login initiation, auth request, signed id_token with the flavour claims', async () => {
    const user = learner();
    const { login, form, claims, nonce } = await launch(emu, tool, { user, clientId });
    expect(login).toMatchObject({ iss: emu.issuer, client_id: clientId, lti_deployment_id: deploymentId, target_link_uri: tool.registration.targetLinkUri });
    expect(form.action).toBe(tool.registration.redirectUris[0]);
    expect(form.fields.state).toBe('state-1');
    expect(claims).toMatchObject({ iss: emu.issuer, aud: clientId, sub: user.id, nonce, name: user.name, email: user.email });
    expect(claims.azp).toBe(canvas ? clientId : undefined); // Moodle sends no azp
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(claims[`${LTI}message_type`]).toBe('LtiResourceLinkRequest');
    expect(claims[`${LTI}version`]).toBe('1.3.0');
    expect(claims[`${LTI}deployment_id`]).toBe(deploymentId);
    expect(claims[`${LTI}roles`]).toContain('http://purl.imsglobal.org/vocab/lis/v2/membership#Learner');
    expect(claims[`${LTI}tool_platform`]).toMatchObject({ product_family_code: flavour });
    expect(claims[`${LTI}launch_presentation`]).toMatchObject({ document_target: 'iframe', locale: 'en' });
    expect(claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice']).toMatchObject({ service_versions: canvas ? ['2.0'] : ['1.0', '2.0'] });
    const context = claims[`${LTI}context`] as Record<string, unknown>;
    expect(context).toMatchObject({ id: emu.course.contextId, label: emu.course.label, title: emu.course.title });
    if (canvas) {
      expect(login.lti_storage_target).toBe('post_message_forwarding');
      expect(login.login_hint).not.toBe(user.id); // Canvas's login_hint is opaque, not the sub
      expect(form.fields.lti_storage_target).toBe('post_message_forwarding');
      expect(context.type).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering']);
      expect(claims[`${LTI}custom`]).toMatchObject({ canvas_course_id: emu.course.id, canvas_user_id: user.lmsId });
    } else {
      expect(login.login_hint).toBe(user.id);
      expect(login.lti_storage_target).toBeUndefined();
      expect(claims.sub).toBe(login.login_hint);
      expect(context.type).toEqual(['CourseSection']);
      expect(claims[`${LTI}lis`]).toEqual({ person_sourcedid: '', course_section_sourcedid: '' });
      expect((claims[`${LTI}custom`] as Record<string, string>).context_memberships_url).toContain('/memberships');
    }
  });

  it('sends the user\'s language as the LMS does: launch_presentation.locale, and on Canvas the top-level locale claim', async () => {
    const locale = canvas ? 'fr-CA' : 'fr_ca';
    const { claims } = await launch(emu, tool, { user: learner(), clientId, locale });
    expect(claims[`${LTI}launch_presentation`]).toMatchObject({ locale });
    if (canvas) expect(claims.locale).toBe(locale);
    else expect(claims.locale).toBeUndefined();
    // Without one, the launch is in English.
    const { claims: plain } = await launch(emu, tool, { user: learner(), clientId });
    expect(plain[`${LTI}launch_presentation`]).toMatchObject({ locale: 'en' });
  });

  it('sends the flavour roles for a teaching assistant', async () => {
    const { claims } = await launch(emu, tool, { user: ta(), clientId });
    const roles = claims[`${LTI}roles`] as string[];
    expect(roles).toContain('http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor');
    if (canvas) expect(roles).toContain('http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant');
    else expect(roles).toEqual(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor']);
  });

  it('knows its teaching assistant as the flavour does: Canvas\'s TA is staff everywhere; Moodle\'s non-editing teacher is launched as Instructor, listed as Learner by NRPS and `teacher` by the web services, and refused a score with 400 and an empty body', async () => {
    const { claims } = await launch(emu, tool, { user: ta(), clientId });
    expect(claims[`${LTI}roles`]).toContain('http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor');
    const token = await accessToken(emu, tool, clientId, ALL_SCOPES);
    const memberships = canvas
      ? `${emu.url}/api/lti/courses/${emu.course.id}/names_and_roles?limit=100`
      : `${emu.url}/mod/lti/services.php/CourseSection/${emu.course.id}/bindings/${emu.tools[0]!.typeId}/memberships?limit=100`;
    const { members } = (await (await fetch(memberships, { headers: get(token, MEMBERSHIPS) })).json()) as { members: { user_id: string; roles: string[] }[] };
    expect(members.find((m) => m.user_id === ta().id)!.roles).toEqual(canvas
      ? ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor', 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant']
      : ['Learner']);
    const instructors = (await (await fetch(`${memberships}&role=Instructor`, { headers: get(token, MEMBERSHIPS) })).json()) as { members: { user_id: string }[] };
    expect(instructors.members.some((m) => m.user_id === ta().id)).toBe(canvas);

    const lab = emu.course.activities.find((a) => a.label === 'Lab: Safety')!;
    const scores = canvas
      ? `${emu.url}/api/lti/courses/${emu.course.id}/line_items/${lab.id}/scores`
      : `${emu.url}/mod/lti/services.php/${emu.course.id}/lineitems/${lab.id}/lineitem/scores?type_id=${emu.tools[0]!.typeId}`;
    const refused = await fetch(scores, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': SCORE },
      body: JSON.stringify({ userId: ta().id, scoreGiven: 1, scoreMaximum: 1, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() }),
    });
    expect(refused.status).toBe(canvas ? 422 : 400);
    if (canvas) expect(await refused.text()).toContain('is not a student');
    else {
      // Moodle 4.5 (test/moodle/contract.test.ts): `[]`, its reason and the score in the status line.
      expect(await refused.text()).toBe('[]');
      expect(refused.statusText).toMatch(/^Incorrect score received\{/);
    }
    expect(emu.course.results.some((r) => r.userId === ta().id)).toBe(false);

    if (!canvas) {
      const ws = await fetch(`${emu.url}/webservice/rest/server.php`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ wstoken: emu.moodleWsToken({ functions: ['core_enrol_get_enrolled_users'] }), wsfunction: 'core_enrol_get_enrolled_users', moodlewsrestformat: 'json', courseid: emu.course.id }),
      });
      const enrolled = (await ws.json()) as { id: number; roles: { shortname: string }[] }[];
      expect(enrolled.find((u) => String(u.id) === ta().lmsId)!.roles.map((r) => r.shortname)).toEqual(['teacher']);
    }
  });

  it('puts the link line item in the AGS claim when launching a graded activity', async () => {
    const activity = emu.course.activities[1]!;
    const { claims } = await launch(emu, tool, { user: learner(), clientId, resourceLinkId: activity.resourceLinkId });
    expect(claims[`${LTI}resource_link`]).toMatchObject({ id: activity.resourceLinkId, title: activity.label });
    const ags = claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint'] as Record<string, any>;
    expect(ags.scope).toEqual(ALL_SCOPES.slice(0, 4));
    expect(ags.lineitem).toContain(canvas ? `/line_items/${activity.id}` : `/lineitems/${activity.id}/lineitem?type_id=`);
    if (!canvas) expect(claims['https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome']).toBeTruthy();
  });

  it('refuses an auth request with a wrong redirect_uri or login_hint', async () => {
    const { authUrl } = await launch(emu, tool, { user: learner(), clientId });
    const wrongRedirect = new URL(authUrl);
    wrongRedirect.searchParams.set('redirect_uri', 'https://attacker.example/launch');
    const refused = await fetch(wrongRedirect);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('redirect_uri');
    const wrongHint = new URL(authUrl);
    wrongHint.searchParams.set('login_hint', 'someone-else');
    expect((await fetch(wrongHint)).status).toBe(400);
    const noNonce = new URL(authUrl);
    noNonce.searchParams.delete('nonce');
    expect((await fetch(noNonce)).status).toBe(400);
  });

  it('serves the course page with the tool iframe (and, on Canvas, the storage frame)', async () => {
    const html = await (await fetch(emu.launchUrl({ userId: learner().id, clientId }))).text();
    expect(html).toMatch(/<iframe name="(tool_content|contentframe)"[^>]*src="[^"]*embed=0/);
    expect(html.includes('name="post_message_forwarding"')).toBe(canvas);
    const storage = await fetch(`${emu.url}/post_message_forwarding`);
    if (canvas) expect(await storage.text()).toContain(JSON.stringify([new URL(tool.url).origin]));
    else expect(storage.status).toBe(404);
  });

  it('signs arbitrary claims for hostile-launch tests', async () => {
    const claims = emu.idTokenClaims({ userId: learner().id, clientId, nonce: 'n1' });
    const token = await emu.signIdToken({ ...claims, [`${LTI}version`]: '1.1' });
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(emu.endpoints.jwks)));
    expect(payload[`${LTI}version`]).toBe('1.1');
    expect((await emu.signIdToken(claims, { alg: 'none' })).endsWith('.')).toBe(true);
  });

  it('issues access tokens for a correctly signed client assertion only', async () => {
    const good = await requestToken(emu, await clientAssertion(tool, clientId, emu.endpoints.token), [`${AGS}score`, 'https://example.com/other']);
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: `${AGS}score`, access_token: expect.any(String) });

    const stranger = (await generateKeyPair('RS256')).privateKey;
    const forged = await requestToken(emu, await clientAssertion(tool, clientId, emu.endpoints.token, {}, stranger), [`${AGS}score`]);
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'invalid_client' });

    const wrongAudience = await requestToken(emu, await clientAssertion(tool, clientId, 'https://elsewhere.example/token'), [`${AGS}score`]);
    expect(wrongAudience.status).toBe(401);

    const replayed = await clientAssertion(tool, clientId, emu.endpoints.token);
    expect((await requestToken(emu, replayed, [`${AGS}score`])).status).toBe(200);
    const replay = await requestToken(emu, replayed, [`${AGS}score`]);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });

    const badScope = await requestToken(emu, await clientAssertion(tool, clientId, emu.endpoints.token), ['https://example.com/other']);
    expect(await badScope.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('pages AGS line items and results to the end through Link headers', async () => {
    const token = await accessToken(emu, tool, clientId, ALL_SCOPES);
    const lineItemsUrl = new URL(canvas
      ? `${emu.url}/api/lti/courses/${emu.course.id}/line_items`
      : `${emu.url}/mod/lti/services.php/${emu.course.id}/lineitems?type_id=${emu.tools[0]!.typeId}`);
    lineItemsUrl.searchParams.set('limit', '2');
    const { pages, urls } = await followPages<Record<string, any>[]>(lineItemsUrl.toString(), get(token, LINEITEMS));
    const items = pages.flat();
    expect(urls).toHaveLength(3);
    expect(items.map((i) => i.label)).toEqual(['Quiz 1', 'Lab: Safety', 'Essay', 'Quiz 2', 'Lab: Titration', 'Final Project']);
    expect(items.map((i) => i.label)).not.toContain('Participation'); // an ordinary assignment is invisible
    if (!canvas) {
      expect(new URL(urls[1]!).searchParams.get('from')).toBe('2');
      expect(new URL(urls[1]!).searchParams.get('type_id')).toBe(emu.tools[0]!.typeId);
      expect((await fetch(lineItemsUrl, { headers: get(token, '*/*') })).status).toBe(400);
    }

    const quiz = items[0]!;
    const resultsUrl = canvas ? `${quiz.id}/results?limit=4` : quiz.id.replace('/lineitem?', '/lineitem/results?') + '&limit=4';
    const results = (await followPages<Record<string, any>[]>(resultsUrl, get(token, RESULTS))).pages.flat();
    const seeded = emu.course.results.filter((r) => r.lineItemId === emu.course.activities[0]!.id);
    expect(results).toHaveLength(seeded.length);
    expect(results[0]).toMatchObject({ scoreOf: quiz.id, userId: seeded[0]!.userId, resultScore: seeded[0]!.score, resultMaximum: 10 });

    const filtered = await fetch(lineItemsUrl.toString().replace('limit=2', 'tag=lab'), { headers: get(token, LINEITEMS) });
    expect(((await filtered.json()) as unknown[]).length).toBe(2);
  });

  it('takes scores for learners only, with increasing timestamps, answering as the flavour does', async () => {
    const token = await accessToken(emu, tool, clientId, ALL_SCOPES);
    const lab = emu.course.activities.find((a) => a.label === 'Lab: Safety')!; // scoreMaximum 20
    const lineItem = canvas ? `${emu.url}/api/lti/courses/${emu.course.id}/line_items/${lab.id}` : `${emu.url}/mod/lti/services.php/${emu.course.id}/lineitems/${lab.id}/lineitem?type_id=${emu.tools[0]!.typeId}`;
    const scoresUrl = canvas ? `${lineItem}/scores` : lineItem.replace('/lineitem?', '/lineitem/scores?');
    const post = (userId: string, timestamp: string, extra: object = {}) => fetch(scoresUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': SCORE },
      body: JSON.stringify({ userId, scoreGiven: 5, scoreMaximum: 10, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp, ...extra }),
    });
    const user = learner();
    const first = await post(user.id, new Date().toISOString());
    expect(first.status).toBe(200);
    if (canvas) expect(await first.json()).toMatchObject({ resultUrl: expect.stringContaining(`/line_items/${lab.id}/results/`) });
    else expect(await first.text()).toBe('');

    expect((await post(teacher().id, new Date().toISOString())).status).toBe(canvas ? 422 : 400);
    expect((await post(user.id, '2020-01-01T00:00:00Z')).status).toBe(canvas ? 400 : 409);
    expect((await post(user.id, new Date().toISOString(), { gradingProgress: 'Bogus' })).status).toBe(canvas ? 422 : 400);

    const resultsUrl = canvas ? `${lineItem}/results?user_id=${user.id}` : lineItem.replace('/lineitem?', '/lineitem/results?') + `&user_id=${user.id}`;
    const [result] = (await (await fetch(resultsUrl, { headers: get(token, RESULTS) })).json()) as Record<string, number>[];
    // Canvas reports the score as posted; Moodle on the line item's scale.
    expect(result).toMatchObject(canvas ? { resultScore: 5, resultMaximum: 10 } : { resultScore: 10, resultMaximum: 20 });

    if (!canvas) {
      const charset = await fetch(scoresUrl, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
      expect(charset.status).toBe(400);
    }
  });

  it('creates, updates and deletes its own line items, and guards scopes and token expiry', async () => {
    const token = await accessToken(emu, tool, clientId, ALL_SCOPES);
    const container = canvas ? `${emu.url}/api/lti/courses/${emu.course.id}/line_items` : `${emu.url}/mod/lti/services.php/${emu.course.id}/lineitems?type_id=${emu.tools[0]!.typeId}`;
    const created = await fetch(container, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' },
      body: JSON.stringify({ label: 'Badge: Safety', scoreMaximum: 1, tag: 'laurel-badge' }),
    });
    expect(created.status).toBe(201);
    const item = (await created.json()) as Record<string, string>;
    expect(item).toMatchObject({ label: 'Badge: Safety', tag: 'laurel-badge' });
    const updated = await fetch(item.id!, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.ims.lis.v2.lineitem+json' }, body: JSON.stringify({ label: 'Badge: Lab safety', scoreMaximum: 1 }) });
    expect(await updated.json()).toMatchObject({ label: 'Badge: Lab safety' });
    expect((await fetch(item.id!, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    const seededItem = canvas ? `${container}/${emu.course.activities[0]!.id}` : container.replace('/lineitems?', `/lineitems/${emu.course.activities[0]!.id}/lineitem?`);
    // Canvas keeps a link's own line item; Moodle 4.5 deletes it (test/moodle/contract.test.ts).
    expect((await fetch(seededItem, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(canvas ? 401 : 204);

    const scoreOnly = await accessToken(emu, tool, clientId, [`${AGS}score`]);
    const forbidden = await fetch(container, { headers: get(scoreOnly, LINEITEMS) });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).toContain('scope');
    expect((await fetch(container, { headers: { accept: LINEITEMS } })).status).toBe(401);
    emu.expireTokens();
    expect((await fetch(container, { headers: get(token, LINEITEMS) })).status).toBe(401);
  });

  it('pages NRPS memberships to the end with the flavour roles', async () => {
    const token = await accessToken(emu, tool, clientId, [NRPS_SCOPE]);
    const url = canvas
      ? `${emu.url}/api/lti/courses/${emu.course.id}/names_and_roles?limit=7`
      : `${emu.url}/mod/lti/services.php/CourseSection/${emu.course.id}/bindings/${emu.tools[0]!.typeId}/memberships?limit=7`;
    const first = await fetch(url, { headers: get(token, MEMBERSHIPS) });
    expect(first.headers.get('content-type')).toContain(MEMBERSHIPS);
    if (canvas) expect(first.headers.get('link')).toContain('rel="differences"');
    const { pages } = await followPages<{ context: { id: string }; members: Record<string, any>[] }>(url, get(token, MEMBERSHIPS));
    const members = pages.flatMap((pg) => pg.members);
    expect(pages[0]!.context.id).toBe(emu.course.contextId);
    const expected = emu.course.users.filter((u) => u.enrolled !== false && (canvas ? u.status !== 'Deleted' : u.status === 'Active'));
    expect(members.map((m) => m.user_id)).toEqual(expected.map((u) => u.id));
    const instructor = members.find((m) => m.user_id === teacher().id)!;
    expect(instructor.roles).toEqual([canvas ? 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor' : 'Instructor']);
    expect(instructor).toMatchObject({ name: teacher().name, email: teacher().email, status: 'Active' });

    const learners = (await (await fetch(url.replace('limit=7', 'limit=100&role=Learner'), { headers: get(token, MEMBERSHIPS) })).json()) as { members: unknown[] };
    // Canvas's Test Student is a Learner too (plus TestUser): canvas-lms lib/lti/substitutions_helper.rb, LIS_V2_LTI_ADVANTAGE_ROLE_MAP.
    expect(learners.members.length).toBe(expected.filter((u) => (canvas ? u.role === 'Learner' || u.role === 'TestStudent' : u.role !== 'Instructor')).length);
  });

  it('throttles service requests on demand, as the flavour does', async () => {
    const token = await accessToken(emu, tool, clientId, [NRPS_SCOPE]);
    const url = canvas
      ? `${emu.url}/api/lti/courses/${emu.course.id}/names_and_roles`
      : `${emu.url}/mod/lti/services.php/CourseSection/${emu.course.id}/bindings/${emu.tools[0]!.typeId}/memberships`;
    emu.throttle({ times: 2, retryAfterSeconds: 7, paths: /memberships|names_and_roles/ });
    const before = emu.requests.length;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url, { headers: get(token, MEMBERSHIPS) });
      expect(res.status).toBe(canvas ? 403 : 429);
      expect(res.headers.get('retry-after')).toBe('7');
      if (canvas) {
        expect(await res.text()).toContain('403 Forbidden (Rate Limit Exceeded)');
        expect(res.headers.get('x-rate-limit-remaining')).toBe('0.0');
        expect(res.headers.get('x-request-cost')).toBeTruthy();
      }
    }
    expect((await fetch(url, { headers: get(token, MEMBERSHIPS) })).status).toBe(200);
    expect(emu.requests.slice(before).map((r) => r.status)).toEqual([canvas ? 403 : 429, canvas ? 403 : 429, 200]);
  });

  it('accepts a deep-linking response signed by the tool and adds its grade column', async () => {
    const { claims } = await launch(emu, tool, { user: teacher(), clientId, message: 'LtiDeepLinkingRequest' });
    const settings = claims['https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings'] as Record<string, any>;
    expect(settings).toMatchObject({ accept_types: ['ltiResourceLink'], accept_multiple: true, data: expect.any(String) });
    const respond = async (data: string) => {
      const jwt = await signAsTool(tool, {
        iss: clientId, aud: emu.issuer, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 300, nonce: 'dl-nonce',
        [`${LTI}message_type`]: 'LtiDeepLinkingResponse', [`${LTI}version`]: '1.3.0', [`${LTI}deployment_id`]: deploymentId,
        'https://purl.imsglobal.org/spec/lti-dl/claim/data': data,
        'https://purl.imsglobal.org/spec/lti-dl/claim/content_items': [{ type: 'ltiResourceLink', title: 'Badges', url: tool.registration.targetLinkUri, lineItem: { scoreMaximum: 1, label: 'Badge: Essay', tag: 'laurel-badge' } }],
      } as JWTPayload);
      return fetch(settings.deep_link_return_url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ JWT: jwt }) });
    };
    expect((await respond('tampered')).status).toBe(400);
    const ok = await respond(settings.data);
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(emu.deepLinks.at(-1)).toMatchObject({ clientId, contentItems: [{ title: 'Badges' }] });
    const token = await accessToken(emu, tool, clientId, [`${AGS}lineitem.readonly`]);
    const lineItemsUrl = canvas
      ? `${emu.url}/api/lti/courses/${emu.course.id}/line_items?tag=laurel-badge`
      : `${emu.url}/mod/lti/services.php/${emu.course.id}/lineitems?type_id=${emu.tools[0]!.typeId}&tag=laurel-badge`;
    const items = (await (await fetch(lineItemsUrl, { headers: get(token, LINEITEMS) })).json()) as Record<string, string>[];
    expect(items.map((i) => i.label)).toEqual(['Badge: Essay']);
    expect((await respond(settings.data)).status).toBe(400); // data is single use
  });
});

describe.each<Flavour>(['canvas', 'moodle'])('%s emulator with names and emails hidden', (flavour) => {
  let emu: Emulator;
  let tool: ToolStub;
  beforeAll(async () => {
    emu = await startEmulator({ flavour, privacy: { hideNames: true, hideEmails: true } });
    tool = await startToolStub();
  });
  afterAll(async () => {
    await emu.close();
    await tool.close();
  });

  it('leaves names and emails out of launches and NRPS', async () => {
    const { clientId } = emu.registerTool(tool.registration);
    const user = emu.course.users[5]!;
    const { claims } = await launch(emu, tool, { user, clientId });
    expect(claims.sub).toBe(user.id);
    for (const k of ['name', 'given_name', 'family_name', 'email', 'picture']) expect(claims[k]).toBeUndefined();
    const token = await accessToken(emu, tool, clientId, [NRPS_SCOPE]);
    const url = flavour === 'canvas'
      ? `${emu.url}/api/lti/courses/${emu.course.id}/names_and_roles?limit=100`
      : `${emu.url}/mod/lti/services.php/CourseSection/${emu.course.id}/bindings/${emu.tools[0]!.typeId}/memberships`;
    const { members } = (await (await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: MEMBERSHIPS } })).json()) as { members: Record<string, unknown>[] };
    expect(members.length).toBeGreaterThan(20);
    for (const m of members) {
      expect(m.user_id).toBeTruthy();
      expect(m.name).toBeUndefined();
      expect(m.email).toBeUndefined();
    }
  });
});
