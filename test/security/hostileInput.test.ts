/**
 * Hostile input (security issue): what people and LMSs type or send is shown as text and never
 * runs; bodies too large or of the wrong shape get a 4xx answer saying what is wrong and store
 * nothing; launches malformed beyond test/lti/launchSecurity.test.ts are refused with 401 and a
 * reason in the log, before any course is recorded or page shown.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { decodeEntities, htmlText, parseForm } from '../support/html.js';
import { registerPlatform } from '../../src/lti/platforms.js';
import { ROUTES } from '../../src/lti/scopes.js';
import { CourseModel } from '../../src/store/course.js';
import type { SeedUser } from '../emulator/index.js';

let laurel: RunningLaurel;
/** The course where hostile texts are typed (a–b). */
let c: Connected;
/** The LMS whose launches are all hostile (c): no course of it is ever recorded. */
let hostile: Connected;
/** The course's instructor's session. */
let staff: string;

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  [c, hostile] = await Promise.all([connectEmulator(laurel, 'moodle'), connectEmulator(laurel, 'canvas')]);
  // Names and the course title come from the LMS: an LMS user may call themselves anything.
  c.emulator.course.title = COURSE;
  Object.assign(learners()[0]!, { name: PERSON, givenName: hostileText('@given'), familyName: hostileText('@family') });
  staff = await ltikOf(c, c.emulator.course.users.find((u) => u.role === 'Instructor')!.id);
});
afterAll(async () => {
  await c?.emulator.close();
  await hostile?.emulator.close();
  await laurel?.close();
});

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const learners = (): SeedUser[] => c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');

// Each text starts with a character a spreadsheet runs as a formula, then breaks out of an attribute and opens a script.
const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const hostileText = (lead: string) => `${lead} ${IMG} ${SCRIPT}`;
const BADGE = `${hostileText('=HYPERLINK("https://evil.example")')} ]]>`;
const DESCRIPTION = hostileText('+description');
const NARRATIVE = hostileText('-criteria');
const PERSON = hostileText('@learner');
const REASON = hostileText('=reason');
const EVIDENCE = hostileText('+evidence');
const COURSE = hostileText('Chemistry');

const api = (token: string) => ({
  get: (path: string) => request(laurel.url).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string, body?: object | string) => request(laurel.url).post(path).set('Authorization', `Bearer ${token}`).send(body as object),
  put: (path: string, body?: object | string) => request(laurel.url).put(path).set('Authorization', `Bearer ${token}`).send(body as object),
});
const page = (path: string, token?: string) => request(laurel.url).get(token ? `${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(token)}` : path).set('Accept', 'text/html');

async function ltikOf(conn: Connected, userId: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(conn, { userId }));
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

