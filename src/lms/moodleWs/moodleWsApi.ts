/**
 * Moodle's REST web services (digest §10), called with a token an administrator creates for an
 * external service. Moodle answers its errors as HTTP 200 with `{exception, errorcode, message}`,
 * so every answer's body is checked before it is believed. Each refusal becomes a MoodleWsError
 * saying in Laurel's words what is wrong, who can fix it (a Moodle administrator) and where;
 * Moodle's own words are kept beside it for the log, never shown to a teacher.
 */
import { LmsError, type LmsErrorKind } from '../errors.js';
import { errorFor, readJson, send, type Transport } from '../http.js';
import { readJsonEach } from '../jsonStream.js';
import { record, text } from '../read.js';
import { inputProblem, type InputProblem } from '../../inputProblem.js';
import { missingCapabilityOf } from './moodleCapabilities.js';

/** The functions Laurel's external service needs, in the order an administrator adds them. */
export const MOODLE_WS_FUNCTIONS = [
  'gradereport_user_get_grade_items',
  'core_completion_get_activities_completion_status',
  'core_course_get_contents',
  'core_enrol_get_enrolled_users',
] as const;

/** Moodle 4.5's admin pages, as its menus name them. */
export const MOODLE_PATHS = {
  advancedFeatures: 'Site administration → General → Advanced features',
  protocols: 'Site administration → Server → Web services → Manage protocols',
  services: 'Site administration → Server → Web services → External services',
  tokens: 'Site administration → Server → Web services → Manage tokens',
  roles: 'Site administration → Users → Permissions → Define roles',
} as const;

/** A refusal by Moodle, with what it means for Laurel (`problem`, in Laurel's words) and what Moodle said (`moodleSaid`, for the log). */
export class MoodleWsError extends LmsError {
  override name = 'MoodleWsError';
  constructor(kind: LmsErrorKind, readonly problem: InputProblem, readonly wsfunction: string, readonly errorcode: string, readonly moodleSaid: string, o: { status?: number; url?: string }) {
    super(kind, problem.message, o);
  }

  /** The capability Moodle said the token's account lacks, if that is what it said. */
  get capability(): string | undefined {
    return typeof this.problem.params.capability === 'string' ? this.problem.params.capability : undefined;
  }
}

export class MoodleWs {
  /** The REST server's URL: the only URL this client requests, so the only one logged. */
  readonly endpoint: string;
  /** A private field, so inspecting or logging the client never shows the token. */
  readonly #token: string;

  constructor(baseUrl: string, token: string, private readonly transport: Transport) {
    this.endpoint = `${baseUrl.replace(/\/+$/, '')}/webservice/rest/server.php`;
    this.#token = token;
  }

  /**
   * Calls a function with its parameters as Moodle's flat form names (`courseid`,
   * `options[0][name]`). The token travels in the POST body, never in the URL. Answers the
   * function's value or throws an LmsError saying what to do.
   */
  async call(wsfunction: string, params: Record<string, string | number>): Promise<unknown> {
    const res = await this.post(wsfunction, params);
    return this.believed(wsfunction, await readJson(res, this.endpoint));
  }

  /**
   * As call, for a function whose answer may be large (a course's whole grade report): the
   * elements of its top-level `member` array are handed to `each` as they arrive, each dropped
   * once read, and the answer comes back with that member empty.
   */
  async callEach(wsfunction: string, params: Record<string, string | number>, member: string, each: (item: unknown) => void): Promise<unknown> {
    const res = await this.post(wsfunction, params);
    return this.believed(wsfunction, await readJsonEach(res, this.endpoint, member, each));
  }

  private async post(wsfunction: string, params: Record<string, string | number>): Promise<Response> {
    const form = new URLSearchParams({ wstoken: this.#token, wsfunction, moodlewsrestformat: 'json' });
    for (const [name, value] of Object.entries(params)) form.set(name, String(value));
    const res = await send(this.transport, 'POST', this.endpoint, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (res.status === 403) {
      // server.php answers a bare 403 when web services or the REST protocol are off (webservice/rest/server.php).
      const body = await res.text().catch(() => '');
      if (body.trim() === '') throw moodleWsError(wsfunction, 'webservicesoff', { message: 'HTTP 403 with an empty body' }, this.endpoint, 403);
      throw await errorFor(new Response(body, { status: 403, statusText: res.statusText }), 'POST', this.endpoint);
    }
    if (!res.ok) throw await errorFor(res, 'POST', this.endpoint);
    return res;
  }

  /** Moodle answers its errors with 200 and an exception in the body. */
  private believed(wsfunction: string, body: unknown): unknown {
    const failure = record(body);
    const errorcode = text(failure.errorcode);
    if (text(failure.exception) && errorcode) throw moodleWsError(wsfunction, errorcode, failure, this.endpoint, 200);
    return body;
  }
}

const WHO = 'A Moodle administrator';

/** Moodle's exception as a MoodleWsError worded for a person; Moodle's own words (and debug info, on a site in debug mode) kept apart. */
export function moodleWsError(wsfunction: string, errorcode: string, failure: Record<string, unknown>, url: string, status: number): MoodleWsError {
  const moodleSaid = [text(failure.message), text(failure.debuginfo)].filter(Boolean).join(': ') || errorcode;
  const o = { status, url };
  const make = (kind: LmsErrorKind, problem: InputProblem) => new MoodleWsError(kind, problem, wsfunction, errorcode, moodleSaid, o);
  const capability = missingCapabilityOf(wsfunction, errorcode, text(failure.message) ?? '');
  if (capability) {
    return make('unauthorized', inputProblem('moodle.capability',
      `The Moodle account of Laurel's token lacks the capability ${capability} (Moodle refused ${wsfunction}). ${WHO} allows it in that account's role (${MOODLE_PATHS.roles}), then Laurel's administrator checks the connection again on Laurel's admin page.`,
      { capability, wsfunction }));
  }
  switch (errorcode) {
    case 'invalidtoken':
      return make('reconnect', inputProblem('moodle.tokenRefused',
        `Moodle does not know the token of Laurel's web service (mistyped, deleted or expired). ${WHO} creates a new token for Laurel's service (${MOODLE_PATHS.tokens}) and Laurel's administrator enters it on Laurel's admin page.`));
    case 'webservicesoff':
      return make('unauthorized', inputProblem('moodle.webServicesOff',
        `Moodle's web services or its REST protocol are turned off. ${WHO} ticks "Enable web services" (${MOODLE_PATHS.advancedFeatures}) and enables REST (${MOODLE_PATHS.protocols}).`));
    case 'accessexception':
      // Moodle says the same for a function missing from the service and for a disabled service: the check on the admin page tells them apart.
      return make('scope_not_granted', inputProblem('moodle.functionRefused',
        `Moodle refused ${wsfunction} to Laurel's token: Laurel's external service lacks this function, or the service is disabled. ${WHO} adds ${wsfunction} to the service (${MOODLE_PATHS.services} → Functions) or ticks "Enabled" on it (${MOODLE_PATHS.services} → Edit); the check on Laurel's admin page says which.`,
        { wsfunction }));
    case 'invalidrecord':
    case 'dml_missing_record_exception':
      return make('not_found', inputProblem('moodle.notFound',
        `Moodle found no such course or user for ${wsfunction}: it no longer exists in Moodle.`, { wsfunction }));
    default:
      return make('bad_response', inputProblem('moodle.error',
        `Moodle answered ${wsfunction} with an error Laurel does not know (${errorcode}). Laurel's administrator finds Moodle's own words in Laurel's log; if it lasts, a Moodle administrator looks into it.`, { wsfunction, errorcode }));
  }
}
