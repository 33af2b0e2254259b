/**
 * Gives every rendered page its language: `lang`, `t`, `tn`, `th` (texts with markup), `tOr`,
 * `number`, `date` and `dateTime` in the view, and `reasonText` / `problemText` for what the
 * code made in English. Chosen when the page renders, not when the request arrives: by then a
 * launched session's token (and its `launch_presentation.locale`) is known; public pages go by
 * Accept-Language.
 */
import type { NextFunction, Request, Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { localeOf, localeOfAcceptLanguage } from '../../i18n/locale.js';
import { translator, type Translator } from '../../i18n/translate.js';
import type { Reason } from '../../rules/verdict.js';
import { reasonText } from './reasonText.js';
import { problemIn, type Problem } from './errorPage.js';

export function languageOf(req: Request, res: Response): Translator {
  const token = res.locals.token as LtijsToken | undefined;
  const locale = token?.platformContext?.launchPresentation?.locale;
  return translator(locale ? localeOf(locale) : localeOfAcceptLanguage(req.get('accept-language')));
}

/** The page's translator, for handlers that word something before the view renders. */
export function pageTranslator(res: Response): Translator {
  return (res.locals.translator as () => Translator)();
}

export function pageLanguage(req: Request, res: Response, next: NextFunction): void {
  let chosen: Translator | undefined;
  const current = () => (chosen ??= languageOf(req, res));
  res.locals.translator = current;
  Object.defineProperty(res.locals, 'lang', { get: () => current().locale, enumerable: true, configurable: true });
  res.locals.t = ((key, params) => current().t(key, params)) as Translator['t'];
  res.locals.tn = ((key, count, params) => current().tn(key, count, params)) as Translator['tn'];
  res.locals.th = ((key, params) => current().th(key, params)) as Translator['th'];
  res.locals.tOr = ((key, english, params) => current().tOr(key, english, params)) as Translator['tOr'];
  res.locals.number = ((n) => current().number(n)) as Translator['number'];
  res.locals.date = ((d) => current().date(d)) as Translator['date'];
  res.locals.dateTime = ((d) => current().dateTime(d)) as Translator['dateTime'];
  res.locals.reasonText = (reason: Reason) => reasonText(reason, current());
  res.locals.problemText = (problem: Problem) => problemIn(problem, current());
  next();
}
