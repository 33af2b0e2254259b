/**
 * The message catalogues: French says everything English says, with the same values filled
 * in, and the translator's plurals, numbers and dates follow each language's rules.
 */
import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { fr } from '../../src/i18n/fr.js';
import { translator } from '../../src/i18n/translate.js';
import { ENGLISH_CRITERIA } from '../../src/rules/criteria.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the catalogues', () => {
  it('French has every English key and no other', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('every French text fills in the same {placeholders} as its English one', () => {
    const differ = Object.entries(en).filter(([key, text]) => {
      const wanted = placeholders(text);
      const got = placeholders(fr[key as keyof typeof en]);
      // A ".one" form may say the number in words ("une minute") instead of {count}.
      const allowed = key.endsWith('.one') ? wanted.filter((p) => p !== 'count') : wanted;
      return !(JSON.stringify(got) === JSON.stringify(wanted) || JSON.stringify(got) === JSON.stringify(allowed));
    });
    expect(differ.map(([key]) => key)).toEqual([]);
  });

  it('every plural has both its forms', () => {
    const plurals = new Set(Object.keys(en).filter((k) => /\.(one|other)$/.test(k)).map((k) => k.replace(/\.(one|other)$/, '')));
    for (const key of plurals) expect([`${key}.one`, `${key}.other`].every((k) => k in en), key).toBe(true);
  });

  it('says one in the singular: no ".one" form counts "1 badges" or "1 requests"', () => {
    const plural = (catalogue: Record<string, string>) => Object.entries(catalogue)
      .filter(([key, text]) => key.endsWith('.one') && /\{count\} [^\s{']*[sx](?=[\s,.;:)]|$)/.test(text)).map(([key, text]) => `${key}: ${text}`);
    expect(plural(en)).toEqual([]);
    expect(plural(fr)).toEqual([]);
  });

  it('offers nothing Laurel does not do: no grade column of Laurel\'s to set rules on', () => {
    const promises = [...Object.entries(en), ...Object.entries(fr)].filter(([, text]) => /let Laurel create a grade column|laissez Laurel créer une colonne/i.test(text));
    expect(promises.map(([key]) => key)).toEqual([]);
    expect(en['columns.todo']).toMatch(/admin page/);
  });

  it('only texts named "…Html" hold markup for th()', () => {
    const marked = Object.entries(fr).filter(([key, text]) => !key.endsWith('Html') && /<(strong|a|code)\b/.test(text));
    expect(marked.map(([key]) => key)).toEqual([]);
  });

  it('French puts a space before : ; ? ! and % (quoted names such as « Badge: nom » aside)', () => {
    const tight = Object.entries(fr).filter(([key, text]) => !key.startsWith('image.error.') && /[^\s\d(«]([:;?!%])(\s|$)/.test(text.replace(/https?:\/\/\S+|<[^>]+>|«[^»]*»/g, '')));
    expect(tight.map(([key, text]) => `${key}: ${text}`)).toEqual([]);
  });

  it('the English criteria phrases are the rule engine\'s own, so dashboards and credentials agree', () => {
    for (const [phrase, text] of Object.entries(ENGLISH_CRITERIA)) expect(en[`criteria.${phrase}` as keyof typeof en]).toBe(text);
  });
});

describe('the translator', () => {
  const english = translator('en');
  const french = translator('fr');

  it('picks plural forms by each language\'s rules: French counts 0 and 1 as one', () => {
    expect([0, 1, 2].map((n) => english.tn('common.learners', n))).toEqual(['0 learners', '1 learner', '2 learners']);
    expect([0, 1, 2].map((n) => french.tn('common.learners', n))).toEqual(['0 apprenant', '1 apprenant', '2 apprenants']);
  });

  it('escapes the values of texts with markup, never the markup', () => {
    expect(french.th('common.signedInAsHtml', { name: 'Zoé <b>&</b>' })).toBe('Connecté en tant que <strong>Zoé &lt;b&gt;&amp;&lt;/b&gt;</strong>');
  });

  it('writes numbers and dates as each language does', () => {
    expect(english.number(6.5)).toBe('6.5');
    expect(french.number(6.5)).toBe('6,5');
    expect(french.number(72.25)).toBe('72,25');
    expect(english.date('2026-11-23T10:00:00Z')).toBe('November 23, 2026');
    expect(french.date('2026-11-23T10:00:00Z')).toBe('23 novembre 2026');
  });

  it('falls back to the English given when the catalogue has no text for a key', () => {
    expect(french.tOr('job.phase.signing', 'signing credentials')).toBe('signature des titres');
    expect(french.tOr('job.phase.not-a-phase', 'something new')).toBe('something new');
  });
});
