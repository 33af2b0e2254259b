/**
 * The emulator's Moodle flavour against the real Moodle 4.5.6: one scenario, played by a test tool
 * over real HTTP (no browser) once against each, and what both answer compared after ids and URLs
 * are put in words (`{course}`, `{user:learner1}`). Where they differ the real Moodle is right.
 * scripts/moodle/contract.php sets up the real side (a course of its own, the tool registered as
 * dynamic registration would, an LTI link, web-service tokens lacking one capability each); the
 * emulator is given the same course. Each test names the Moodle source it follows.
 * Run by npm run test:moodle (scripts/moodle/e2e.sh), which starts Moodle first.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { startEmulator, type Emulator, type SeedCourse, type SeedUser } from '../emulator/index.js';
import { parseForm, type ParsedForm } from '../support/html.js';

const repo = resolve(__dirname, '../..');
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const AGS = 'https://purl.imsglobal.org/spec/lti-ags/';
const SCOPES = [`${AGS}scope/lineitem`, `${AGS}scope/lineitem.readonly`, `${AGS}scope/result.readonly`, `${AGS}scope/score`,
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly'];
const LINEITEM = 'application/vnd.ims.lis.v2.lineitem+json';
const CONTAINER = 'application/vnd.ims.lis.v2.lineitemcontainer+json';
const RESULTS = 'application/vnd.ims.lis.v2.resultcontainer+json';
const SCORE = 'application/vnd.ims.lis.v1.score+json';
const MEMBERS = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';

type PersonKey = 'teacher' | 'nonEditingTeacher' | 'learner1' | 'learner2' | 'suspended';
type Who = PersonKey | 'admin';
interface ContractPerson { id: number; username: string; password: string; name: string; givenName: string; familyName: string; email: string; role: string; suspended: boolean }
interface Contract {
  moodleUrl: string;
  course: { id: number; shortname: string; fullname: string };
  admin: { id: number; username: string; password: string; name: string; email: string };
  people: Record<PersonKey, ContractPerson>;
  assignment: { id: number; name: string };
  tool: { clientId: string; typeId: number; deploymentId: string; targetLinkUri: string; initiateLoginUri: string };
  link: { cmid: number; instance: number; name: string; lineItemId: number; scoreMaximum: number };
  wsTokens: Record<string, string>;
}

/** Cookies by name for one origin, and fetch without following redirects (enough for Moodle's pages). */
class Jar {
  private cookies = new Map<string, string>();
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      if (/deleted|expires=Thu, 01[- ]Jan[- ]1970/i.test(c)) this.cookies.delete(pair!.slice(0, i));
      else this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  }
  /** GET (or the given request), then follow redirects with GET. */
  async follow(url: string, init: RequestInit = {}): Promise<{ url: string; res: Response }> {
    let res = await this.fetch(url, init);
    for (let hops = 0; hops < 10 && res.status >= 300 && res.status < 400; hops++) {
      url = new URL(res.headers.get('location')!, url).toString();
      res = await this.fetch(url);
    }
    return { url, res };
  }
}

/** One platform as the test tool meets it. */
interface Side {
  name: string;
  origin: string;
  issuer: string;
  auth: string;
  token: string;
  jwks: string;
  clientId: string;
  deploymentId: string;
  /** The literal ids of this side, by kind, and the words they become. */
  ids: Record<Kind, Map<string, string>>;
  userId(who: Who): string;
  /** The login initiation a browser carries to the tool for this person, and the browser's session. */
  initiate(who: Who): Promise<{ form: ParsedForm; jar: Jar }>;
  wsToken(lacking: string): string;
}

// ---- the test tool: a key pair, its keyset URL, client assertions ----

let toolKey: CryptoKey;
let toolJwk: JWK;
let jwksServer: Server;
let jwksUrl: string;

async function clientAssertion(side: Side): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: toolJwk.kid! }).setIssuer(side.clientId).setSubject(side.clientId)
    .setAudience(side.token).setIssuedAt(now).setExpirationTime(now + 300).setJti(randomBytes(12).toString('hex')).sign(toolKey);
}

