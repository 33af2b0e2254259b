/**
 * Moodle web-service errors, worded as Moodle 4.5's REST server words them (HTTP 200, JSON body).
 * `exception` is PHP's get_class(): since Moodle 4.2 the core exceptions live in `core\exception`
 * (their old global names are aliases, which get_class does not report); webservice_access_exception
 * and the dml ones are still global.
 */

/** An error as Moodle's REST server reports it. `debuginfo` is what a site in developer debug mode adds. */
export class MoodleWsError extends Error {
  constructor(readonly exception: string, readonly errorcode: string, message: string, readonly debuginfo?: string) {
    super(message);
  }
}

export const invalidParameter = (debuginfo: string) =>
  new MoodleWsError('core\\exception\\invalid_parameter_exception', 'invalidparameter', 'Invalid parameter value detected', debuginfo);

export const missingRecord = (table: string) =>
  new MoodleWsError('dml_missing_record_exception', 'invalidrecord', `Can't find data record in database table ${table}.`);

export const codingError = (text: string) =>
  new MoodleWsError('core\\exception\\coding_exception', 'codingerror', `Coding error detected, it must be fixed by a programmer: ${text}`);

export const moodleException = (errorcode: string, message: string) => new MoodleWsError('core\\exception\\moodle_exception', errorcode, message);

/** require_capability(): Moodle names the capability by its description, in the account's language (English here). */
export const requiredCapability = (description: string) =>
  new MoodleWsError('core\\exception\\required_capability_exception', 'nopermissions', `Sorry, but you do not currently have permissions to do that (${description}).`);

/** require_login() in a course the account is neither enrolled in nor allowed to view (moodle/course:view). */
export const notAccessible = () => new MoodleWsError('core\\exception\\require_login_exception', 'requireloginerror', 'Course or activity not accessible.');

/** The same, as core_course_get_contents and core_enrol_get_enrolled_users wrap it. */
export const courseContextNotValid = (courseid: string) =>
  moodleException('errorcoursecontextnotvalid', `You cannot execute functions in the course context (course id:${courseid}). The context error message was: Course or activity not accessible.`);

/** webservice_access_exception: Moodle says only this, whether the service lacks the function or is disabled (debuginfo tells, in debug mode only). */
export const accessException = () => new MoodleWsError('webservice_access_exception', 'accessexception', 'Access control exception');
