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
  /** For catalogue texts that hold markup (<strong>, <a>, <code>): the values are escaped, the text is not. */
  th(key: MessageKey, params?: Params): string;
  /** The catalogue's text for `key` when it has one, else `english`: for text made deep in the code, or stored. */
  tOr(key: string, english: string, params?: Params): string;
  has(key: string): boolean;
  /** A number as this language writes it, to at most two decimals: 6.5, or 6,5 in French. */
  number(n: number): string;
  /** A date as this language writes it (UTC, so every viewer sees the same day). */
  date(d: Date | string | undefined): string;
  dateTime(d: Date | string | undefined): string;
}

const fill = (text: string, params: Params = {}) => text.replace(/\{(\w+)\}/g, (m, name: string) => (params[name] === undefined ? m : String(params[name])));

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const made = new Map<Locale, Translator>();

/** One translator per language, made once: its Intl formatters are costly to build on every page. */
export function translator(locale: Locale): Translator {
  let t = made.get(locale);
  if (!t) made.set(locale, (t = makeTranslator(locale)));
  return t;
}

function makeTranslator(locale: Locale): Translator {
  const catalogue = CATALOGUES[locale] as Record<string, string>;
  const plural = new Intl.PluralRules(locale);
  const has = (key: string) => key in catalogue;
  const lookup = (key: string) => catalogue[key] ?? (en as Record<string, string>)[key] ?? key;
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2, useGrouping: false });
  const dates = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
  const times = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });
  const asDate = (d: Date | string | undefined) => (d === undefined ? undefined : d instanceof Date ? d : new Date(d));
  return {
    locale,
    t: (key, params) => fill(lookup(key), params),
    tn: (key, count, params) => fill(lookup(`${key}.${plural.select(count) === 'one' ? 'one' : 'other'}`), { count, ...params }),
    th: (key, params = {}) => fill(lookup(key), Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === undefined ? v : escapeHtml(String(v))]))),
    tOr: (key, english, params) => (has(key) ? fill(lookup(key), params) : english),
    has,
    number: (n) => numbers.format(n),
    date: (d) => { const x = asDate(d); return x ? dates.format(x) : ''; },
    dateTime: (d) => { const x = asDate(d); return x ? times.format(x) : ''; },
  };
}
