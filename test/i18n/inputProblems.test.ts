/**
 * The problems of what a person typed (a badge's shape and rules, the issuer profile, the sync
 * interval, the retention days, the LMS API connection): each has a code the catalogues know, the English catalogue says exactly what the
 * code says (the JSON API keeps the code's English), and a French page says it in French.
 */
import { describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { translator } from '../../src/i18n/translate.js';
import type { InputProblem } from '../../src/inputProblem.js';
import { validateBadges } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/badge.js';
import { badgeFromJson, BadgeInputError } from '../../src/web/shared/badgeInput.js';
import { checkIssuerProfile } from '../../src/store/issuerProfile.js';
import { parseRetentionDays, parseSyncInterval } from '../../src/store/platformSettings.js';
import { checkFrameOrigin, tooManyFrameOrigins } from '../../src/store/frameOrigins.js';
import { checkCanvasForm, checkMoodleForm } from '../../src/lms/sources/connectLms.js';
import { moodleProblems } from '../../src/lms/sources/moodleConnectionProblems.js';
import { moodleWsError } from '../../src/lms/moodleWs/moodleWsApi.js';
import { LmsError } from '../../src/lms/errors.js';
import { moduleItemsUnread } from '../../src/lms/canvasRest/readCanvasCourse.js';
import { inputProblemText, inputProblemsIn } from '../../src/web/shared/inputProblemText.js';
import { QUIZ1, all, any, average, badge, completed, dateWindow, minPercent, minPoints, prerequisite } from '../rules/fixtures.js';

function shapeProblems(body: unknown): InputProblem[] {
  try {
    badgeFromJson(body, 'b');
  } catch (err) {
    if (err instanceof BadgeInputError) return err.problems;
    throw err;
  }
  return [];
}

/** A Moodle refusal of a function, as Moodle words one (in English). */
const ws = (wsfunction: string, errorcode: string) => moodleWsError(wsfunction, errorcode, { exception: 'x', errorcode, message: errorcode === 'nopermissions' ? 'Sorry, but you do not currently have permissions to do that (View user report).' : 'Moodle words' }, 'https://moodle.example.edu/webservice/rest/server.php', 200);

const nested = (depth: number): Rule => (depth === 0 ? { kind: 'approval' } : { kind: 'all', rules: [nested(depth - 1)] });

/** At least one problem of every kind Laurel reports. */
function everyProblem(): InputProblem[] {
  const wrong = all(completed('Quiz 9'), completed(''), completed('canvas:assignment:42'), minPercent(QUIZ1.id, 101), minPercent(QUIZ1.id, Number.NaN), any(),
    { kind: 'minGrade', lineItemId: QUIZ1.id, percent: 50, points: 5 }, { kind: 'minGrade', lineItemId: QUIZ1.id },
    minPoints(QUIZ1.id, -2.5), minPoints(QUIZ1.id, Number.NaN), minPoints(QUIZ1.id, 12.5), prerequisite('a'), prerequisite('nope'), prerequisite(''),
    average(50), average(50, { lineItemId: QUIZ1.id, weight: 0 }), dateWindow('next monday'), dateWindow('2026-12-20', '2026-09-01'),
    { kind: 'minGrade', lineItemId: QUIZ1.id, percent: 50, withinDays: 0.5 }, { kind: 'completed', lineItemId: QUIZ1.id, withinDays: Number.NaN });
  const rules = validateBadges([
    badge('a', wrong, { name: ' ' }),
    // Renewals: of a badge that never expires, with a window as long as a month, of no days, of no number, waiting for an approval.
    badge('r1', completed(QUIZ1.id), { name: 'Never expires', renewal: { windowDays: 60 } }),
    badge('r2', completed(QUIZ1.id), { name: 'Monthly', validFor: 'P1M', renewal: { windowDays: 30, rules: all(completed(QUIZ1.id), { kind: 'approval' }) } }),
    badge('r3', completed(QUIZ1.id), { name: 'Yearly', validFor: 'P1Y', renewal: { windowDays: 0 } }),
    badge('r4', completed(QUIZ1.id), { name: 'Yearly too', validFor: 'P1Y', renewal: { windowDays: Number.NaN } }),
    badge('l1', all(completed(QUIZ1.id), prerequisite('l2')), { name: 'Level 1' }),
    badge('l2', prerequisite('l1'), { name: 'Level 2' }),
  ], [QUIZ1]);
  const shapes = [
    ...shapeProblems('a badge'),
    ...shapeProblems({ name: 5, description: 1, level: true, tags: 'x', alignments: 'x', evidenceRequired: 'yes', rules: nested(10) }),
    ...shapeProblems({ name: 'x'.repeat(121), rules: { kind: 'approval' } }),
    ...shapeProblems({ name: 'Renewed', validFor: 'P1Y', renewal: 'yearly', rules: { kind: 'approval' } }),
    ...shapeProblems({ name: 'Renewed', validFor: 'P1Y', renewal: { windowDays: '60' }, rules: { kind: 'completed', lineItemId: 'q', withinDays: 'lately' } }),
    ...shapeProblems({
      name: '', issueMode: 'sometimes', level: 30, validFor: 'forever',
      alignments: [{ targetName: '', targetUrl: '' }, { targetName: 'Skill', targetUrl: 'nope' }, ...Array.from({ length: 9 }, () => ({ targetName: 'S', targetUrl: 'https://s.example' }))],
      rules: { kind: 'all', rules: [5, { kind: 'nope' }, { kind: 'any', rules: 'x' }, { kind: 'minGrade', percent: 'x' }, { kind: 'average' }] },
    }),
  ];
  const issuer = [...checkIssuerProfile({}), ...checkIssuerProfile({ name: 'x'.repeat(201), url: 'https://u.example', email: 'nope', imageUrl: 'ftp://x', description: 'x'.repeat(2001), linkedInOrganizationId: 'acme' })];
  const moodle = 'https://moodle.example.edu';
  const lms = [
    ...checkCanvasForm({ baseUrl: '', apiClientId: 'abc', apiClientSecret: ' ' }).problems,
    ...checkMoodleForm({ baseUrl: `${moodle}/?lang=fr`, token: 'a b' }).problems,
    ...checkMoodleForm({ baseUrl: moodle, token: 't', courseId: 'twelve' }).problems,
    moduleItemsUnread(['Week 1', 'Week 2']),
    moodleProblems.functions(['core_course_get_contents']),
    moodleProblems.noCourse(),
    moodleProblems.notConnected(),
    moodleProblems.keepsWorking(),
    moodleProblems.serviceRefused(moodle),
    moodleProblems.refusal(moodle, '12', new LmsError('reconnect', 'refused')),
    moodleProblems.refusal(moodle, '12', new LmsError('unavailable', 'Laurel could not reach the LMS.')),
    ...['webservicesoff', 'dml_missing_record_exception'].map((code) => moodleProblems.refusal(moodle, '12', ws('core_course_get_contents', code))),
    ...moodleProblems.check({
      courseId: '12', serviceRefused: false, missingFunctions: [], unchecked: ['completion', 'activities'],
      missingCapabilities: [
        { capability: 'report/progress:view', how: { kind: 'refused', wsfunction: 'core_completion_get_activities_completion_status' } },
        { capability: 'moodle/user:viewdetails', how: { kind: 'learnersLeftOut', count: 3 } },
        { capability: 'mod/lti:view', how: { kind: 'typeHidden', type: 'lti' } },
        { capability: 'mod/<type>:view of activity 7', how: { kind: 'activityHidden', cmid: '7', badge: 'Safety Star' } },
      ],
    }),
    // What Moodle refuses while reading a course, as teachers and the admin page say it.
    ...['invalidtoken', 'webservicesoff', 'accessexception', 'invalidrecord', 'nopermissions', 'somethingnew'].map((code) => ws('gradereport_user_get_grade_items', code).problem),
  ];
  const frameOrigins = [
    ...['school.example.edu', 'http://lms.school.edu', 'https://*.school.edu', 'https://lms.school.edu/courses'].map((v) => checkFrameOrigin(v).problem!),
    tooManyFrameOrigins(),
  ];
  return [...rules, ...shapes, ...issuer, parseSyncInterval('soon').problem!, parseRetentionDays('a year').problem!, ...lms, ...frameOrigins];
}

const english = translator('en');
const french = translator('fr');

describe('problems of what a person typed', () => {
  const problems = everyProblem();

  it('each kind has a code the catalogue knows, and the catalogue has no code nothing reports', () => {
    const codes = [...new Set(problems.map((p) => p.code))].sort();
    const keys = Object.keys(en).filter((k) => k.startsWith('fix.')).map((k) => k.slice('fix.'.length)).sort();
    expect(codes).toEqual(keys);
  });

  it('the English catalogue says each exactly as the code does', () => {
    const differ = problems.filter((p) => english.t(`fix.${p.code}` as keyof typeof en, p.params) !== p.message);
    expect(differ).toEqual([]);
    expect(inputProblemsIn(problems, english)).toEqual(problems.map((p) => p.message));
  });

  it('a French page says them in French, numbers as French writes them', () => {
    const said = inputProblemsIn(problems, french);
    expect(said).toEqual(expect.arrayContaining([
      '101 % n\'est pas compris entre 0 et 100 : donnez un nombre de 0 à 100',
      '-2,5 points, c\'est moins que 0 : donnez 0 point ou plus',
      '12,5 points, c\'est plus que les 10 sur lesquels Quiz 1 est noté : donnez au plus 10 points, ou un pourcentage',
      'Le groupe « any » ne contient aucune règle : ajoutez-y une règle, ou supprimez le groupe',
      'Ces badges s\'exigent les uns les autres, si bien qu\'aucun ne peut être obtenu : Level 1 → Level 2 → Level 1. Supprimez l\'un de ces prérequis',
      'Le nom est obligatoire',
      'Une période de renouvellement de 30 jours n\'est pas plus courte que la validité du badge (P1M, 28 jours au plus court) : donnez moins de jours, sinon un badge renouvelé serait aussitôt renouvelable',
      'Dans les 0,5 derniers jours, ce n\'est pas possible : donnez un nombre entier de jours de 1 à 3650',
      'alignments[1] : le lien vers « Skill » doit être une URL http(s) absolue',
      'adresse de contact : « nope » n\'est pas une adresse électronique',
      'site : « https://lms.school.edu/courses » n\'est pas l\'origine d\'un site : donnez seulement le schéma et l\'hôte, par exemple https://lms.school.edu, sans chemin',
      'intervalle de synchronisation : « soon » n\'est pas un nombre entier de minutes de 0 à 10080 (0 désactive la synchronisation en arrière-plan ; laissez vide pour le réglage par défaut du serveur)',
      'jeton : le service Moodle de ce jeton n\'autorise pas toutes les fonctions qu\'appelle Laurel ; ajoutez-lui celles-ci (Administration du site → Serveur → Services web → Services externes → Fonctions), puis enregistrez de nouveau : core_course_get_contents',
    ]));
    const stillEnglish = said.filter((text, i) => text === problems[i]!.message);
    expect(stillEnglish).toEqual([]);
  });

  it('a code the catalogue does not know is shown in its English', () => {
    expect(inputProblemText({ code: 'rule.fromTheFuture', params: {}, message: 'Something new' }, french)).toBe('Something new');
  });
});