async function accessToken(side: Side): Promise<string> {
  const res = await fetch(side.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({
    grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: await clientAssertion(side), scope: SCOPES.join(' '),
  }) });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${side.name} token endpoint answered ${res.status}: ${body}`);
  return (JSON.parse(body) as { access_token: string }).access_token;
}

/** The tool's side of the launch: the authentication request, then the id_token posted back, verified. */
async function launch(side: Side, who: Who): Promise<{ initiation: ParsedForm; claims: Record<string, unknown>; reuse: { status: number; idToken: boolean } }> {
  const { form, jar } = await side.initiate(who);
  const f = form.fields;
  const q = new URLSearchParams({ scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none',
    client_id: f.client_id!, redirect_uri: side === sides.moodle ? contract.tool.targetLinkUri : f.target_link_uri!,
    login_hint: f.login_hint!, lti_message_hint: f.lti_message_hint!, nonce: randomBytes(8).toString('hex'), state: randomBytes(8).toString('hex') });
  const auth = await jar.fetch(`${side.auth}?${q}`);
  const text = await auth.text();
  const posted = parseForm(text);
  if (!posted.fields.id_token) throw new Error(`${side.name} auth answered ${auth.status} without an id_token: ${text.slice(0, 400)}`);
  const { payload } = await jwtVerify(posted.fields.id_token, createRemoteJWKSet(new URL(side.jwks)), { issuer: side.issuer });
  expect(payload.nonce).toBe(q.get('nonce'));
  expect(posted.fields.state).toBe(q.get('state'));
  // The same lti_message_hint a second time.
  q.set('nonce', randomBytes(8).toString('hex'));
  const again = await jar.fetch(`${side.auth}?${q}`);
  const againText = await again.text();
  return { initiation: form, claims: payload as Record<string, unknown>, reuse: { status: again.status, idToken: /name="id_token"/.test(againText) } };
}

// ---- normalising: ids and URLs in words ----

type Kind = 'course' | 'type' | 'link' | 'item' | 'user' | 'client';
/** Where Moodle's service and return URLs carry ids: the path segment after a word, or a query value. */
const AFTER_SEGMENT: Record<string, Kind> = { 'services.php': 'course', CourseSection: 'course', bindings: 'type', lineitems: 'item' };
const QUERY: Record<string, Kind | '{sesskey}'> = { type_id: 'type', course: 'course', instanceid: 'link', user_id: 'user', sesskey: '{sesskey}' };

/** An id of this side in words ({course}, {user:learner1}), or {unknown kind:value}. */
function word(side: Side, kind: Kind, value: unknown): string {
  return side.ids[kind].get(String(value)) ?? `{unknown ${kind}:${String(value)}}`;
}

/** URLs of this side with their ids in words and the origin as {origin}, anywhere in a JSON value. */
function words(side: Side, value: unknown): unknown {
  if (typeof value === 'string') {
    if (value.startsWith(side.origin)) return urlWords(side, value);
    // A time's shape is compared, not the moment: PHP's date('c') stays apart from JavaScript's toISOString().
    return value.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/, '{date(c)}');
  }
  if (Array.isArray(value)) return value.map((v) => words(side, v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, words(side, v)]));
  return value;
}

function urlWords(side: Side, s: string): string {
  const u = new URL(s);
  const segs = u.pathname.split('/');
  const path = segs.map((seg, i) => {
    const kind = AFTER_SEGMENT[segs[i - 1] ?? ''];
    return kind && !(kind === 'course' && seg === 'CourseSection') ? word(side, kind, seg) : seg;
  }).join('/');
  const query = [...u.searchParams].map(([k, v]) => {
    const kind = QUERY[k];
    return `${k}=${kind === '{sesskey}' ? kind : kind ? word(side, kind, v) : v}`;
  }).join('&');
  return `{origin}${path}${query ? `?${query}` : ''}`;
}

// ---- the two sides ----

let contract: Contract;
let emulator: Emulator;
const sides = {} as { moodle: Side; emulator: Side };

function runContractPhp(): Contract {
  const out = `${process.env.LAUREL_MOODLE_DIR ?? '/var/tmp/laurel-moodle'}/contract.json`;
  try {
    execFileSync('bash', ['-c', `. scripts/moodle/env.sh && php_moodle scripts/moodle/contract.php --jwks=${jwksUrl} --out=${out}`], { cwd: repo, stdio: 'pipe' });
  } catch (e) {
    const { stdout, stderr } = e as { stdout: Buffer; stderr: Buffer };
    throw new Error(`scripts/moodle/contract.php failed: ${stdout.toString().slice(-1500)} ${stderr.toString().slice(-1500)}`);
  }
  return JSON.parse(readFileSync(out, 'utf8')) as Contract;
}

/** The ids both sides share by construction (people, the link, its line item), and those of each side. */
function idWords(course: string, type: string, client: string): Side['ids'] {
  const c = contract;
  return {
    course: new Map([[course, '{course}']]),
    type: new Map([[type, '{type}']]),
    client: new Map([[client, '{client}']]),
    link: new Map([[String(c.link.instance), '{link}']]),
    item: new Map([[String(c.link.lineItemId), '{item:link}']]),
    user: new Map([[String(c.admin.id), '{user:admin}'], ...Object.entries(c.people).map(([k, p]) => [String(p.id), `{user:${k}}`] as [string, string])]),
  };
}

async function moodleSide(): Promise<Side> {
  const c = contract;
  const url = c.moodleUrl;
  const ids = idWords(String(c.course.id), String(c.tool.typeId), c.tool.clientId);
  const jars = new Map<Who, Jar>();
  const logIn = async (who: Who): Promise<Jar> => {
    const known = jars.get(who);
    if (known) return known;
    const p = who === 'admin' ? c.admin : c.people[who];
    const jar = new Jar();
    const page = await (await jar.fetch(`${url}/login/index.php`)).text();
    const logintoken = /name="logintoken" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const { url: landed } = await jar.follow(`${url}/login/index.php`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ anchor: '', logintoken, username: p.username, password: p.password }) });
    if (new URL(landed).pathname.startsWith('/login/')) throw new Error(`Moodle did not log ${p.username} in (at ${landed})`);
    jars.set(who, jar);
    return jar;
  };
  return {
    name: 'Moodle 4.5.6', origin: url, issuer: url, auth: `${url}/mod/lti/auth.php`, token: `${url}/mod/lti/token.php`,
    jwks: `${url}/mod/lti/certs.php`, clientId: c.tool.clientId, deploymentId: c.tool.deploymentId, ids,
    userId: (who) => String(who === 'admin' ? c.admin.id : c.people[who].id),
    async initiate(who) {
      const jar = await logIn(who);
      const res = await jar.fetch(`${url}/mod/lti/launch.php?id=${c.link.cmid}&triggerview=0`);
      return { form: parseForm(await res.text()), jar };
    },
    wsToken: (lacking) => c.wsTokens[lacking]!,
  };
}

/** The emulator given the real course: the same people (by Moodle id), the link and the ordinary assignment. */
function emulatedCourse(c: Contract): SeedCourse {
  const person = (p: { id: number; name: string; email: string }, role: SeedUser['role'], extra: Partial<SeedUser> = {}): SeedUser => {
    const [givenName, ...family] = p.name.split(' ');
    return { id: String(p.id), lmsId: String(p.id), name: p.name, givenName: givenName!, familyName: family.join(' '), email: p.email, role, status: 'Active', sourcedId: '', ...extra };
  };
  const ps = c.people;
  const users: SeedUser[] = [
    person(ps.teacher, 'Instructor'),
    person(ps.nonEditingTeacher, 'TeachingAssistant', { gradable: false }),
    person(ps.learner1, 'Learner'),
    person(ps.learner2, 'Learner'),
    person(ps.suspended, 'Learner', { status: 'Inactive' }),
    person(c.admin, 'Instructor', { siteAdmin: true, enrolled: false }),
  ];
  return {
    flavour: 'moodle', id: String(c.course.id), contextId: String(c.course.id), title: c.course.fullname, label: c.course.shortname, users,
    activities: [
      { id: String(c.link.lineItemId), label: c.link.name, scoreMaximum: c.link.scoreMaximum, resourceLinkId: String(c.link.instance), ags: true },
      { id: String(c.link.lineItemId - 1), label: c.assignment.name, scoreMaximum: 100, ags: false },
    ],
    results: [], completions: [],
    modules: [{ id: '1', name: 'Topic 1', position: 1, items: [
      { id: String(c.link.cmid - 1), title: c.assignment.name, type: 'Assignment', activityId: String(c.link.lineItemId - 1) },
      { id: String(c.link.cmid), title: c.link.name, type: 'ExternalTool', activityId: String(c.link.lineItemId) },
    ] }],
  };
}

async function emulatorSide(): Promise<Side> {
  const c = contract;
  emulator = await startEmulator({ flavour: 'moodle', course: emulatedCourse(c) });
  const { clientId, deploymentId } = emulator.registerTool({ name: 'Contract tool', initiateLoginUri: c.tool.initiateLoginUri,
    redirectUris: [c.tool.targetLinkUri], jwksUri: jwksUrl, targetLinkUri: c.tool.targetLinkUri, customParameters: { history: '$Context.id.history' } });
  const typeId = emulator.tools.find((t) => t.clientId === clientId)!.typeId;
  const ids = idWords(emulator.course.id, typeId, clientId);
  const wsTokens = new Map<string, string>();
  return {
    name: 'the emulator', origin: emulator.url, issuer: emulator.issuer, auth: emulator.endpoints.auth, token: emulator.endpoints.token,
    jwks: emulator.endpoints.jwks, clientId, deploymentId, ids,
    userId: (who) => String(who === 'admin' ? c.admin.id : c.people[who].id),
    async initiate(who) {
      const jar = new Jar();
      const res = await jar.fetch(emulator.launchUrl({ userId: String(who === 'admin' ? c.admin.id : c.people[who].id), clientId, embed: false, resourceLinkId: String(c.link.instance) }));
      return { form: parseForm(await res.text()), jar };
    },
    wsToken(lacking) {
      if (!wsTokens.has(lacking)) {
        const capabilities = WS_CAPABILITIES.filter((cap) => cap !== lacking);
        const functions = lacking === 'function' ? WS_FUNCTIONS.slice(0, 3) : WS_FUNCTIONS;
        wsTokens.set(lacking, emulator.moodleWsToken({ functions, capabilities }));
      }
      return wsTokens.get(lacking)!;
    },
  };
}

const WS_CAPABILITIES = ['webservice/rest:use', 'moodle/grade:viewall', 'gradereport/user:view', 'report/progress:view',
  'moodle/course:view', 'moodle/user:viewdetails', 'moodle/course:enrolreview', 'mod/assign:view', 'mod/lti:view'];
const WS_FUNCTIONS = ['gradereport_user_get_grade_items', 'core_completion_get_activities_completion_status',
  'core_course_get_contents', 'core_enrol_get_enrolled_users'];

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  toolKey = privateKey as CryptoKey;
  toolJwk = { ...(await exportJWK(publicKey)), kid: `contract-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
  jwksServer = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [toolJwk] })); });
  await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
  contract = runContractPhp();
  sides.moodle = await moodleSide();
  sides.emulator = await emulatorSide();
});

