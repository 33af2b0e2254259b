/**
 * Reasons, criteria and error pages in the page's language. rules/ writes English (what awards
 * keep and credentials sign) and the facts behind it; the web layer says the same again from
 * the facts, word for word in English, and in French.
 */
import { describe, expect, it } from 'vitest';
import type { BadgeDefinition, Reason, Rule } from '../../src/rules/index.js';
import { criteriaNarrative } from '../../src/rules/index.js';
import { translator } from '../../src/i18n/translate.js';
import { reasonText } from '../../src/web/shared/reasonText.js';
import { criteriaWords } from '../../src/web/shared/criteriaWords.js';
import { problemIn } from '../../src/web/shared/errorPage.js';
import { lineItemVisibilityHint } from '../../src/lms/visibility.js';
import { BadgeImageError, checkBadgeImage } from '../../src/credentials/badgeImageUpload.js';
import { LAB, QUIZ1, QUIZ2, adasVerdict, all, any, approval, average, badge, completed, dateWindow, lineItem, member, minPercent, minPoints, prerequisite, result, run, snapshot, verdictOf } from '../rules/fixtures.js';

const english = translator('en');
const within = (rule: Rule, withinDays: number): Rule => ({ ...rule, withinDays }) as Rule;
const french = translator('fr');
const nodes = (r: Reason): Reason[] => [r, ...(r.children ?? []).flatMap(nodes)];

/** One reason of every kind and case the rule engine writes. */
function everyReason(): Reason[] {
  const PARTICIPATION = lineItem('https://lms.example/lineitems/p', 'Participation', 0);
  const cases: Array<[Rule, ReturnType<typeof result>[]]> = [
    [all(minPercent(QUIZ1.id, 80), any(minPercent(QUIZ2.id, 80), completed(LAB.id))), [result(QUIZ1.id, 'ada', 9), result(QUIZ2.id, 'ada', 5)]],
    [minPercent(QUIZ2.id, 80), [result(QUIZ2.id, 'ada', 7.99)]],
    [minPercent(QUIZ2.id, 80), []],
    [minPoints(QUIZ2.id, 8), [result(QUIZ2.id, 'ada', 6.5)]],
    [minPercent('https://lms.example/lineitems/gone', 50), []],
    [{ kind: 'minGrade', lineItemId: QUIZ1.id }, [result(QUIZ1.id, 'ada', 3)]],
    [completed(LAB.id), [result(LAB.id, 'ada', 0)]],
    [completed('https://lms.example/lineitems/gone'), []],
    [average(25, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id, weight: 2 }), [result(QUIZ1.id, 'ada', 9)]],
    [average(50, { lineItemId: QUIZ1.id }, { lineItemId: 'quiz-gone' }), [result(QUIZ1.id, 'ada', 9)]],
    [average(50), []],
    [dateWindow('2026-09-01', '2026-12-20'), []],
    [dateWindow('2027-01-01'), []],
    [dateWindow(undefined, '2026-01-01'), []],
    [dateWindow('not a date'), []],
    [approval(), []],
    [all(), []],
    // Rules bounded in time (today is 2026-11-23): graded recently enough, too long ago, or on no date the LMS gave.
    [within(minPercent(QUIZ1.id, 50), 90), [{ ...result(QUIZ1.id, 'ada', 9), gradedAt: '2026-10-01T12:00:00Z' }]],
    [within(minPoints(QUIZ1.id, 5), 1), [{ ...result(QUIZ1.id, 'ada', 9), gradedAt: '2026-11-23T08:00:00Z' }]],
    [within(minPercent(QUIZ1.id, 50), 90), [{ ...result(QUIZ1.id, 'ada', 8.506), gradedAt: '2025-01-10T00:00:00Z' }]],
    [within(completed(LAB.id), 1), [{ ...result(LAB.id, 'ada', 1), gradedAt: '2026-11-20T00:00:00Z' }]],
    [within(completed(LAB.id), 30), [result(LAB.id, 'ada', 1)]],
    [within(completed(LAB.id), 1), [result(LAB.id, 'ada', 1)]],
  ];
  const reasons = cases.flatMap(([rules, results]) => nodes(adasVerdict(rules, results).reason));
  const noMaximum = run([badge('p', minPercent(PARTICIPATION.id, 50)), badge('q', minPoints(PARTICIPATION.id, 5))],
    snapshot({ members: [member('ada')], lineItems: [PARTICIPATION], results: [result(PARTICIPATION.id, 'ada', 5)] }));
  const level1 = badge('l1', completed(QUIZ1.id), { name: 'Level 1' });
  // Ada earns level 1 in this run, Bob holds it, Cy has not got it, Dan awaits an instructor's approval of level 1a.
  const stacked = run([level1, badge('l1a', completed(QUIZ1.id), { name: 'Level 1a', issueMode: 'approval' }), badge('l2', all(prerequisite('l1'), prerequisite('l1a'), prerequisite('gone')), { name: 'Level 2' })],
    snapshot({ members: [member('ada'), member('bob'), member('cy'), member('dan')], lineItems: [QUIZ1], results: [result(QUIZ1.id, 'ada', 5), result(QUIZ1.id, 'dan', 5)] }), { held: [{ badgeId: 'l1', userId: 'bob' }] });
  // A Canvas module completed and one not; items of LMS APIs not read, in every state.
  const safety = { id: 'canvas:module:101', label: 'Week 1', source: 'canvas-rest' as const };
  const completions = run([badge('c', all(completed(safety.id), completed('canvas:module:102')))],
    snapshot({ members: [member('ada')], activities: [safety, { ...safety, id: 'canvas:module:102', label: 'Week 2' }], completions: [{ activityId: safety.id, userId: 'ada', completed: true, source: 'canvas-rest' }], sources: [{ source: 'canvas-rest', state: 'read' }] }));
  const states = (['not connected', 'not authorized', 'needs reconnect', 'failed'] as const).flatMap((state) => (['canvas-rest', 'moodle-ws'] as const).map((source) =>
    adasVerdict(all(minPercent(source === 'canvas-rest' ? 'canvas:assignment:42' : 'moodle:cm:42', 50), average(50, { lineItemId: QUIZ1.id }, { lineItemId: 'moodle:cm:7' })), [result(QUIZ1.id, 'ada', 9)], { sources: [{ source, state }] })));
  return [...reasons, ...noMaximum.map((v) => v.reason), ...stacked.flatMap((v) => nodes(v.reason)), ...completions.flatMap((v) => nodes(v.reason)), ...states.flatMap((v) => nodes(v.reason))];
}

