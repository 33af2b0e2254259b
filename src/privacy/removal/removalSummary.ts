/**
 * What removing a platform will delete and what it keeps, said before anything is deleted (on
 * the admin page and by `npm run platform -- remove`), and the confirmation that names the
 * platform. Pure: the facts are counted by removePlatform.ts, the sentences are the catalogue's,
 * so the page and the command line say the same thing in the reader's language.
 */
import { translator, type Translator } from '../../i18n/translate.js';

/** How many courses are named by title before "and N more". */
export const TITLES_SHOWN = 5;

export interface RemovalFacts {
  issuer: string;
  clientId: string;
  platformName: string;
  /** Course titles, most recently launched first. */
  courseTitles: string[];
  badges: number;
  awards: number;
  learners: number;
  /** Credentials signed (first awards and renewals), and how many of those are revoked. */
  credentials: number;
  revokedCredentials: number;
  /** Awards never issued as a credential (pending, or not signed yet): deleted. */
  unissuedAwards: number;
  canvasGrants: number;
  lmsConnection?: 'canvas-rest' | 'moodle-ws';
  /** Platform settings (sync interval), granted administrators, sites allowed to frame Laurel. */
  settings: boolean;
  administrators: number;
  frameOrigins: number;
}

/** The courses as a sentence: the first few titles, and how many more. */
export function courseList(titles: string[], tr: Translator): string {
  const shown = titles.slice(0, TITLES_SHOWN).map((t) => `“${t}”`).join(', ');
  const more = titles.length - TITLES_SHOWN;
  return more > 0 ? tr.tn('removal.coursesMore', more, { titles: shown }) : shown;
}

/** What will be lost, one sentence each, in the reader's language. */
export function lostLines(f: RemovalFacts, tr: Translator): string[] {
  const lines = [
    f.courseTitles.length ? tr.tn('removal.lost.courses', f.courseTitles.length, { titles: courseList(f.courseTitles, tr) }) : tr.t('removal.lost.noCourses'),
    tr.tn('removal.lost.badges', f.badges),
    tr.tn('removal.lost.awards', f.awards, { learners: tr.tn('removal.learners', f.learners) }),
    tr.tn('removal.lost.grants', f.canvasGrants),
    f.lmsConnection ? tr.t(f.lmsConnection === 'canvas-rest' ? 'removal.lost.lmsCanvas' : 'removal.lost.lmsMoodle') : tr.t('removal.lost.noLms'),
    tr.t('removal.lost.settings', { administrators: f.administrators, origins: f.frameOrigins }),
    tr.t('removal.lost.registration'),
  ];
  return lines;
}

/** What happens to the credentials the platform issued. */
export function keptLines(f: RemovalFacts, tr: Translator): string[] {
  if (f.credentials === 0) return [tr.t('removal.kept.none')];
  return [
    tr.tn('removal.kept.credentials', f.credentials) + (f.revokedCredentials ? ` ${tr.tn('removal.kept.revoked', f.revokedCredentials)}` : ''),
    tr.t('removal.kept.what'),
    ...(f.unissuedAwards ? [tr.tn('removal.kept.unissued', f.unissuedAwards)] : []),
  ];
}

/** Both, as the command line prints them: the operator's language is the catalogue's first. */
export function summaryInEnglish(f: RemovalFacts): { lost: string[]; kept: string[] } {
  const en = translator('en');
  return { lost: lostLines(f, en), kept: keptLines(f, en) };
}

/** The counts the removal's own record keeps (store/platformRemoval.ts): numbers only, no title. */
export function removalCounts(f: RemovalFacts): { deleted: Record<string, number>; kept: Record<string, number> } {
  return {
    deleted: {
      courses: f.courseTitles.length, badges: f.badges, awards: f.awards, learners: f.learners, unissuedAwards: f.unissuedAwards,
      canvasGrants: f.canvasGrants, lmsConnection: f.lmsConnection ? 1 : 0, administrators: f.administrators, frameOrigins: f.frameOrigins,
    },
    kept: { credentials: f.credentials, revokedCredentials: f.revokedCredentials },
  };
}

/**
 * Whether what was typed names the platform: its issuer URL (a trailing slash aside) or its
 * name as registered, whole. Anything else removes nothing.
 */
export function confirmsRemoval(typed: string | undefined, f: Pick<RemovalFacts, 'issuer' | 'platformName'>): boolean {
  const t = (typed ?? '').trim();
  if (!t) return false;
  const bare = (s: string) => s.replace(/\/+$/, '');
  return bare(t) === bare(f.issuer) || (f.platformName.trim() !== '' && t === f.platformName.trim());
}
