/**
 * Connecting a platform's LMS API (issue 8), for the admin page and `npm run platform` alike:
 * checks what was typed, checks a Moodle token with Moodle itself, stores the connection (secrets
 * sealed), drops the instructors' Canvas grants made with a developer key no longer in use, and
 * audits the change under the registration. Saving what is already stored writes and audits nothing.
 *
 * A Moodle token is checked by calling every function Laurel uses on a real course (issue 13,
 * checkMoodleAccess.ts). What is saved:
 * - nothing when Moodle refuses the token outright (unknown token, web services off, a service
 *   refusing every function), when the course to check on does not exist, or when the service
 *   lacks a function: each is fixed in Moodle's service settings, and saving changes nothing then;
 * - the token, with a warning, when Moodle accepts it but its account lacks capabilities: those
 *   are granted in Moodle's roles without a new token, so the administrator checks again with one
 *   click, and teachers meanwhile read what is missing and who grants it. Except that such a token
 *   never replaces another whose last check found nothing to fix.
 */
import { isHttpUrl } from '../../httpUrl.js';
import { inputProblem, type InputProblem } from '../../inputProblem.js';
import { SealError } from '../../secrets/sealed.js';
import { recordAudit, registrationKey } from '../../store/auditLog.js';
import type { Registration } from '../../store/issuerProfile.js';
import { deleteCanvasGrantsOf } from '../../store/canvasGrant.js';
import { connectCanvas, connectionSecrets, connectMoodle, disconnectLms, lmsConnectionOf, recordLmsCheck, type CanvasKeyInput, type LmsCheckRecord, type LmsConnection } from '../../store/lmsConnection.js';
import { coursesWithLmsId } from '../../store/course.js';
import { listBadges } from '../../store/badge.js';
import { LmsError } from '../errors.js';
import { newTransport } from '../http.js';
import { MoodleWs } from '../moodleWs/moodleWsApi.js';
import { moodleProblems } from './moodleConnectionProblems.js';
import { checkMoodleAccess, type MoodleCheck, type MoodleCheckTarget } from '../moodleWs/checkMoodleAccess.js';

/** Who makes the change: the launch's administrator, or the command line. */
export interface ChangedBy { actor: string; actorName: string }

export class LmsConnectionError extends Error {
  constructor(readonly problems: InputProblem[]) { super(problems.map((p) => p.message).join('; ')); }
}

export interface CanvasForm { baseUrl?: string; apiClientId?: string; apiClientSecret?: string; enforcesScopes?: boolean }
export interface MoodleForm { baseUrl?: string; token?: string; courseId?: string }
export type MoodleInput = { baseUrl: string; token: string; courseId?: string };

/** What a save did; `changed` is false when the platform already had exactly this. `check`: a Moodle token's check, when it found something to fix. */
export interface LmsChange { changed: boolean; grantsDropped: number; check?: LmsCheckRecord; checkedOn?: string }

/** Where the check runs: the course of the administrator's launch, when there is one. */
export interface CheckContext { launchCourseId?: string }

const CANVAS_EXAMPLE = 'https://school.instructure.com';
const MOODLE_EXAMPLE = 'https://moodle.school.edu';
const WHERE_TOKENS = 'Site administration → Server → Web services → Manage tokens';