describe('a reason in the page\'s language', () => {
  it('says in English exactly what the rule engine wrote, for every kind of reason', () => {
    const reasons = everyReason();
    const sentences: Array<NonNullable<Reason['sentence']>> = ['gone', 'ungraded', 'no threshold', 'no maximum', 'percent', 'points', 'graded', 'held', 'earned in this run',
      'awaiting approval', 'not held', 'nothing to average', 'average', 'before', 'after', 'inside', 'unreadable', 'completed', 'not completed', 'unavailable'];
    expect(new Set(reasons.map((r) => r.sentence ?? r.kind))).toEqual(new Set([...sentences, 'all', 'any', 'approval']));
    for (const r of reasons) expect(reasonText(r, english)).toBe(r.text);
  });

  it('says it in French from the same facts, numbers written the French way', () => {
    const v = adasVerdict(minPercent(QUIZ1.id, 60), [result(QUIZ1.id, 'ada', 7.2)]);
    expect(reasonText(v.reason, french)).toBe('Quiz 1 : 72 % sur les 60 % requis');
    expect(reasonText(adasVerdict(minPercent(QUIZ2.id, 80), [result(QUIZ2.id, 'ada', 7.99)]).reason, french)).toBe('Quiz 2 : 79,9 % sur les 80 % requis');
    expect(reasonText(adasVerdict(minPoints(QUIZ2.id, 8), [result(QUIZ2.id, 'ada', 6.5)]).reason, french)).toBe('Quiz 2 : 8 points sur 10 requis, 6,5 obtenus');
    expect(reasonText(adasVerdict(completed(LAB.id), []).reason, french)).toBe('Lab: Safety : pas encore noté');
    expect(reasonText(adasVerdict(all(approval(), completed(LAB.id)), [result(LAB.id, 'ada', 1)]).reason, french)).toBe('Toutes requises : 1 sur 2 remplies');
    expect(reasonText(adasVerdict(dateWindow('2027-01-01'), []).reason, french)).toBe('Ouvert à partir du 2027-01-01 : aujourd\'hui, 2026-11-23, c\'est avant l\'ouverture');
    const refresher = (gradedAt?: string) => adasVerdict(within(minPercent(QUIZ1.id, 60), 90), [{ ...result(QUIZ1.id, 'ada', 7.2), ...(gradedAt ? { gradedAt } : {}) }]).reason;
    expect(reasonText(refresher('2026-10-01T12:00:00Z'), french)).toBe('Quiz 1 : 72 % sur les 60 % requis, le 2026-10-01, dans les 90 derniers jours');
    expect(refresher('2026-10-01T12:00:00Z').met).toBe(true);
    expect(reasonText(refresher('2025-01-10T00:00:00Z'), french)).toBe('Quiz 1 : 72 % sur les 60 % requis, le 2025-01-10, il y a plus de 90 jours');
    expect(refresher('2025-01-10T00:00:00Z').met).toBe(false);
    expect(reasonText(refresher(), french)).toBe('Quiz 1 : 72 % sur les 60 % requis, mais le LMS ne dit pas quand (il le faut dans les 90 derniers jours)');
    expect(refresher().met).toBe(false);
    expect(reasonText(adasVerdict(minPercent('moodle:cm:42', 50), []).reason, french)).toBe('Moodle activity 42 : lu par le service web Moodle — aucune connexion n\'est configurée ; un administrateur la configure sur la page d\'administration de Laurel');
  });

  it('has French for every kind of reason', () => {
    for (const r of everyReason()) {
      const said = reasonText(r, french);
      expect(said, r.text).not.toBe(r.text);
      expect(said).not.toMatch(/\{\w+\}/);
    }
  });

  it('shows a reason stored before its facts existed as its English text', () => {
    const stored: Reason = { kind: 'minGrade', met: true, seen: 90, threshold: 80, text: 'Quiz 1: 90 % of the 80 % needed' };
    expect(reasonText(stored, french)).toBe('Quiz 1: 90 % of the 80 % needed');
  });
});

