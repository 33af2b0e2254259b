/**
 * Gives every rendered page its language: `lang`, `t`, `tn`, `date` and `dateTime` in the view.
 * Chosen when the page renders, not when the request arrives: by then a launched session's
 * token (and its `launch_presentation.locale`) is known; public pages go by Accept-Language.
 */
import type { NextFunction, Request, Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { localeOf, localeOfAcceptLanguage } from '../i18n/locale.js';
import { translator, type Translator } from '../i18n/translate.js';

export function languageOf(req: Request, res: Response): Translator {
  const token = res.locals.token as LtijsToken | undefined;
  const locale = token?.platformContext?.launchPresentation?.locale;
  return translator(locale ? localeOf(locale) : localeOfAcceptLanguage(req.get('accept-language')));
}

export function pageLanguage(req: Request, res: Response, next: NextFunction): void {
  let chosen: Translator | undefined;
  const current = () => (chosen ??= languageOf(req, res));
  Object.defineProperty(res.locals, 'lang', { get: () => current().locale, enumerable: true, configurable: true });
  res.locals.t = ((key, params) => current().t(key, params)) as Translator['t'];
  res.locals.tn = ((key, count, params) => current().tn(key, count, params)) as Translator['tn'];
  res.locals.date = ((d) => current().date(d)) as Translator['date'];
  res.locals.dateTime = ((d) => current().dateTime(d)) as Translator['dateTime'];
  next();
}
