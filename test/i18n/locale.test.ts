/**
 * Which language a page speaks: the launch's launch_presentation.locale as Canvas ("fr-CA") or
 * Moodle ("fr_ca") send it, or a browser's Accept-Language by its preferences; English for any
 * language Laurel has no catalogue for.
 */
import { describe, expect, it } from 'vitest';
import { localeOf, localeOfAcceptLanguage } from '../../src/i18n/locale.js';

describe('the launch locale', () => {
  it('takes the language of a region tag, in either spelling and any case', () => {
    for (const tag of ['fr', 'fr-CA', 'fr_ca', 'FR-fr', ' fr-BE ']) expect(localeOf(tag)).toBe('fr');
    for (const tag of ['en', 'en-GB', 'en_AU']) expect(localeOf(tag)).toBe('en');
  });

  it('falls back to English for a language Laurel does not speak, or none', () => {
    for (const tag of ['de', 'de-DE', 'es_mx', 'frr', '', undefined]) expect(localeOf(tag)).toBe('en');
  });
});

describe('Accept-Language', () => {
  it('picks the most preferred language Laurel speaks', () => {
    expect(localeOfAcceptLanguage('fr')).toBe('fr');
    expect(localeOfAcceptLanguage('fr-CA,fr;q=0.9,en;q=0.8')).toBe('fr');
    expect(localeOfAcceptLanguage('de-DE,de;q=0.9,fr;q=0.8,en;q=0.7')).toBe('fr');
  });

  it('follows the q-values, not the order', () => {
    expect(localeOfAcceptLanguage('fr;q=0.5, en;q=0.9')).toBe('en');
    expect(localeOfAcceptLanguage('en;q=0.2, fr-CA;q=0.6, de')).toBe('fr');
  });

  it('never picks a language refused with q=0, and otherwise falls back to English', () => {
    expect(localeOfAcceptLanguage('fr;q=0, de')).toBe('en');
    expect(localeOfAcceptLanguage('de, es')).toBe('en');
    expect(localeOfAcceptLanguage('*')).toBe('en');
    expect(localeOfAcceptLanguage('')).toBe('en');
    expect(localeOfAcceptLanguage(undefined)).toBe('en');
  });
});
