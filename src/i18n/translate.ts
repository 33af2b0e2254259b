/**
 * UI text from the message catalogues. `t('key', { name })` fills {name} placeholders;
 * `tn('key', count)` picks `key.one` or `key.other` by the language's plural rules and fills
 * {count}. Catalogues are TypeScript objects so the compiler checks that French has every key
 * English has; a key missing at run time shows as the key itself, never as an empty page.
 */
import { en, type MessageKey } from './en.js';
import { fr } from './fr.js';
import type { Locale } from './locale.js';

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, fr };

export type Params = Record<string, string | number | undefined>;

export interface Translator {
  locale: Locale;
  t(key: MessageKey, params?: Params): string;
  tn(key: string, count: number, params?: Params): string;
  /** A date as this language writes it (UTC, so every viewer sees the same day). */
  date(d: Date | string | undefined): string;
  dateTime(d: Date | string | undefined): string;
}

const fill = (text: string, params: Params = {}) => text.replace(/\{(\w+)\}/g, (m, name: string) => (params[name] === undefined ? m : String(params[name])));

export function translator(locale: Locale): Translator {
  const catalogue = CATALOGUES[locale];
  const plural = new Intl.PluralRules(locale);
  const lookup = (key: string) => (catalogue as Record<string, string>)[key] ?? (en as Record<string, string>)[key] ?? key;
  const dates = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  const times = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
  const asDate = (d: Date | string | undefined) => (d === undefined ? undefined : d instanceof Date ? d : new Date(d));
  return {
    locale,
    t: (key, params) => fill(lookup(key), params),
    tn: (key, count, params) => fill(lookup(`${key}.${plural.select(count) === 'one' ? 'one' : 'other'}`), { count, ...params }),
    date: (d) => { const x = asDate(d); return x ? dates.format(x) : ''; },
    dateTime: (d) => { const x = asDate(d); return x ? times.format(x) : ''; },
  };
}