describe('the criteria in words', () => {
  const level1 = badge('l1', completed(QUIZ1.id), { name: 'Level 1' });
  const badges: Array<[Rule, Partial<BadgeDefinition>]> = [
    [all(minPercent(QUIZ2.id, 80), completed(LAB.id)), {}],
    [all(prerequisite('l1'), any(minPercent(QUIZ2.id, 80), all(minPoints(QUIZ1.id, 7), completed(LAB.id))), dateWindow('2026-09-01', '2026-12-20')), {}],
    [any(completed(QUIZ1.id), completed(QUIZ2.id), completed(LAB.id)), {}],
    [all(average(75, { lineItemId: QUIZ1.id }, { lineItemId: QUIZ2.id, weight: 2.5 }), approval()), {}],
    [minPercent(QUIZ1.id, 50), { issueMode: 'approval' }],
    [all(), {}],
    [all({ kind: 'minGrade', lineItemId: QUIZ1.id, percent: 80, withinDays: 90 }, { kind: 'completed', lineItemId: LAB.id, withinDays: 1 }), {}],
  ];
  const narrative = (rules: Rule, extra: Partial<BadgeDefinition>, language?: ReturnType<typeof criteriaWords>) =>
    criteriaNarrative(badge('b', rules, extra), [QUIZ1, QUIZ2, LAB], new Map([[level1.id, level1]]), language);

  it('reads the same in an English page as in the credential', () => {
    for (const [rules, extra] of badges) expect(narrative(rules, extra, criteriaWords(english))).toBe(narrative(rules, extra));
  });

  it('reads as French in a French page', () => {
    expect(narrative(...badges[0]!, criteriaWords(french))).toBe('Obtenir au moins 80 % à Quiz 2 et terminer Lab: Safety.');
    expect(narrative(...badges[3]!, criteriaWords(french))).toBe('Obtenir une moyenne d\'au moins 75 % sur Quiz 1 et Quiz 2 (coefficient 2,5) et obtenir l\'approbation d\'un enseignant.');
    expect(narrative(...badges[4]!, criteriaWords(french))).toBe('Obtenir au moins 50 % à Quiz 1. Un enseignant examine chaque attribution avant sa délivrance.');
    expect(narrative(...badges[6]!, criteriaWords(french))).toBe('Obtenir au moins 80 % à Quiz 1 dans les 90 derniers jours et terminer Lab: Safety dans la dernière journée.');
    expect(narrative(...badges[6]!)).toBe('Earn at least 80 % on Quiz 1 within the last 90 days and complete Lab: Safety within the last day.');
  });
});

describe('problems and messages made deep in the code', () => {
  const problem = { status: 404, reason: 'not_found', title: 'Page not found', detail: 'Nothing lives at /x.', params: { path: '/x' } };

  it('are said in the page\'s language by their reason code, with their values', () => {
    expect(problemIn(problem, french)).toMatchObject({ title: 'Page introuvable', detail: 'Il n\'y a rien à l\'adresse /x.' });
    expect(problemIn(problem, english)).toMatchObject({ title: 'Page not found', detail: 'Nothing lives at /x.' });
  });

  it('use the catalogue entry a problem names when one reason code has several texts', () => {
    const launch = { status: 401, reason: 'unknown_platform', key: 'launch_rejected', title: 'Laurel could not accept this launch', detail: 'The launch was refused: no such platform.', params: { detail: 'no such platform' } };
    expect(problemIn(launch, french).title).toBe('Laurel n\'a pas pu accepter ce lancement');
  });

  it('keep the English given for what the catalogue does not know', () => {
    const unknown = { status: 400, reason: 'something_new', title: 'Something new', detail: 'Details.', todo: 'Do this.' };
    expect(problemIn(unknown, french)).toMatchObject({ title: 'Something new', detail: 'Details.', todo: 'Do this.' });
  });

  it('the grade columns\' hint, in English for the API and in French for a French page', () => {
    expect(lineItemVisibilityHint('canvas', 0, true)).toMatch(/^No grade columns are visible to Laurel yet\. Canvas shows Laurel only/);
    expect(lineItemVisibilityHint('moodle', 2, true, french.t)).toMatch(/^Moodle ne montre à Laurel que les colonnes de notes/);
  });

  it('a refused image, in English as its message and in French for a French page', async () => {
    const err = await checkBadgeImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'image/jpeg').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadgeImageError);
    expect((err as BadgeImageError).message).toBe('This file is a JPEG image; badge images must be PNG or SVG. Export it again as PNG or SVG from your drawing program.');
    expect((err as BadgeImageError).in(french)).toBe('Ce fichier est une image JPEG ; les images de badge doivent être en PNG ou en SVG. Exportez-le de nouveau en PNG ou en SVG depuis votre logiciel de dessin.');
  });
});