afterAll(async () => {
  await emulator?.close();
  await new Promise((r) => jwksServer?.close(r));
});

/** Runs `observe` against both, normalised; the emulator must answer as Moodle does. */
async function both<T>(observe: (side: Side) => Promise<T>): Promise<{ moodle: T; emulator: T }> {
  const moodle = words(sides.moodle, await observe(sides.moodle)) as T;
  const emulated = words(sides.emulator, await observe(sides.emulator)) as T;
  return { moodle, emulator: emulated };
}

const sortedKeys = (o: object) => Object.keys(o).sort();

describe('the emulator\'s Moodle flavour answers as Moodle 4.5.6 does', () => {
  it.each(['teacher', 'nonEditingTeacher', 'learner1', 'admin'] as Who[])('a launch as %s: the login initiation (a form POST, login_hint the Moodle user id), the roles and claims, the message hint working once (mod/lti/launch.php, auth.php, locallib.php lti_get_ims_role)', async (who) => {
    const seen = await both(async (side) => {
      const { initiation, claims, reuse } = await launch(side, who);
      const c = claims;
      return {
        initiation: { method: initiation.method, fields: sortedKeys(initiation.fields), loginHint: word(side, 'user', initiation.fields.login_hint),
          clientId: word(side, 'client', initiation.fields.client_id), deployment: initiation.fields.lti_deployment_id === side.deploymentId,
          targetLinkUri: initiation.fields.target_link_uri, messageHint: sortedKeys(JSON.parse(initiation.fields.lti_message_hint ?? '{}') as object) },
        claims: sortedKeys(c),
        sub: word(side, 'user', c.sub),
        aud: word(side, 'client', c.aud),
        azp: c.azp === undefined ? undefined : word(side, 'client', c.azp),
        roles: c[`${LTI}roles`],
        messageType: c[`${LTI}message_type`],
        deployment: c[`${LTI}deployment_id`] === side.deploymentId,
        context: { ...(c[`${LTI}context`] as object), id: word(side, 'course', (c[`${LTI}context`] as { id: string }).id) },
        resourceLink: { ...(c[`${LTI}resource_link`] as object), id: word(side, 'link', (c[`${LTI}resource_link`] as { id: string }).id) },
        custom: c[`${LTI}custom`],
        lis: c[`${LTI}lis`],
        ext: c[`${LTI}ext`],
        ags: c[`${AGS}claim/endpoint`],
        nrps: c['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'],
        presentation: c[`${LTI}launch_presentation`],
        platform: sortedKeys(c[`${LTI}tool_platform`] as object),
        platformFamily: (c[`${LTI}tool_platform`] as { product_family_code: string }).product_family_code,
        profile: { name: c.name, given_name: c.given_name, family_name: c.family_name, email: c.email },
        basicOutcome: sortedKeys((c['https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome'] ?? {}) as object),
        messageHintAgain: reuse.idToken,
      };
    });
    expect(seen.emulator).toEqual(seen.moodle);
    // What Laurel counts on, as the real Moodle answered it.
    expect(seen.moodle.initiation).toMatchObject({ method: 'post', loginHint: `{user:${who}}` });
    expect(seen.moodle.messageHintAgain).toBe(false);
    const MEMBERSHIP = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
    expect(seen.moodle.roles).toContain(`${MEMBERSHIP}${who === 'learner1' ? 'Learner' : 'Instructor'}`);
    expect((seen.moodle.roles as string[]).some((r) => r.endsWith('#Administrator'))).toBe(who === 'admin');
  });

  it('NRPS: each member\'s roles (a non-editing teacher is a Learner there), the suspended learner and the unenrolled admin absent, names and emails (mod/lti/service/memberships/classes/local/service/memberships.php)', async () => {
    const seen = await both(async (side) => {
      const { claims } = await launch(side, 'teacher');
      const url = (claims['https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice'] as { context_memberships_url: string }).context_memberships_url;
      const token = await accessToken(side);
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: MEMBERS } });
      const body = await res.json() as { id: string; context: Record<string, unknown>; members: Record<string, unknown>[] };
      const star = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: '*/*' } });
      const learners = await fetch(`${url}${url.includes('?') ? '&' : '?'}role=${encodeURIComponent('http://purl.imsglobal.org/vocab/lis/v2/membership#Learner')}`, { headers: { authorization: `Bearer ${token}`, accept: MEMBERS } });
      return {
        status: res.status, type: res.headers.get('content-type'), keys: sortedKeys(body), id: body.id,
        context: { ...body.context, id: word(side, 'course', body.context.id) },
        members: body.members.map((m) => ({ ...m, user_id: word(side, 'user', m.user_id) }) as Record<string, unknown> & { user_id: string }).sort((a, b) => a.user_id.localeCompare(b.user_id)),
        acceptStar: star.status,
        learnerFilter: { status: learners.status, members: ((await learners.json()) as typeof body).members.map((m) => word(side, 'user', m.user_id)).sort() },
      };
    });
    expect(seen.emulator).toEqual(seen.moodle);
    const roles = Object.fromEntries(seen.moodle.members.map((m) => [m.user_id, m.roles]));
    expect(roles).toEqual({ '{user:teacher}': ['Instructor'], '{user:nonEditingTeacher}': ['Learner'], '{user:learner1}': ['Learner'], '{user:learner2}': ['Learner'] });
  });

  it('AGS: the line items the tool sees (its link\'s, not the ordinary assignment), creating one, scores for a learner and for teachers, results scaled to the maximum, PUT and DELETE (mod/lti/service/gradebookservices/classes/local/resources/lineitems.php, lineitem.php, scores.php, results.php)', async () => {
    const seen = await both(async (side) => {
      const { claims } = await launch(side, 'teacher');
      const ags = claims[`${AGS}claim/endpoint`] as { lineitems: string; lineitem: string };
      const token = await accessToken(side);
      const auth = { authorization: `Bearer ${token}` };
      const itemUrl = (u: string, suffix: string) => { const x = new URL(u); x.pathname += suffix; return x.toString(); };
      const call = async (method: string, url: string, headers: Record<string, string>, body?: unknown) => {
        const res = await fetch(url, { method, headers: { ...auth, ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        let json: unknown = text;
        try { json = text ? JSON.parse(text) : ''; } catch { /* kept as text */ }
        // Moodle's reason is in the status line (and, for a refused score, the score it was sent after it).
        const reason = res.status >= 400 ? res.statusText.replace(/\{.*\}$/s, '{score}') : undefined;
        if (json && typeof json === 'object' && 'request' in json) json = { ...json, request: words(side, { ...(json as { request: object }).request, url: side.origin + (json as { request: { url: string } }).request.url }) };
        return { status: res.status, reason, type: res.status < 300 && text ? res.headers.get('content-type') : undefined, body: json };
      };
      const listed = await call('GET', ags.lineitems, { accept: CONTAINER });
      const acceptStar = (await call('GET', ags.lineitems, { accept: '*/*' })).status;
      const charset = await call('POST', ags.lineitems, { 'content-type': `${LINEITEM}; charset=utf-8` }, { label: 'With a charset', scoreMaximum: 1 });
      if (charset.status === 201) side.ids.item.set(new URL((charset.body as { id: string }).id).pathname.split('/').at(-2)!, '{item:charset}');
      const withCharset = charset.status;
      const created = await call('POST', ags.lineitems, { 'content-type': LINEITEM }, { label: 'Badge: Contract', scoreMaximum: 10, resourceId: 'badge-1', tag: 'laurel-badge' });
      const newUrl = (created.body as { id: string }).id;
      side.ids.item.set(new URL(newUrl).pathname.split('/').at(-2)!, '{item:created}');
      const listedAfter = await call('GET', ags.lineitems, { accept: CONTAINER });
      const score = (who: Who, scoreGiven: number, scoreMaximum: number) => call('POST', itemUrl(newUrl, '/scores'), { 'content-type': SCORE },
        { userId: side.userId(who), scoreGiven, scoreMaximum, activityProgress: 'Completed', gradingProgress: 'FullyGraded', timestamp: new Date().toISOString() });
      const scores = { learner1: await score('learner1', 3, 4), teacher: await score('teacher', 1, 1), nonEditingTeacher: await score('nonEditingTeacher', 1, 1), suspended: await score('suspended', 1, 1) };
      const results = await call('GET', itemUrl(newUrl, '/results'), { accept: RESULTS });
      const put = await call('PUT', newUrl, { 'content-type': LINEITEM }, { label: 'Badge: Contract renamed', scoreMaximum: 20, resourceId: 'badge-1', tag: 'laurel-badge' });
      const resultsAfterPut = await call('GET', itemUrl(newUrl, '/results'), { accept: RESULTS });
      const deleted = await call('DELETE', newUrl, {});
      const deleteLinks = await call('DELETE', ags.lineitem, {});
      const gone = await call('GET', newUrl, { accept: LINEITEM });
      // Results in a fixed order, by user: Moodle reads them with grade_grade::fetch_all, which asks
      // the database for no order (results.php), and the order it gives changes from run to run.
      const withUsers = (r: { body: unknown }) => Array.isArray(r.body)
        ? (r.body as Record<string, unknown>[]).map((x) => ({ ...x, userId: word(side, 'user', x.userId) })).sort((x, y) => String(x.userId).localeCompare(String(y.userId)))
        : r.body;
      return {
        listed, acceptStar, withCharset, created, listedAfter, scores,
        results: { ...results, body: withUsers(results) },
        put, resultsAfterPut: { ...resultsAfterPut, body: withUsers(resultsAfterPut) },
        deleted, deleteLinks, gone: gone.status,
      };
    });
    expect(seen.emulator).toEqual(seen.moodle);
    const m = seen.moodle;
    expect((m.listed.body as { label: string }[]).map((i) => i.label)).toEqual([contract.link.name]); // not the ordinary assignment
    expect(m.scores.learner1).toMatchObject({ status: 200, body: '' });
    expect(m.scores.teacher.status).toBe(400);
    expect(m.scores.nonEditingTeacher.status).toBe(400);
    expect((m.results.body as { userId: string; resultScore: number; resultMaximum: number }[]).find((r) => r.userId === '{user:learner1}')).toMatchObject({ resultScore: 7.5, resultMaximum: 10 });
    expect(m.deleted.status).toBe(204);
  });

  it('Moodle web services: a token whose account lacks a capability, a function outside the service, a bad token (webservice/lib.php, lib/externallib.php, grade/report/user/classes/external/user.php)', async () => {
    const calls: [string, string, Record<string, string | number>][] = [
      ['none', 'core_course_get_contents', { courseid: 0 }],
      ['moodle/course:view', 'core_course_get_contents', {}],
      ['moodle/course:view', 'gradereport_user_get_grade_items', {}],
      ['gradereport/user:view', 'gradereport_user_get_grade_items', {}],
      ['moodle/grade:viewall', 'gradereport_user_get_grade_items', {}],
      ['report/progress:view', 'core_completion_get_activities_completion_status', { userid: 'learner1' }],
      ['moodle/course:enrolreview', 'core_enrol_get_enrolled_users', {}],
      ['function', 'core_enrol_get_enrolled_users', {}],
      ['none', 'laurel_no_such_function', {}],
      ['none', 'core_course_get_contents', { unexpected: 1 }],
      ['bad token', 'core_course_get_contents', {}],
    ];
    const seen = await both(async (side) => {
      const out: Record<string, unknown> = {};
      for (const [lacking, fn, extra] of calls) {
        const params: Record<string, string> = { wstoken: lacking === 'bad token' ? 'f'.repeat(32) : side.wsToken(lacking), wsfunction: fn, moodlewsrestformat: 'json',
          courseid: side.ids.course.keys().next().value! };
        for (const [k, v] of Object.entries(extra)) params[k] = v === 'learner1' ? side.userId('learner1') : String(v);
        const res = await fetch(`${side.origin}/webservice/rest/server.php`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params) });
        const body = await res.json() as Record<string, unknown>;
        const error = body && typeof body === 'object' && 'exception' in body
          ? { exception: body.exception, errorcode: body.errorcode, message: String(body.message).replace(/course id:\d+/, 'course id:{course}') }
          : 'answered';
        out[`${fn} lacking ${lacking}${Object.keys(extra).length ? ` with ${Object.keys(extra).join(',')}` : ''}`] = { status: res.status, error };
      }
      return out;
    });
    expect(seen.emulator).toEqual(seen.moodle);
  });
});
