/**
 * The language of a page: from the launch's `launch_presentation.locale` (Canvas and Moodle send
 * the user's language, e.g. "fr", "fr-CA", "fr_ca"), or for public pages from the browser's
 * Accept-Language. Anything Laurel has no catalogue for falls back to English.
 */
export const LOCALES = ['en', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];

export function localeOf(tag: string | undefined): Locale {
  const language = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(language ?? '') ? (language as Locale) : 'en';
}

/** The first language of an Accept-Language header that Laurel speaks, by the header's preference. */
export function localeOfAcceptLanguage(header: string | undefined): Locale {
  const wanted = (header ?? '').split(',')
    .map((part) => { const [tag, ...params] = part.trim().split(';'); const q = params.find((p) => p.trim().startsWith('q=')); return { tag: tag ?? '', q: q ? Number(q.trim().slice(2)) : 1 }; })
    .filter((w) => w.tag && w.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const w of wanted) {
    const language = w.tag.toLowerCase().split(/[-_]/)[0];
    if ((LOCALES as readonly string[]).includes(language ?? '')) return language as Locale;
  }
  return 'en';
}
