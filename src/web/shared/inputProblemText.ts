/**
 * The problems a form had (the editor's and the admin page's "Please fix"), in the page's
 * language. An English page shows each problem's own English sentence, which the catalogue's
 * English copies (test/i18n/inputProblems.test.ts keeps them equal); another language says it
 * from the catalogue ("fix.<code>"), or in English when the catalogue has no text for the code.
 */
import type { InputProblem } from '../../inputProblem.js';
import type { Params, Translator } from '../../i18n/translate.js';
import { unreadSourceText } from './reasonText.js';
import { isLmsApiSource, type UnreadState } from '../../rules/sources.js';

export function inputProblemText(p: InputProblem, tr: Translator): string {
  if (tr.locale === 'en') return p.message;
  // Numbers as the language writes them: 6,5 points in French.
  const params: Params = Object.fromEntries(Object.entries(p.params).map(([name, v]) => [name, typeof v === 'number' ? tr.number(v) : v]));
  // An LMS API that was not read: why, and what to do, in the page's language.
  if (isLmsApiSource(p.params.source) && typeof p.params.state === 'string') params.why = unreadSourceText(p.params.source, p.params.state as UnreadState, tr);
  return tr.tOr(`fix.${p.code}`, p.message, params);
}

export const inputProblemsIn = (problems: InputProblem[], tr: Translator): string[] => problems.map((p) => inputProblemText(p, tr));
