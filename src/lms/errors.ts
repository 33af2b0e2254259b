/**
 * Every way reading or writing the LMS can fail, as one error type whose message says what a
 * person (instructor or LMS administrator) can do about it.
 */
export type LmsErrorKind = 'scope_not_granted' | 'unauthorized' | 'not_found' | 'throttled' | 'unavailable' | 'bad_response'
  /** An LMS API grant (Canvas OAuth tokens, a Moodle web-service token) is refused: a person must connect again. */
  | 'reconnect';

export class LmsError extends Error {
  override name = 'LmsError';
  readonly status?: number;
  readonly url?: string;

  constructor(readonly kind: LmsErrorKind, message: string, o: { status?: number; url?: string; cause?: unknown } = {}) {
    super(message, { cause: o.cause });
    this.status = o.status;
    this.url = o.url;
  }
}
