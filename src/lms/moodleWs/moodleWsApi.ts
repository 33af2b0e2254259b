/**
 * Moodle's REST web services (digest §10), called with a token an administrator creates for an
 * external service. Moodle answers its errors as HTTP 200 with `{exception, errorcode, message}`,
 * so every answer's body is checked before it is believed.
 */
import { LmsError } from '../errors.js';
import { errorFor, readJson, send, type Transport } from '../http.js';
import { record, text } from '../read.js';

/** The functions Laurel's external service needs, in the order an administrator adds them. */
export const MOODLE_WS_FUNCTIONS = [
  'gradereport_user_get_grade_items',
  'core_completion_get_activities_completion_status',
  'core_course_get_contents',
  'core_enrol_get_enrolled_users',
] as const;

const WHERE_FUNCTIONS = 'Site administration → Server → Web services → External services → Functions';

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
    const form = new URLSearchParams({ wstoken: this.#token, wsfunction, moodlewsrestformat: 'json' });
    for (const [name, value] of Object.entries(params)) form.set(name, String(value));
    const res = await send(this.transport, 'POST', this.endpoint, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    if (!res.ok) throw await errorFor(res, 'POST', this.endpoint);
    const body = await readJson(res, this.endpoint);
    const failure = record(body);
    const errorcode = text(failure.errorcode);
    if (text(failure.exception) && errorcode) throw moodleError(wsfunction, errorcode, failure, this.endpoint);
    return body;
  }
}

/** Moodle's exception as an LmsError; Moodle's own words (and debug info, on a site in debug mode) kept. */
function moodleError(wsfunction: string, errorcode: string, failure: Record<string, unknown>, url: string): LmsError {
  const said = [text(failure.message), text(failure.debuginfo)].filter(Boolean).join(': ') || errorcode;
  const o = { status: 200, url };
  switch (errorcode) {
    case 'invalidtoken':
      return new LmsError('reconnect', `Moodle refused ${wsfunction}: the Moodle web-service token was refused (${said}). An administrator creates a new token and enters it on Laurel's admin page.`, o);
    case 'accessexception':
      return new LmsError('scope_not_granted', `Moodle refused ${wsfunction}: the external service of Laurel's token does not allow it (${said}). An administrator adds ${wsfunction} to the service (${WHERE_FUNCTIONS}).`, o);
    case 'invalidrecord':
    case 'dml_missing_record_exception':
      return new LmsError('not_found', `Moodle found no such record for ${wsfunction} (${said}). The course or user no longer exists in Moodle.`, o);
    default:
      return new LmsError('bad_response', `Moodle rejected ${wsfunction} (${errorcode}: ${said}).`, o);
  }
}

/**
 * Which of MOODLE_WS_FUNCTIONS the token's service does not allow, so an admin page can name
 * exactly the functions to add. Each is called for course 0: an allowed function looks the course
 * up and answers "invalid record"; one the service does not allow answers accessexception first.
 * A refused token throws the 'reconnect' error.
 */
export async function checkMoodleToken(ws: MoodleWs): Promise<{ missing: string[] }> {
  const missing: string[] = [];
  await Promise.all(MOODLE_WS_FUNCTIONS.map(async (wsfunction) => {
    try {
      // userid is required by the completion function, and Moodle validates parameters before it looks anything up.
      await ws.call(wsfunction, wsfunction === 'core_completion_get_activities_completion_status' ? { courseid: 0, userid: 0 } : { courseid: 0 });
    } catch (err) {
      if (err instanceof LmsError && err.kind === 'scope_not_granted') missing.push(wsfunction);
      // Moodle's own "no such record" comes in a 200; a 404 means no Moodle answers at this address.
      else if (!(err instanceof LmsError && err.kind === 'not_found' && err.status === 200)) throw err;
    }
  }));
  return { missing: MOODLE_WS_FUNCTIONS.filter((f) => missing.includes(f)) };
}
