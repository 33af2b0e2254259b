/**
 * Something a person must fix in what they typed (a badge, its rules, the issuer profile, the
 * sync interval). Worded in English as `message`, which the JSON API and the logs say as it is,
 * and named by a stable `code` with the values it mentions (`params`), so that a page can say
 * it again in its own language (web/inputProblemText.ts). No i18n here: rules/ makes these too.
 */
export type InputProblemParams = Record<string, string | number>;

export interface InputProblem {
  /** e.g. "rule.percentRange"; the catalogue says it as "fix.rule.percentRange". */
  code: string;
  params: InputProblemParams;
  message: string;
}

export const inputProblem = (code: string, message: string, params: InputProblemParams = {}): InputProblem => ({ code, params, message });
