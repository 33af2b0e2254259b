/**
 * A course launched in French: Canvas sends launch_presentation.locale "fr-CA", and every page
 * of the launch speaks French (the dashboard, the editor, the preview with its reasons, a job's
 * progress, the learners, the audit log, the learner's own page, the admin page, an error page).
 * Public pages go by the browser's Accept-Language. A launch without a locale stays English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { decodeEntities } from '../support/html.js';

let laurel: RunningLaurel;
let c: Connected;
let french: string;
let english: string;
let learnerFrench: string;
let adminFrench: string;
let learnerName: string;

async function launchAs(userId: string, locale?: string): Promise<string> {
  const res = await finishLaunch(await startLaunch(c, { userId, locale }));
  return new URL(res.headers.location, laurel.url).searchParams.get('ltik')!;
}

beforeAll(async () => {
  laurel = await startLaurel({ SYNC_INTERVAL_MINUTES: '0' });
  c = await connectEmulator(laurel, 'canvas');
  const { course } = c.emulator;
  const instructor = course.users.find((u) => u.role === 'Instructor')!;
  const learner = course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
  learnerName = learner.name;
  // The learner has 72 % on Quiz 1.
  const quiz1 = course.activities.find((a) => a.label === 'Quiz 1')!;
  course.results = course.results.filter((r) => !(r.userId === learner.id && r.lineItemId === quiz1.id));
  course.results.push({ userId: learner.id, lineItemId: quiz1.id, score: 7.2, scoreMaximum: 10, timestamp: new Date().toISOString() });

  french = await launchAs(instructor.id, 'fr-CA');
  english = await launchAs(instructor.id);
  learnerFrench = await launchAs(learner.id, 'fr-CA');
  instructor.siteAdmin = true;
  try { adminFrench = await launchAs(instructor.id, 'fr-CA'); } finally { instructor.siteAdmin = false; }
});
afterAll(async () => {
  await c?.emulator.close();
  await laurel?.close();
});

const withLtik = (path: string, ltik: string) => (path.includes('ltik=') ? path : `${path}${path.includes('?') ? '&' : '?'}ltik=${encodeURIComponent(ltik)}`);
const page = (path: string, ltik = french) => request(laurel.url).get(withLtik(path, ltik)).set('Accept', 'text/html');
const post = (path: string, form: Record<string, string | string[]>, ltik = french) => request(laurel.url).post(path).type('form').set('Accept', 'text/html').send({ ltik, ...form });
/** A page's text with entities decoded ("d'audit", not "d&#39;audit"). */
const text = (res: request.Response) => decodeEntities(res.text);

function inFrench(html: string, said: string[], notSaid: string[]): void {
  expect(html).toContain('<html lang="fr">');
  for (const phrase of said) expect(html).toContain(phrase);
  for (const phrase of notSaid) expect(html, `"${phrase}" is still in English`).not.toContain(phrase);
}

