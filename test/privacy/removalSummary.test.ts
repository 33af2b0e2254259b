/**
 * What removing a platform says before anything is deleted (privacy/removal/removalSummary.ts):
 * the courses by title (the first few, then how many more), the counts of what goes, what
 * happens to the credentials, in English and French; and the confirmation, which must name the
 * platform: its issuer URL or its name, nothing else.
 */
import { describe, expect, it } from 'vitest';
import { confirmsRemoval, courseList, keptLines, lostLines, removalCounts, TITLES_SHOWN, type RemovalFacts } from '../../src/privacy/removal/removalSummary.js';
import { translator } from '../../src/i18n/translate.js';

const facts: RemovalFacts = {
  issuer: 'https://canvas.school.edu', clientId: '10000000000042', platformName: 'Canvas school.edu',
  courseTitles: ['Biology 101', 'Chemistry 201', 'Physics 301', 'History 110', 'Art 120', 'Music 130', 'Latin 140'],
  badges: 12, awards: 340, learners: 180, credentials: 300, revokedCredentials: 4, unissuedAwards: 40,
  canvasGrants: 3, lmsConnection: 'canvas-rest', settings: true, administrators: 2, frameOrigins: 1,
};
const en = translator('en');
const fr = translator('fr');

describe('the summary of what will be lost', () => {
  it('names the first courses by title and counts the rest', () => {
    expect(courseList(facts.courseTitles, en)).toBe('“Biology 101”, “Chemistry 201”, “Physics 301”, “History 110”, “Art 120” and 2 more');
    expect(courseList(facts.courseTitles.slice(0, TITLES_SHOWN), en)).toBe('“Biology 101”, “Chemistry 201”, “Physics 301”, “History 110”, “Art 120”');
    expect(courseList(facts.courseTitles, fr)).toBe('“Biology 101”, “Chemistry 201”, “Physics 301”, “History 110”, “Art 120” et 2 autres');
    expect(courseList(['Only'], en)).toBe('“Only”');
  });

  it('counts courses, badges, awards and learners, grants, the LMS connection, the settings and the registration', () => {
    expect(lostLines(facts, en)).toEqual([
      '7 courses: “Biology 101”, “Chemistry 201”, “Physics 301”, “History 110”, “Art 120” and 2 more',
      '12 badges, with their rules, grade book columns and scores',
      '340 awards (180 learners), with their reasons, evidence and approvals; the courses\' figures, audit logs and jobs',
      '3 instructors\' Canvas grants',
      'The Canvas API connection (its developer key)',
      'The admin settings: the sync interval, 2 granted administrator(s), 1 site(s) added to show Laurel, the platform\'s audit log and messages',
      'Laurel\'s registration in this LMS (its key pair and tokens): the LMS can no longer launch Laurel until an administrator registers it anew',
    ]);
    const one = { ...facts, courseTitles: ['Solo'], badges: 1, awards: 1, learners: 1, canvasGrants: 1, lmsConnection: 'moodle-ws' as const };
    expect(lostLines(one, en).slice(0, 5)).toEqual([
      '1 course: “Solo”', '1 badge, with its rules, grade book column and scores', '1 award (1 learner), with its reasons, evidence and approvals; the courses\' figures, audit logs and jobs',
      '1 instructor\'s Canvas grant', 'The Moodle web services connection (its token)',
    ]);
    const none = { ...facts, courseTitles: [], lmsConnection: undefined };
    expect(lostLines(none, en)[0]).toBe('No course: Laurel was never launched from a course of this platform.');
    expect(lostLines(none, en)[4]).toBe('No LMS API connection');
  });

  it('says what happens to the credentials: how many stay verifiable, how many of them revoked, and the awards never issued', () => {
    expect(keptLines(facts, en)).toEqual([
      '300 credentials issued stay verifiable. The 4 revoked among them stay revoked.',
      expect.stringContaining('without any name, e-mail or LMS id: each credential as signed'),
      '40 awards never issued as a credential are deleted with the rest.',
    ]);
    expect(keptLines({ ...facts, unissuedAwards: 0 }, en)).toHaveLength(2);
    expect(keptLines({ ...facts, credentials: 1, revokedCredentials: 0 }, en)[0]).toBe('1 credential issued stays verifiable.');
    expect(keptLines({ ...facts, credentials: 0 }, en)).toEqual(['It issued no credential: nothing is kept.']);
    expect(keptLines(facts, fr)[0]).toBe('300 attestations émises restent vérifiables. Les 4 attestations révoquées parmi elles le restent.');
  });

  it('says every line in French too', () => {
    for (const line of [...lostLines(facts, fr), ...keptLines(facts, fr)]) expect(line).not.toMatch(/removal\.|\{\w+\}/);
    expect(lostLines(facts, fr)[0]).toBe('7 cours : “Biology 101”, “Chemistry 201”, “Physics 301”, “History 110”, “Art 120” et 2 autres');
  });

  it('records counts only, no title', () => {
    const counts = removalCounts(facts);
    expect(counts).toEqual({
      deleted: { courses: 7, badges: 12, awards: 340, learners: 180, unissuedAwards: 40, canvasGrants: 3, lmsConnection: 1, administrators: 2, frameOrigins: 1 },
      kept: { credentials: 300, revokedCredentials: 4 },
    });
    expect(JSON.stringify(counts)).not.toContain('Biology');
  });
});

describe('the confirmation names the platform', () => {
  it('accepts its issuer URL (a trailing slash aside, spaces trimmed) or its name, whole', () => {
    expect(confirmsRemoval('https://canvas.school.edu', facts)).toBe(true);
    expect(confirmsRemoval('  https://canvas.school.edu/ ', facts)).toBe(true);
    expect(confirmsRemoval('Canvas school.edu', facts)).toBe(true);
  });

  it('refuses anything else: nothing, another platform, a part of it, a different case', () => {
    for (const typed of [undefined, '', '   ', 'https://canvas.other.edu', 'canvas.school.edu', 'Canvas', 'HTTPS://CANVAS.SCHOOL.EDU', 'yes', 'delete']) {
      expect([typed, confirmsRemoval(typed, facts)]).toEqual([typed, false]);
    }
    // A platform registered without a name cannot be confirmed by typing nothing.
    expect(confirmsRemoval('', { issuer: facts.issuer, platformName: '' })).toBe(false);
  });
});
