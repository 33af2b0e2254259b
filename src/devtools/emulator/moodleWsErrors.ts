/**
 * Moodle web-service errors, worded as Moodle's REST server words them (HTTP 200, JSON body).
 */

/** An error as Moodle's REST server reports it. `debuginfo` is what a site in developer debug mode adds. */
export class MoodleWsError extends Error {
  constructor(readonly exception: string, readonly errorcode: string, message: string, readonly debuginfo?: string) {
    super(message);
  }
}

export const invalidParameter = (debuginfo: string) =>
  new MoodleWsError('invalid_parameter_exception', 'invalidparameter', 'Invalid parameter value detected', debuginfo);

export const missingRecord = (table: string) =>
  new MoodleWsError('dml_missing_record_exception', 'invalidrecord', `Can't find data record in database table ${table}.`);

export const codingError = (text: string) =>
  new MoodleWsError('coding_exception', 'codingerror', `Coding error detected, it must be fixed by a programmer: ${text}`);