async function untilDone(location: string): Promise<string> {
  let html = text(await page(location));
  for (const deadline = Date.now() + 45_000; Date.now() < deadline && /Statut : <strong>(en file d'attente|en cours)/.test(html);) {
    await new Promise((r) => setTimeout(r, 100));
    html = text(await page(location));
  }
  return html;
}

describe('an instructor\'s launch in French', () => {
  let quiz1: string;
  let badgeId: string;

  it('the editor', async () => {
    const html = text(await page('/course/badges/new'));
    inFrench(html, ['Nouveau badge', 'Obtenu quand', 'toutes ces conditions', 'Colonne de notes', '>Quiz 1 (sur 10)</option>', 'Enregistrer le badge', 'Délivrance'],
      ['New badge', 'Earned when', 'Grade column', '(out of 10)', 'Save badge', 'Preview who qualifies', 'Aligned to skills', 'shows Laurel only']);
    quiz1 = html.match(/<option value="([^"]+)"[^>]*>Quiz 1 \(sur 10\)/)![1]!;
    const refused = text(await post('/course/badges', { name: '', combinator: 'all', kind_0: 'minGrade', item_0: quiz1, value_0: '60', unit_0: 'percent' }));
    inFrench(refused, ['À corriger'], ['Please fix']);
  });

  it('what to fix in a badge, in French: its shape, then its rules', async () => {
    const unshaped = await post('/course/badges', { name: '', combinator: 'all', kind_0: 'minGrade', item_0: quiz1, value_0: '60', unit_0: 'percent', alignName_0: 'Pensée critique', alignUrl_0: 'pas une adresse' });
    expect(unshaped.status).toBe(400);
    inFrench(text(unshaped), ['À corriger', 'Le nom est obligatoire', 'alignments[0] : le lien vers « Pensée critique » doit être une URL http(s) absolue'],
      ['name is required', 'must be an absolute http(s) URL']);
    // The shape is checked first: with a name, the rules are checked too.
    const unruly = await post('/course/badges', { name: 'Trop exigeant', combinator: 'all', kind_0: 'minGrade', item_0: quiz1, value_0: '150', unit_0: 'percent', kind_1: 'completed', item_1: 'Quiz 9' });
    expect(unruly.status).toBe(400);
    inFrench(text(unruly), ['150 % n\'est pas compris entre 0 et 100 : donnez un nombre de 0 à 100', 'Quiz 9 n\'est pas une colonne de notes de ce cours : choisissez-en une dans la liste'],
      ['is outside 0–100', 'give a number', 'is not a line item', 'pick one from the list']);
  });

  it('the dashboard, with the criteria in French words', async () => {
    const created = await post('/course/badges', { name: 'Quiz 1 à 60 %', combinator: 'all', kind_0: 'minGrade', item_0: quiz1, value_0: '60', unit_0: 'percent', issueMode: 'automatic' });
    expect(created.status, created.text.slice(0, 1000)).toBe(303);
    const html = text(await page('/course'));
    inFrench(html, ['Connecté en tant que', '(Enseignant)', 'Badges de ce cours', 'Obtenir au moins 60 % à Quiz 1.', '0 l\'a obtenu', '0 vu par l\'apprenant',
      'Évaluer maintenant et attribuer', 'Colonnes de notes visibles par Laurel', 'ne montre à Laurel que les colonnes de notes'],
    ['Signed in as', 'Badges in this course', 'Earn at least', '0 earned', 'viewed by the learner', 'Evaluate now and award', 'Grade columns Laurel can see', 'shows Laurel only', 'Audit log']);
    badgeId = html.match(/\/course\/badges\/([^/?"]+)\/image\?/)![1]!;
  });

  it('the preview, with reasons in French', async () => {
    const html = text(await page('/course/preview'));
    inFrench(html, ['Qui remplit les conditions, et pourquoi', 'Quiz 1 : 72 % sur les 60 % requis', 'remplit les conditions'],
      ['Who qualifies, and why', '% of the 60 % needed', 'not graded yet', 'qualifies', 'not yet']);
  });

  it('a job\'s progress, and its result', async () => {
    const started = await post('/course/evaluate', {});
    expect(started.status).toBe(303);
    const html = await untilDone(started.headers.location);
    inFrench(html, ['Évaluation du cours', 'Statut : <strong>terminé</strong></p>', 'attribué', 'requêtes au LMS'],
      ['Evaluating the course', 'Status:', 'badges awarded', 'requests to the LMS']);
  });

  it('the learners, one learner\'s standing, and a bulk award\'s confirmation', async () => {
    const list = text(await page('/course/learners'));
    inFrench(list, ['Apprenants', 'Attribuer un badge manuellement', 'Badges obtenus', 'Statut dans le cours', 'actif'],
      ['Award a badge by hand', 'Badges held', 'Status in the course', 'none yet', 'The roster lists']);
    const userId = decodeEntities(list.match(/\/course\/learners\/([^?"]+)\?/)![1]!);
    const detail = text(await page(`/course/learners/${userId}`));
    inFrench(detail, ['Où en est cet apprenant', '← Apprenants'], ['Where this learner stands', '← Learners', 'holds it', 'not yet']);
    const learners = c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active').slice(1, 3).map((u) => u.id);
    const confirm = text(await post('/course/bulk/award/confirm', { badgeId, userId: learners }));
    inFrench(confirm, ['Attribuer « Quiz 1 à 60 % » à 2 apprenants ?', 'Cela concerne <strong>', 'Attribuer le badge', 'Annuler'],
      ['This affects', 'to 2 learners?', 'already hold', 'Award the badge', 'Cancel']);
    expect(confirm).toMatch(/Cela concerne <strong>\d+ apprenants?<\/strong>( ; \d+ le possèden?t déjà et resteront? tels? quels?)?\. Chacun reçoit/);
  });

  it('the audit log', async () => {
    const html = text(await page('/course/audit'));
    inFrench(html, ['Journal d\'audit', 'Exporter le journal d\'audit (CSV)', 'Badge créé', 'Cours évalué', 'Quand'],
      ['Audit log', 'Who awarded', 'Badge created', 'Course evaluated', 'When (UTC)']);
  });

  it('an error page', async () => {
    const res = await page('/course/learners/nobody-here');
    expect(res.status).toBe(404);
    inFrench(text(res), ['Cet apprenant n\'est pas dans ce cours', 'Motif : <code>learner_not_found</code>'], ['No such learner', 'Reason:']);
    const job = await page('/course/jobs/not-a-job');
    inFrench(text(job), ['Cette évaluation n\'existe pas dans ce cours'], ['No such evaluation']);
  });
});

describe('a learner\'s launch in French', () => {
  it('the learner\'s page, with the reason an award was made in French', async () => {
    const html = text(await page('/me', learnerFrench));
    inFrench(html, ['Mes badges dans', 'Connecté en tant que', 'Obtenus', 'Quiz 1 : 72 % sur les 60 % requis', 'Attribué le'],
      ['My badges in', 'Signed in as', '>Earned<', 'of the 60 % needed', 'Awarded ', 'Progress toward the others']);
  });
});

describe('an administrator\'s launch in French', () => {
  it('the admin page', async () => {
    const html = text(await page('/admin', adminFrench));
    inFrench(html, ['Cette plateforme dans Laurel', 'Enregistrement', 'Identifiant client', 'Synchronisation en arrière-plan', 'Clés de signature', 'clé de signature actuelle', 'Jamais renouvelées.'],
      ['This platform in Laurel', 'Client id', 'Background sync', 'Signing keys', 'current signing key', 'Never rotated.', 'Issuer profile']);
  });

  it('what to fix in the issuer profile and the sync interval, in French', async () => {
    const issuer = await post(withLtik('/admin/issuer', adminFrench), { name: '', url: 'pas une adresse', email: 'nope' }, adminFrench);
    expect(issuer.status).toBe(400);
    inFrench(text(issuer), ['À corriger', 'nom : donnez le nom de l\'établissement', 'site web : donnez le site web de l\'établissement sous forme d\'URL absolue https://',
      'adresse de contact : « nope » n\'est pas une adresse électronique', 'Rien n\'a été modifié.'], ['Please fix', 'name: give', 'url: give', 'is not an email address']);
    const sync = await post(withLtik('/admin/sync-interval', adminFrench), { syncIntervalMinutes: 'souvent' }, adminFrench);
    expect(sync.status).toBe(400);
    inFrench(text(sync), ['intervalle de synchronisation : « souvent » n\'est pas un nombre entier de minutes de 0 à 10080 (0 désactive la synchronisation en arrière-plan'],
      ['sync interval:', 'is not a whole number']);
  });
});

describe('public pages by the browser\'s language', () => {
  it('the verification page in French with Accept-Language: fr, in English by default', async () => {
    const awards = (await request(laurel.url).get('/api/course/awards').set('Authorization', `Bearer ${french}`)).body.awards as { links?: { page: string } }[];
    const link = awards.find((a) => a.links)!.links!.page;
    const path = new URL(link).pathname;
    const inFrenchPage = text(await request(laurel.url).get(path).set('Accept-Language', 'fr-CA,fr;q=0.9,en;q=0.5'));
    inFrench(inFrenchPage, ['Délivré par', '✔ Valide', 'Attribué le', 'Vérifiez par vous-même'], ['Issued by', 'Valid:', 'Check it yourself', 'No expiry']);
    const inEnglish = text(await request(laurel.url).get(path));
    expect(inEnglish).toContain('<html lang="en">');
    for (const phrase of ['Issued by', '✔ Valid:', 'Check it yourself']) expect(inEnglish).toContain(phrase);
  });

  it('an error page outside a launch in French with Accept-Language: fr; JSON stays English', async () => {
    const res = await request(laurel.url).get('/verify/no-such-badge').set('Accept', 'text/html').set('Accept-Language', 'fr');
    expect(res.status).toBe(404);
    inFrench(text(res), ['Ce badge n\'existe pas', 'Vérifiez qu\'il a été copié en entier.', 'Motif : <code>unknown_credential</code>'], ['No such badge', 'copied whole', 'Reason:']);
    const json = await request(laurel.url).get('/verify/no-such-badge').set('Accept', 'application/json').set('Accept-Language', 'fr');
    expect(json.body).toMatchObject({ error: 'unknown_credential', title: 'No such badge' });
  });
});

describe('a launch without a locale', () => {
  it('stays in English', async () => {
    const html = text(await page('/course', english));
    expect(html).toContain('<html lang="en">');
    for (const phrase of ['Signed in as', 'Badges in this course', 'Earn at least 60 % on Quiz 1.', 'Grade columns Laurel can see', 'viewed by the learner']) expect(html).toContain(phrase);
    expect(html).not.toContain('Connecté');
    expect(text(await page('/course/preview', english))).toContain('Quiz 1: 72 % of the 60 % needed');
  });

  it('says what to fix in English', async () => {
    const unshaped = text(await post('/course/badges', { name: '', combinator: 'all', alignName_0: 'Critical thinking', alignUrl_0: 'not a link' }, english));
    for (const phrase of ['Please fix', 'name is required', 'alignments[0]: the link to "Critical thinking" must be an absolute http(s) URL']) expect(unshaped).toContain(phrase);
    const unruly = text(await post('/course/badges', { name: 'Too much', combinator: 'all', kind_0: 'completed', item_0: 'Quiz 9' }, english));
    expect(unruly).toContain('Quiz 9 is not a line item of this course: pick one from the list, or add the activity as a Laurel link');
  });
});
