/**
 * The words of a criteria narrative in a page's language, for rules/criteria.ts. Credentials
 * keep the English default; pages pass these.
 */
import type { CriteriaLanguage } from '../../rules/criteria.js';
import type { MessageKey } from '../../i18n/en.js';
import type { Translator } from '../../i18n/translate.js';

export function criteriaWords(tr: Translator): CriteriaLanguage {
  return {
    phrase: (key, values) => tr.t(`criteria.${key}` as MessageKey, values),
    number: (n) => tr.number(n),
  };
}