/** The LMS's address as its API is called: no query, no trailing slash (Moodle may live in a folder). */
function baseUrlOf(raw: string | undefined, example: string, problems: InputProblem[]): string {
  const text = (raw ?? '').trim();
  if (text === '') {
    problems.push(inputProblem('lms.baseUrlRequired', `base URL: give the LMS's address, such as ${example}`, { example }));
    return text;
  }
  const u = isHttpUrl(text) ? new URL(text) : undefined;
  if (!u || u.search || u.hash || u.username || u.password) {
    problems.push(inputProblem('lms.baseUrl', `base URL: "${text}" is not an http(s) address without a query, such as ${example}`, { value: text, example }));
    return text;
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

export function checkCanvasForm(form: CanvasForm): { key: CanvasKeyInput; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const baseUrl = baseUrlOf(form.baseUrl, CANVAS_EXAMPLE, problems);
  const apiClientId = (form.apiClientId ?? '').trim();
  if (!/^\d+$/.test(apiClientId)) {
    problems.push(inputProblem('lms.canvasClientId', 'client id: give the developer key\'s client id, which is all digits (Admin → Developer Keys, the Details column)', { value: apiClientId }));
  }
  const apiClientSecret = (form.apiClientSecret ?? '').trim();
  if (!/^\S+$/.test(apiClientSecret)) {
    problems.push(inputProblem('lms.canvasSecret', 'client secret: paste the developer key\'s secret, without spaces (Admin → Developer Keys, Show Key)'));
  }
  return { key: { baseUrl, apiClientId, apiClientSecret, enforcesScopes: Boolean(form.enforcesScopes) }, problems };
}

export function checkMoodleForm(form: MoodleForm): { input: MoodleInput; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const baseUrl = baseUrlOf(form.baseUrl, MOODLE_EXAMPLE, problems);
  const token = (form.token ?? '').trim();
  if (!/^\S+$/.test(token)) {
    problems.push(inputProblem('lms.moodleToken', `token: paste the token Moodle created for Laurel's service, without spaces (${WHERE_TOKENS})`));
  }
  const courseId = courseIdOf(form.courseId, problems);
  return { input: { baseUrl, token, ...(courseId ? { courseId } : {}) }, problems };
}

/** An optional Moodle course id, as its course page's address shows it (course/view.php?id=…). */
function courseIdOf(raw: string | undefined, problems: InputProblem[]): string | undefined {
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  if (!/^\d+$/.test(text)) problems.push(moodleProblems.courseId(text));
  return text;
}

export async function connectCanvasApi(r: Registration, form: CanvasForm, by: ChangedBy): Promise<LmsChange> {
  const { key, problems } = checkCanvasForm(form);
  if (problems.length) throw new LmsConnectionError(problems);
  const before = await lmsConnectionOf(r.issuer, r.clientId);
  if (isStored(before, { kind: 'canvas-rest', ...key })) return { changed: false, grantsDropped: 0 };
  await connectCanvas(r.issuer, r.clientId, key, by.actorName);
  // Grants were given to the developer key at that Canvas: another key or Canvas cannot use them.
  const sameKey = before?.kind === 'canvas-rest' && before.baseUrl === key.baseUrl && before.apiClientId === key.apiClientId;
  const grantsDropped = before?.kind === 'canvas-rest' && !sameKey ? await deleteCanvasGrantsOf(r.issuer, r.clientId) : 0;
  await audit(r, by, `LMS API: Canvas REST at ${key.baseUrl}, developer key ${key.apiClientId}${key.enforcesScopes ? ', scopes enforced' : ''}${droppedText(grantsDropped)}`);
  return { changed: true, grantsDropped };
}

/** Checks the token with Moodle on a real course first; see the header for what is saved. */
export async function connectMoodleWs(r: Registration, form: MoodleForm, by: ChangedBy, ctx: CheckContext = {}): Promise<LmsChange> {
  const { input, problems } = checkMoodleForm(form);
  if (problems.length) throw new LmsConnectionError(problems);
  const ws = new MoodleWs(input.baseUrl, input.token, newTransport());
  const check = await checkOnCourse(r, ws, input.baseUrl, input.courseId ?? ctx.launchCourseId);
  const before = await lmsConnectionOf(r.issuer, r.clientId);
  const same = isStored(before, { kind: 'moodle-ws', baseUrl: input.baseUrl, token: input.token });
  if (check.problems.length && !same && before?.kind === 'moodle-ws' && before.check && before.check.problems.length === 0) {
    throw new LmsConnectionError([moodleProblems.keepsWorking(), ...check.problems]);
  }
  const warning = { checkedOn: check.courseId, ...(check.problems.length ? { check } : {}) };
  if (same) {
    await recordLmsCheck(r.issuer, r.clientId, check);
    return { changed: false, grantsDropped: 0, ...warning };
  }
  await connectMoodle(r.issuer, r.clientId, { baseUrl: input.baseUrl, token: input.token, check }, by.actorName);
  const grantsDropped = before?.kind === 'canvas-rest' ? await deleteCanvasGrantsOf(r.issuer, r.clientId) : 0;
  const lacking = check.problems.length ? `; the check on course ${check.courseId} found ${check.problems.length} thing(s) to fix in Moodle` : '';
  await audit(r, by, `LMS API: Moodle web services at ${input.baseUrl}${lacking}${droppedText(grantsDropped)}`);
  return { changed: true, grantsDropped, ...warning };
}

/** Checks the stored Moodle token again (after a Moodle administrator granted what was missing), and records what it found. */
export async function recheckMoodleWs(r: Registration, form: { courseId?: string }, ctx: CheckContext = {}): Promise<LmsCheckRecord> {
  const problems: InputProblem[] = [];
  const courseId = courseIdOf(form.courseId, problems);
  const stored = await lmsConnectionOf(r.issuer, r.clientId);
  if (!stored || stored.kind !== 'moodle-ws') problems.push(moodleProblems.notConnected());
  if (problems.length) throw new LmsConnectionError(problems);
  const ws = new MoodleWs(stored!.baseUrl, connectionSecrets(stored!).token!, newTransport());
  let check: LmsCheckRecord;
  try {
    check = await checkOnCourse(r, ws, stored!.baseUrl, courseId ?? ctx.launchCourseId);
  } catch (err) {
    // A token refused since: recorded as what the check found, so the page says it until fixed.
    if (!(err instanceof LmsConnectionError)) throw err;
    check = { at: new Date(), courseId: courseId ?? ctx.launchCourseId ?? '', problems: err.problems };
  }
  await recordLmsCheck(r.issuer, r.clientId, check);
  return check;
}

/**
 * Runs the check on the course named, else the administrator's, else the course Laurel was most
 * recently launched in on this platform. Throws LmsConnectionError for what refuses the token
 * outright; answers the check, whose problems are what to grant.
 */
async function checkOnCourse(r: Registration, ws: MoodleWs, baseUrl: string, named: string | undefined): Promise<LmsCheckRecord> {
  const target = await checkTarget(r, named);
  let checked: MoodleCheck;
  try {
    checked = await checkMoodleAccess(ws, target);
  } catch (err) {
    if (!(err instanceof LmsError)) throw err;
    throw new LmsConnectionError([moodleProblems.refusal(baseUrl, target.courseId, err)]);
  }
  if (checked.serviceRefused) {
    throw new LmsConnectionError([moodleProblems.serviceRefused(baseUrl)]);
  }
  if (checked.missingFunctions.length) throw new LmsConnectionError([moodleProblems.functions(checked.missingFunctions)]);
  return { at: new Date(), courseId: target.courseId, problems: moodleProblems.check(checked) };
}

/** The course to call the functions on, with what Laurel knows is in it: its own link, and the activities its rules name. */
async function checkTarget(r: Registration, named: string | undefined): Promise<MoodleCheckTarget> {
  const [known] = await coursesWithLmsId(r.issuer, r.clientId, named);
  const courseId = named ?? known?.lmsCourseId;
  if (!courseId) {
    throw new LmsConnectionError([moodleProblems.noCourse()]);
  }
  if (!known) return { courseId };
  const namedActivities = (await listBadges(known.courseKey)).flatMap((b) => [...new Set([...JSON.stringify(b.rules).matchAll(/"moodle:cm:(\d+)"/g)].map((m) => m[1]!))].map((cmid) => ({ cmid, badge: b.name })));
  // Laurel is launched from an activity of its own in Moodle: an external tool (mod_lti).
  return { courseId, expectedTypes: ['lti'], namedActivities };
}

/** Forgets the connection and every instructor's Canvas grant; `changed` false when there was none. */
export async function disconnectLmsApi(r: Registration, by: ChangedBy): Promise<LmsChange> {
  const before = await lmsConnectionOf(r.issuer, r.clientId);
  if (!before || !(await disconnectLms(r.issuer, r.clientId))) return { changed: false, grantsDropped: 0 };
  const grantsDropped = await deleteCanvasGrantsOf(r.issuer, r.clientId);
  await audit(r, by, `LMS API disconnected (was ${before.kind} at ${before.baseUrl})${droppedText(grantsDropped)}`);
  return { changed: true, grantsDropped };
}

type Wanted = Pick<LmsConnection, 'kind' | 'baseUrl'> & Partial<Pick<LmsConnection, 'apiClientId' | 'apiClientSecret' | 'enforcesScopes' | 'token'>>;

/** The stored connection is this one, secrets compared unsealed (each sealing differs). */
function isStored(before: LmsConnection | null, wanted: Wanted): boolean {
  if (!before || before.kind !== wanted.kind || before.baseUrl !== wanted.baseUrl || before.apiClientId !== wanted.apiClientId
    || Boolean(before.enforcesScopes) !== Boolean(wanted.enforcesScopes)) return false;
  try {
    const secrets = connectionSecrets(before);
    return secrets.apiClientSecret === wanted.apiClientSecret && secrets.token === wanted.token;
  } catch (err) {
    if (err instanceof SealError) return false; // sealed under a secret no longer configured: stored anew
    throw err;
  }
}

const droppedText = (n: number) => (n ? `; ${n} instructor grant(s) of the previous developer key dropped` : '');

/** Under the registration, so the admin page's export lists it; never a secret in the detail. */
async function audit(r: Registration, by: ChangedBy, detail: string): Promise<void> {
  await recordAudit({ actor: by.actor, actorName: by.actorName, platform: registrationKey(r), action: 'platform.settings', detail });
}
