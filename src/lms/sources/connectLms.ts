/**
 * Connecting a platform's LMS API (issue 8), for the admin page and `npm run platform` alike:
 * checks what was typed, checks a Moodle token with Moodle itself, stores the connection (secrets
 * sealed), drops the instructors' Canvas grants made with a developer key no longer in use, and
 * audits the change under the registration. When anything is wrong nothing is stored; saving what
 * is already stored writes and audits nothing.
 */
import { isHttpUrl } from '../../httpUrl.js';
import { inputProblem, type InputProblem } from '../../inputProblem.js';
import { SealError } from '../../secrets/sealed.js';
import { recordAudit, registrationKey } from '../../store/auditLog.js';
import type { Registration } from '../../store/issuerProfile.js';
import { deleteCanvasGrantsOf } from '../../store/canvasGrant.js';
import { connectCanvas, connectionSecrets, connectMoodle, disconnectLms, lmsConnectionOf, type CanvasKeyInput, type LmsConnection } from '../../store/lmsConnection.js';
import { LmsError } from '../errors.js';
import { newTransport } from '../http.js';
import { checkMoodleToken, MoodleWs } from '../moodleWs/moodleWsApi.js';

/** Who makes the change: the launch's administrator, or the command line. */
export interface ChangedBy { actor: string; actorName: string }

export class LmsConnectionError extends Error {
  constructor(readonly problems: InputProblem[]) { super(problems.map((p) => p.message).join('; ')); }
}

export interface CanvasForm { baseUrl?: string; apiClientId?: string; apiClientSecret?: string; enforcesScopes?: boolean }
export interface MoodleForm { baseUrl?: string; token?: string }
export type MoodleInput = { baseUrl: string; token: string };

/** What a save did; `changed` is false when the platform already had exactly this. */
export interface LmsChange { changed: boolean; grantsDropped: number }

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
  return { input: { baseUrl, token }, problems };
}

/** What Moodle said of the token, as a problem to fix; undefined when the token allows every function Laurel calls. */
export function moodleCheckProblem(baseUrl: string, checked: { missing: readonly string[] } | LmsError): InputProblem | undefined {
  if (checked instanceof LmsError) {
    return checked.kind === 'reconnect'
      ? inputProblem('lms.moodleTokenRefused', `token: Moodle at ${baseUrl} does not know this token (mistyped, deleted or expired): create one for Laurel's service (${WHERE_TOKENS}) and paste it`, { baseUrl })
      : inputProblem('lms.moodleUnchecked', `base URL: Laurel could not check the token with Moodle at ${baseUrl}: ${checked.message}`, { baseUrl, why: checked.message });
  }
  if (checked.missing.length === 0) return undefined;
  const functions = checked.missing.join(', ');
  return inputProblem('lms.moodleFunctions', `token: the token's Moodle service does not allow every function Laurel calls; add these to it (Site administration → Server → Web services → External services → Functions), then save again: ${functions}`, { functions });
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

/** Checks the token with Moodle first: a token Moodle refuses, or one missing functions, is not stored. */
export async function connectMoodleWs(r: Registration, form: MoodleForm, by: ChangedBy): Promise<LmsChange> {
  const { input, problems } = checkMoodleForm(form);
  if (problems.length) throw new LmsConnectionError(problems);
  const ws = new MoodleWs(input.baseUrl, input.token, newTransport());
  const checked = await checkMoodleToken(ws).catch((err: unknown) => { if (err instanceof LmsError) return err; throw err; });
  const problem = moodleCheckProblem(input.baseUrl, checked);
  if (problem) throw new LmsConnectionError([problem]);
  const before = await lmsConnectionOf(r.issuer, r.clientId);
  if (isStored(before, { kind: 'moodle-ws', ...input })) return { changed: false, grantsDropped: 0 };
  await connectMoodle(r.issuer, r.clientId, input, by.actorName);
  const grantsDropped = before?.kind === 'canvas-rest' ? await deleteCanvasGrantsOf(r.issuer, r.clientId) : 0;
  await audit(r, by, `LMS API: Moodle web services at ${input.baseUrl}${droppedText(grantsDropped)}`);
  return { changed: true, grantsDropped };
}

/** Forgets the connection and every instructor's Canvas grant; `changed` false when there was none. */
export async function disconnectLmsApi(r: Registration, by: ChangedBy): Promise<LmsChange> {
  const before = await lmsConnectionOf(r.issuer, r.clientId);
  if (!before || !(await disconnectLms(r.issuer, r.clientId))) return { changed: false, grantsDropped: 0 };
  const grantsDropped = await deleteCanvasGrantsOf(r.issuer, r.clientId);
  await audit(r, by, `LMS API disconnected (was ${before.kind} at ${before.baseUrl})${droppedText(grantsDropped)}`);
  return { changed: true, grantsDropped };
}

type Wanted = Pick<LmsConnection, 'kind' | 'baseUrl' | 'apiClientId' | 'apiClientSecret' | 'enforcesScopes' | 'token'>;

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