/** Markup the page holds: no script but Laurel's own files, no element with an event handler, nothing of the payloads as tags. */
function expectInert(html: string) {
  expect(html).not.toContain(SCRIPT);
  expect(html).not.toMatch(/<img src=x/i);
  const tags = html.replace(/"[^"]*"/g, '""').match(/<[a-z][^>]*>/gi) ?? []; // attribute values hold no markup
  expect(tags.filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
  for (const script of html.match(/<script\b[^>]*>/gi) ?? []) expect(script).toMatch(/^<script src="\/assets\/[\w-]+\.js"( defer)?>$/);
}

/** RFC 4180, as a spreadsheet reads it. */
function csvCells(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  for (let i = 0, quoted = false; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  return rows;
}

describe('what people and the LMS type is shown as text, never run', () => {
  let hId: string;
  let awardX: string;
  let awardY: string;
  let achievementPath: string;
  const [lx, ly] = [() => learners()[0]!, () => learners()[1]!];
  let learnerLtik: string;

  beforeAll(async () => {
    const created = await api(staff).post('/api/course/badges', { name: BADGE, description: DESCRIPTION, criteriaNarrative: NARRATIVE, rules: { kind: 'all', rules: [{ kind: 'approval' }] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    hId = created.body.id;
    const portfolio = (await api(staff).post('/api/course/badges', { name: 'Portfolio', evidenceRequired: true, rules: { kind: 'approval' } })).body.id as string;
    const award = async (badgeId: string, userId: string) => (await api(staff).post('/api/course/awards', { badgeId, userId })).body as { id: string; links?: { credential: string } };
    const x = await award(hId, lx().id);
    awardX = x.id;
    awardY = (await award(hId, ly().id)).id;
    const evidenceAward = (await award(portfolio, lx().id)).id;
    expect((await api(staff).post(`/api/course/awards/${awardY}/revoke`, { reason: REASON })).status).toBe(200);
    learnerLtik = await ltikOf(c, lx().id);
    expect((await api(learnerLtik).put(`/api/me/awards/${awardX}/sharing`, { showName: true })).status).toBe(200);
    expect((await api(learnerLtik).post(`/api/me/awards/${evidenceAward}/evidence`, { text: EVIDENCE })).status).toBe(201);
    const credential = (await request(laurel.url).get(new URL(x.links!.credential).pathname)).body as { credentialSubject: { achievement: { id: string } } };
    achievementPath = new URL(credential.credentialSubject.achievement.id).pathname;
  });

  it.each([
    ['the dashboard', () => page('/course', staff), [BADGE, NARRATIVE, COURSE]],
    ['the badge editor', () => page(`/course/badges/${hId}`, staff), [DESCRIPTION, NARRATIVE]],
    ['who holds the badge', () => page(`/course/badges/${hId}/awards`, staff), [BADGE, PERSON, REASON]],
    ['the learners', () => page('/course/learners', staff), [PERSON, BADGE]],
    ["a learner's drill-down", () => page(`/course/learners/${encodeURIComponent(lx().id)}`, staff), [PERSON, BADGE]],
    ["a revoked learner's drill-down", () => page(`/course/learners/${encodeURIComponent(ly().id)}`, staff), [BADGE, REASON]],
    ['the audit log', () => page('/course/audit', staff), [BADGE, PERSON, REASON, EVIDENCE]],
    ['the preview', () => page('/course/preview', staff), [BADGE, PERSON]],
    ['the revocation form', () => page(`/course/awards/${awardX}/revoke`, staff), [BADGE, PERSON]],
    ['the bulk award confirmation', () => request(laurel.url).post('/course/bulk/award/confirm').type('form').set('Accept', 'text/html').send({ ltik: staff, badgeId: hId, userId: lx().id }), [BADGE, PERSON]],
    ["the learner's own page", () => page('/me', learnerLtik), [PERSON, BADGE, COURSE]],
    ['the verification page', () => page(`/verify/${awardX}`), [BADGE, DESCRIPTION, NARRATIVE, PERSON]],
    ['the verification page of a revoked badge', () => page(`/verify/${awardY}`), [BADGE, REASON]],
  ])('%s', async (_where, get, shown) => {
    const res = await get();
    expect(res.status, res.text.slice(0, 500)).toBe(200);
    expectInert(res.text);
    const text = htmlText(res.text);
    for (const value of shown) expect(text).toContain(value);
  });

  it('the editor gives the hostile values back as field values, not as markup', async () => {
    const form = parseForm((await page(`/course/badges/${hId}`, staff)).text);
    expect(form.fields.name).toBe(BADGE);
  });

  it('the CSV exports keep every cell a spreadsheet would run as a formula as text', async () => {
    const awards = csvCells((await page('/course/awards.csv', staff)).text);
    const audit = csvCells((await page('/course/audit.csv', staff)).text);
    for (const cells of [awards, audit]) {
      expect(cells.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    }
    const [header, ...rows] = awards;
    const column = (row: string[], name: string) => row[header!.indexOf(name)];
    const x = rows.find((r) => column(r, 'verification page')?.endsWith(awardX))!;
    expect(column(x, 'badge')).toBe(`'${BADGE}`);
    expect(column(x, 'name')).toBe(`'${PERSON}`);
    const y = rows.find((r) => column(r, 'status') === 'revoked')!;
    expect(column(y, 'revocation reason')).toBe(`'${REASON}`);
    expect(audit.flat()).toEqual(expect.arrayContaining([`'${BADGE}`, `'${PERSON}`, `'${EVIDENCE}`]));
  });

  it('the drawn badge image writes the name as text', async () => {
    const res = await request(laurel.url).get(`${achievementPath}/image`).set('Accept', 'image/svg+xml').buffer(true).parse((r, done) => { let t = ''; r.on('data', (d: Buffer) => { t += d; }); r.on('end', () => done(null, t)); });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/image\/svg\+xml/);
    const svg = res.body as string;
    expect(svg).not.toMatch(/<script|<img/i);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(decodeEntities(svg.match(/<title>([^<]*)<\/title>/)![1]!)).toBe(BADGE);
    expect((await request(laurel.url).get(`${achievementPath}/image`)).headers['content-type']).toBe('image/png'); // and renders
  });

  it('the baked SVG keeps the credential, hostile name and all, inside one CDATA section', async () => {
    const res = await request(laurel.url).get(`/credentials/${awardX}.svg`).buffer(true).parse((r, done) => { let t = ''; r.on('data', (d: Buffer) => { t += d; }); r.on('end', () => done(null, t)); });
    const svg = res.body as string;
    expect(svg.match(/<!\[CDATA\[/g)).toHaveLength(1);
    expect(svg.match(/\]\]>/g)).toHaveLength(1);
    const outside = svg.replace(/<!\[CDATA\[[\s\S]*?\]\]>/, '');
    expect(outside).not.toMatch(/<script|<img/i);
    const json = JSON.parse(svg.match(/<!\[CDATA\[([\s\S]*?)\]\]>/)![1]!) as { credentialSubject: { achievement: { name: string } } };
    expect(json.credentialSubject.achievement.name).toBe(BADGE);
  });
});

describe('bodies too large or off the schema get a 4xx saying what is wrong, and store nothing', () => {
  let learnerLtik: string;
  /** The learner's award of a badge that asks for evidence: unsigned, so evidence could still be added. */
  let ownAward: string;
  /** An award given, that an off-schema revocation must leave given. */
  let given: string;
  let badgeId: string;
  const stored = async () => ({
    badges: (await api(staff).get('/api/course/badges')).body.badges as object[],
    awards: ((await api(staff).get('/api/course/awards')).body.awards as { id: string }[]).filter((a) => [ownAward, given].includes(a.id)),
  });
  let before: Awaited<ReturnType<typeof stored>>;

  beforeAll(async () => {
    const learner = learners()[2]!;
    badgeId = (await api(staff).post('/api/course/badges', { name: 'Lab notebook', evidenceRequired: true, rules: { kind: 'approval' } })).body.id;
    ownAward = (await api(staff).post('/api/course/awards', { badgeId, userId: learner.id })).body.id;
    given = (await api(staff).post('/api/course/awards', { badgeId, userId: learners()[3]!.id })).body.id;
    learnerLtik = await ltikOf(c, learner.id);
    before = await stored();
  });

  const json = (value: unknown) => JSON.stringify(value);
  /** Rules nested `depth` groups deep. */
  const nested = (depth: number): object => (depth === 0 ? { kind: 'approval' } : { kind: 'all', rules: [nested(depth - 1)] });
  const badge = (changes: object) => json({ name: 'Off-schema', rules: { kind: 'approval' }, ...changes });
  const padded = (bytes: number) => badge({ description: 'x'.repeat(bytes) });

  type Case = [what: string, path: () => string, body: string, status: number, error: string, says: RegExp, who?: () => string, method?: 'post' | 'put'];
  const cases: Case[] = [
    ['a badge of 200 KB', () => '/api/course/badges', padded(200_000), 413, 'body_too_large', /larger than the 100 KB/],
    ['a badge over the 64 KB limit', () => '/api/course/badges', padded(70_000), 413, 'body_too_large', /larger than the 64 KB/],
    ['a badge that is not JSON', () => '/api/course/badges', '{"name": ', 400, 'body_unreadable', /could not be read/],
    ['a badge that is a JSON string', () => '/api/course/badges', '"a badge"', 400, 'body_unreadable', /could not be read/],
    ['a badge that is a list', () => '/api/course/badges', '[]', 400, 'invalid_badge', /must be a JSON object/],
    ['a badge with no fields', () => '/api/course/badges', '{}', 400, 'invalid_badge', /name is required.*rules must be an object/],
    ['a badge named by a number', () => '/api/course/badges', badge({ name: 42 }), 400, 'invalid_badge', /name must be a text/],
    ['a badge whose rules are a list', () => '/api/course/badges', badge({ rules: [{ kind: 'approval' }] }), 400, 'invalid_badge', /rules must be an object with a "kind"/],
    ['a group whose rules are an object', () => '/api/course/badges', badge({ rules: { kind: 'all', rules: { kind: 'approval' } } }), 400, 'invalid_badge', /rules.rules must be a list/],
    ['rules nested 40 deep', () => '/api/course/badges', badge({ rules: nested(40) }), 400, 'invalid_badge', /nest deeper than 8 levels/],
    ['a kind that is an operator', () => '/api/course/badges', badge({ rules: { kind: { $ne: null } } }), 400, 'invalid_badge', /rules.kind must be one of/],
    ['a percent given as text', () => '/api/course/badges', badge({ rules: { kind: 'minGrade', lineItemId: 'x', percent: '80' } }), 400, 'invalid_badge', /percent and points must be numbers/],
    ['fields of the wrong types', () => '/api/course/badges', badge({ description: { html: '<b>' }, evidenceRequired: 'yes', tags: 'a,b', level: true, alignments: {} }), 400, 'invalid_badge',
      /description must be a text.*level must be a whole number.*tags must be a list of texts.*alignments must be a list.*evidenceRequired must be true or false/],
    ['a change that is a list', () => `/api/course/badges/${badgeId}`, '[]', 400, 'invalid_badge', /must be a JSON object/, undefined, 'put'],
    ['a preview over the limit', () => '/api/course/preview', json({ badge: JSON.parse(padded(70_000)) }), 413, 'body_too_large', /larger than the 64 KB/],
    ['a preview of a badge that is text', () => '/api/course/preview', json({ badge: 'a badge' }), 400, 'invalid_badge', /must be a JSON object/],
    ['a preview of rules nested 40 deep', () => '/api/course/preview', json({ badge: { name: 'Deep', rules: nested(40) } }), 400, 'invalid_badge', /nest deeper than 8 levels/],
    ['an award over the limit', () => '/api/course/awards', json({ badgeId: 'a-badge', userId: 'x'.repeat(70_000) }), 413, 'body_too_large', /larger than the 64 KB/],
    ['an award with no fields', () => '/api/course/awards', '{}', 400, 'invalid_award', /Give "badgeId" and "userId"/],
    ['an award that is a list', () => '/api/course/awards', '[]', 400, 'invalid_award', /Give "badgeId" and "userId"/],
    ['an award by operators', () => '/api/course/awards', json({ badgeId: { $ne: null }, userId: { $ne: null } }), 400, 'invalid_award', /as strings/],
    ['a revocation whose reason is an object', () => `/api/course/awards/${given}/revoke`, json({ reason: { text: 'why' } }), 400, 'cannot_revoke', /Say why the badge is revoked/],
    ['evidence over the 16 KB limit', () => `/api/me/awards/${ownAward}/evidence`, json({ url: `https://example.org/${'a'.repeat(20_000)}` }), 413, 'body_too_large', /larger than the 16 KB/, () => learnerLtik],
    ['evidence that is not JSON', () => `/api/me/awards/${ownAward}/evidence`, '{"text": "unfinished', 400, 'body_unreadable', /could not be read/, () => learnerLtik],
    ['evidence with no fields', () => `/api/me/awards/${ownAward}/evidence`, '{}', 400, 'invalid_evidence', /Give the evidence as a "url", a "text", or both/, () => learnerLtik],
    ['evidence that is a list', () => `/api/me/awards/${ownAward}/evidence`, '[{"text": "mine"}]', 400, 'invalid_evidence', /Give the evidence/, () => learnerLtik],
    ['evidence by operators', () => `/api/me/awards/${ownAward}/evidence`, json({ url: { $gt: '' }, text: ['a'] }), 400, 'invalid_evidence', /Give the evidence/, () => learnerLtik],
    ['evidence linking to a script', () => `/api/me/awards/${ownAward}/evidence`, json({ url: `data:text/html,${SCRIPT}` }), 400, 'invalid_evidence', /must be an absolute http\(s\) URL/, () => learnerLtik],
    ['evidence text over 5,000 characters', () => `/api/me/awards/${ownAward}/evidence`, json({ text: 'x'.repeat(5001) }), 400, 'invalid_evidence', /at most 5,000 characters/, () => learnerLtik],
    ['a sharing choice that is text', () => `/api/me/awards/${ownAward}/sharing`, json({ showName: 'yes' }), 400, 'invalid_sharing', /"showName" as true or false/, () => learnerLtik, 'put'],
  ];

  it.each(cases)('%s', async (_what, path, body, status, error, says, who = () => staff, method = 'post') => {
    const res = await api(who())[method](path()).set('Content-Type', 'application/json').send(body);
    expect(res.status, res.text.slice(0, 300)).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body.error).toBe(error);
    expect([res.body.detail, ...(res.body.problems ?? [])].join(' ')).toMatch(says);
  });

  it('stored nothing: the badges and awards are as they were', async () => {
    expect(await stored()).toEqual(before);
  });
});

describe('hostile launches are refused with 401 and a reason, before any course or page', () => {
  const instructor = () => hostile.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const learner = () => hostile.emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;

  /** A fresh login of this browser, then an id_token of the test's making posted with its state. */
  async function launchWith(make: (claims: Record<string, unknown>) => Promise<string> | string, userId = learner().id) {
    const steps = await startLaunch(hostile, { userId });
    const nonce = JSON.parse(Buffer.from(steps.idToken.split('.')[1]!, 'base64url').toString()).nonce as string;
    const claims = hostile.emulator.idTokenClaims({ userId, clientId: hostile.clientId, nonce });
    return finishLaunch(steps, { id_token: await make(claims), state: steps.state });
  }
  const signed = (changes: Record<string, unknown>, opts?: Parameters<Connected['emulator']['signIdToken']>[1]) =>
    (claims: Record<string, unknown>) => hostile.emulator.signIdToken({ ...claims, ...changes }, opts);

  function expectRefused(res: request.Response, reason: string) {
    expect(res.status, res.text.slice(0, 300)).toBe(401);
    expect(res.headers['x-laurel-reason']).toBe(reason);
    expect(res.headers.location).toBeUndefined(); // no way on to a page
    expect(res.text).toContain('Laurel could not accept this launch');
    expect(laurel.logged(reason).length).toBeGreaterThan(0);
  }

  it('an id_token of 200 KB', async () => {
    expectRefused(await launchWith(signed({ [LTI + 'custom']: { padding: 'x'.repeat(200_000) } })), 'launch_too_large');
  });

  it('an id_token over 64 KB (a huge custom claim)', async () => {
    expectRefused(await launchWith(signed({ [LTI + 'custom']: { padding: 'x'.repeat(60_000) } })), 'malformed_token');
  });

  it.each([
    ['path traversal', '../../../../etc/passwd'],
    ['a query injection', "' OR '1'='1"],
    ['an operator object as text', '{"$ne":null}'],
    ['markup', '<script>alert(1)</script>'],
  ])('a kid with %s', async (_what, kid) => {
    expectRefused(await launchWith(signed({}, { kid })), 'unknown_kid');
  });

  it.each([
    ['roles as a string', { [LTI + 'roles']: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor' }, 'invalid_roles'],
    ['roles holding an object', { [LTI + 'roles']: [{ role: 'Instructor' }] }, 'invalid_roles'],
    ['context as a number', { [LTI + 'context']: 42 }, 'invalid_context'],
    ['context as a list', { [LTI + 'context']: [{ id: 'abc' }] }, 'invalid_context'],
    ['a context id that is not a string', { [LTI + 'context']: { id: { $ne: null }, title: 'x' } }, 'invalid_context'],
    ['a context title that is not a string', { [LTI + 'context']: { id: 'abc', title: { text: 'x' } } }, 'invalid_context'],
    ['sub empty', { sub: '' }, 'invalid_sub'],
    ['sub an object', { sub: { id: 'someone' } }, 'invalid_sub'],
  ])('%s', async (_what, changes, reason) => {
    expectRefused(await launchWith(signed(changes)), reason);
  });

  describe('a platform key set that is not what it should be', () => {
    let keyServer: Server;
    let keysAt: string;
    /** Launches with the hostile LMS's registration pointing at `jwksUri`, as a careless install might leave it. */
    async function launchWithKeysAt(jwksUri: string) {
      const register = (uri: string) => registerPlatform({
        issuer: hostile.emulator.issuer, clientId: hostile.clientId, name: 'emulated canvas', authEndpoint: hostile.emulator.endpoints.auth,
        tokenEndpoint: hostile.emulator.endpoints.token, jwksUri: uri, deploymentIds: [hostile.deploymentId], active: true,
      });
      await register(jwksUri);
      try {
        return await launchWith((claims) => hostile.emulator.signIdToken(claims));
      } finally {
        await register(hostile.emulator.endpoints.jwks);
      }
    }

    beforeAll(async () => {
      const genuine = await (await fetch(hostile.emulator.endpoints.jwks)).json() as { keys: Record<string, unknown>[] };
      keyServer = createServer((req, res) => {
        // The platform's own keys, one redirect away.
        if (req.url === '/redirect') return res.writeHead(302, { Location: hostile.emulator.endpoints.jwks }).end();
        // The platform's own keys (same kids), each declared for another algorithm.
        if (req.url === '/alg-differs') return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: genuine.keys.map((k) => ({ ...k, alg: 'RS384' })) }));
        res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
      keysAt = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
    });
    afterAll(async () => { await new Promise((resolve) => keyServer?.close(resolve)); });

    it('the registered JWKS URL answers with a redirect to the genuine keys: not followed', async () => {
      expectRefused(await launchWithKeysAt(`${keysAt}/redirect`), 'invalid_token');
      expect(laurel.logged('invalid_token').at(-1)?.detail).toMatch(/Expected 200 OK from the JSON Web Key Set/);
    });

    it("the key set holds the token's kid, declared for another alg", async () => {
      expectRefused(await launchWithKeysAt(`${keysAt}/alg-differs`), 'unknown_kid');
    });
  });

  it("Laurel's own deep-linking response, posted back as a launch", async () => {
    const steps = await startLaunch(hostile, { userId: instructor().id, message: 'LtiDeepLinkingRequest' });
    const page = await finishLaunch(steps);
    expect(page.status).toBe(200);
    const jwt = parseForm(page.text).fields.JWT!;
    expect(jwt.split('.')).toHaveLength(3);
    // Signed by Laurel for the platform, not by the platform for Laurel.
    const res = await launchWith(() => jwt, instructor().id);
    expectRefused(res, 'wrong_issuer');
  });

  it('none of them reached the application: the hostile LMS has no course in Laurel', async () => {
    expect(await CourseModel.countDocuments({ issuer: hostile.emulator.issuer })).toBe(0);
  });
});
