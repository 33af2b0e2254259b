/**
 * Why a revocation was refused, in the page's language (the API keeps the English message).
 */
import type { RevocationError } from '../../awards/revoke.js';
import type { MessageKey } from '../../i18n/en.js';
import type { Translator } from '../../i18n/translate.js';

const KEYS: Record<RevocationError['code'], MessageKey> = {
  reason_missing: 'revoke.error.reasonMissing',
  reason_too_long: 'revoke.error.reasonTooLong',
  not_found: 'revoke.error.notFound',
};

export function revocationProblem(err: RevocationError, tr: Translator): string {
  return tr.t(KEYS[err.code], err.values);
}
