/**
 * Laurel in a real Moodle 4.5.6, through Moodle's own pages as a school uses it, cross-site on
 * HTTPS as in production (Laurel at laurel.test behind a TLS proxy, Moodle at moodle.test) with
 * Chromium blocking third-party cookies: the administrator registers Laurel (Add LTI Advantage;
 * selects Done on Laurel's page and the dialog closes), activates it and shows it in the activity chooser; the editing
 * teacher adds it to a course; the administrator connects Moodle's web services with the role the
 * README documents; the teacher creates a badge on an ordinary assignment, previews, evaluates;
 * a learner sees it with its reasons and is told in Moodle's own messages; the "Badge:" column shows in Moodle's grader report and is
 * cleared on revocation; background sync awards a learner whose grade was raised since, without
 * anyone opening Laurel; a non-editing teacher is never taken for a learner. Next term: Moodle's
 * CLI backs the course up and restores it into a new course; there the teacher is offered the
 * earlier course first, brings its badge in one click, and the old "Badge:" column is adopted and
 * scored from this course's grades in the new course's grader report.
 * Run by npm run test:moodle (scripts/moodle/e2e.sh), which starts and seeds Moodle first.
 * Each step goes on from where Moodle and Laurel are, so one failing step shows the next ones too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { evaluateDueCourses } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/log.js';
import { MOODLE_ROLE_CAPABILITIES, modView } from '../../src/lms/moodleWs/moodleCapabilities.js';
import { clickIn, laurelFrame, launchChromiumForMoodle, logIn, moodleSite, receivedBy, refusedFrame, setGrade, untilJobDone, type Seed } from './moodle.js';
import { deliverDueMessages } from '../../src/messages/sender.js';
import { OutboxModel } from '../../src/store/outbox.js';

const screenshots = resolve(__dirname, '../../docs/screenshots');
mkdirSync(screenshots, { recursive: true });
const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `moodle-${name}.png`) });

let seed: Seed;
let laurel: RunningLaurel;
let browser: Browser;
const contexts: BrowserContext[] = [];
let moodle: string;
let activityCmid: number | undefined;
const badgeName = 'Laurel essayist';

async function personPage(who: { username: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  await logIn(page, who);
  return page;
}

/** Opens the Laurel activity as this person: Moodle's view.php embeds the launch in its iframe. */
async function launch(page: Page, path: string): Promise<Frame> {
  expect(activityCmid, 'the Laurel activity was added to the course').toBeDefined();
  await page.goto(`${moodle}/mod/lti/view.php?id=${activityCmid}`);
  return laurelFrame(page, path);
}

beforeAll(async () => {
  seed = moodleSite.seed;
  moodle = seed.moodleUrl;
  // Laurel on plain HTTP on loopback, behind nginx's TLS at its public URL, as production runs it.
  laurel = await startLaurel({
    PORT: moodleSite.laurelPort,
    PUBLIC_URL: moodleSite.laurelUrl,
    TRUST_PROXY: 'loopback',
    SYNC_INTERVAL_MINUTES: '0',
  });
  browser = await launchChromiumForMoodle();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await laurel?.close();
});

describe('Laurel in a real Moodle 4.5, cross-site on HTTPS, third-party cookies blocked', () => {
  let admin: Page;
  let teacher: Page;

  it('the administrator registers Laurel with Add LTI Advantage, reads the outcome, selects Done, and the dialog closes', async () => {
    admin = await personPage(seed.admin);
    await admin.goto(`${moodle}/mod/lti/toolconfigure.php`);
    await admin.locator('#tool-url').fill(`${moodleSite.laurelUrl}/lti/register`);
    await admin.locator('#tool-create-button').click();
    // Moodle frames Laurel's registration page in its panel; when the administrator selects Done,
    // Laurel says "done" (postMessage) and Moodle closes the panel and lists the new tool. A
    // refused frame fails at once.
    const registered = await Promise.race([laurelFrame(admin, '/lti/register'), refusedFrame(admin, 30_000)]);
    await registered.getByText('Laurel is registered').waitFor({ timeout: 30_000 });
    await registered.getByRole('button', { name: 'Done' }).click();
    await admin.locator('.tool-card', { hasText: 'Laurel' }).first().waitFor({ timeout: 30_000 });
    await admin.locator('#external-registration-container').waitFor({ state: 'hidden', timeout: 10_000 });
    await shot(admin, 'registered');
  });

  it('the administrator activates the tool and shows it in the activity chooser', async () => {
    // From the page as Moodle shows it now (a reload, should the dialog above have stayed open).
    await admin.goto(`${moodle}/mod/lti/toolconfigure.php`);
    const card = admin.locator('.tool-card', { hasText: 'Laurel' }).first();
    await card.waitFor({ timeout: 20_000 });
    const activate = card.locator('a.activate');
    if (await activate.isVisible()) {
      await activate.click();
      await activate.waitFor({ state: 'hidden', timeout: 20_000 });
    }
    await shot(admin, 'manage-tools');
    await Promise.all([admin.waitForURL(/typessettings\.php/), card.locator('a.edit').click()]);
    await admin.locator('#id_lti_coursevisible').selectOption({ label: 'Show in activity chooser and as a preconfigured tool' });
    await Promise.all([admin.waitForURL(/toolconfigure\.php|typessettings\.php/), admin.locator('#id_submitbutton').click()]);
    expect(admin.url()).toMatch(/toolconfigure\.php/);
  });

  it('the editing teacher adds Laurel from the activity chooser and launches it inside Moodle', async () => {
    teacher = await personPage(seed.teacher);
    await teacher.goto(`${moodle}/course/view.php?id=${seed.course.id}`);
    // Edit mode, then "Add an activity or resource" in the assignment's section.
    const editSwitch = teacher.locator('.editmode-switch-form input[name=setmode]');
    if (!(await editSwitch.isChecked())) await Promise.all([teacher.waitForLoadState('load'), editSwitch.click()]);
    await teacher.waitForURL(/course\/view\.php/);
    // The switch reloads the page; a click before its script has bound the button is lost (seen on a
    // busy machine: Moodle never asked for the chooser's items), so the page settles and a lost click is made again.
    await teacher.waitForLoadState('networkidle');
    const addInSection = teacher.locator('#section-1 button[data-action="open-chooser"]').filter({ visible: true }).last();
    const option = teacher.locator('[data-region="chooser-option-container"][aria-label="Laurel"], [data-region="chooser-option-container"]:has(.optionname:text-is("Laurel"))').first();
    for (let attempt = 1; ; attempt++) {
      await addInSection.click({ timeout: 10_000 }).catch((e: Error) => { if (attempt === 3) throw e; });
      if (await option.waitFor({ timeout: attempt === 3 ? 20_000 : 10_000 }).then(() => true, (e: Error) => { if (attempt === 3) throw e; return false; })) break;
    }
    await shot(teacher, 'activity-chooser');
    await Promise.all([teacher.waitForURL(/course\/modedit\.php/), option.locator('a[data-action="add-chooser-option"]').click()]);
    await teacher.locator('#id_name').fill('Badges');
    await Promise.all([teacher.waitForURL(/mod\/lti\/view\.php/), teacher.locator('#id_submitbutton').click()]);
    activityCmid = Number(new URL(teacher.url()).searchParams.get('id'));
    expect(activityCmid).toBeGreaterThan(0);
    // Embedded: Moodle's iframe, Laurel on another site; its state cookie must survive that.
    const frame = await laurelFrame(teacher, '/course?', 45_000);
    await expect(frame.locator('h1').textContent()).resolves.toContain(seed.course.fullname);
    await shot(teacher, 'teacher-dashboard');
  });

  it('Chromium blocks third-party cookies here: an ordinary SameSite=None cookie set in Laurel\'s frame never comes back', async () => {
    const frame = await laurelFrame(teacher, '/course?');
    const sent: string[] = [];
    const onRequest = async (req: import('playwright-core').Request) => {
      if (req.url().startsWith(`${moodleSite.laurelUrl}/healthz`)) sent.push((await req.allHeaders()).cookie ?? '');
    };
    teacher.on('request', onRequest);
    const inFrame = await frame.evaluate(async () => {
      document.cookie = 'laurel_probe=1; SameSite=None; Secure; Path=/';
      await fetch('/healthz', { credentials: 'include' });
      return document.cookie;
    });
    teacher.off('request', onRequest);
    expect(inFrame).not.toContain('laurel_probe');
    expect(sent.length).toBeGreaterThan(0);
    for (const cookie of sent) expect(cookie).not.toContain('laurel_probe');
    // The same cookie at the top level (first-party) is kept and sent: the probe itself works.
    const top = await teacher.context().newPage();
    await top.goto(`${moodleSite.laurelUrl}/healthz`);
    const firstParty = await top.evaluate(async () => { document.cookie = 'laurel_probe=1; SameSite=None; Secure; Path=/'; return document.cookie; });
    expect(firstParty).toContain('laurel_probe=1');
    await top.close();
  });

  it('the administrator connects Moodle\'s web services on Laurel\'s admin page, with the token of the README\'s role', async () => {
    // The seeded role is exactly the README's: its capabilities, and mod/<type>:view for the course's activity types.
    expect([...seed.webService.capabilities].sort()).toEqual([...MOODLE_ROLE_CAPABILITIES, modView('assign'), modView('lti')].sort());
    const frame = await launch(admin, '/course?');
    await clickIn(frame, frame.locator('a:has-text("Administration")').first(), /\/admin\?/);
    await frame.locator('#lms-moodle-baseUrl').fill(moodle);
    await frame.locator('#lms-moodle-token').fill(seed.webService.token);
    await clickIn(frame, frame.locator('button:has-text("Check and connect Moodle")'), /\/admin/);
    await expect(frame.locator('body').textContent()).resolves.toContain('Laurel is connected to Moodle\'s web services');
    await shot(admin, 'laurel-admin-connected');
  });

  it('the teacher creates a badge on the ordinary assignment with a minimum grade, previews, and evaluates', async () => {
    const frame = await launch(teacher, '/course?');
    await clickIn(frame, frame.locator('a:has-text("New badge")').first(), /\/course\/badges\/new/);
    await frame.getByLabel('Name', { exact: true }).fill(badgeName);
    await frame.getByLabel('Description').fill('70 % or more on the essay.');
    await frame.locator('#kind_0').selectOption('minGrade');
    // The assignment is no LTI link: only Moodle's web services list it.
    const options = await frame.locator('#item_0 option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, label: o.textContent ?? '' })));
    const essay = options.find((o) => o.label.includes(seed.assignment.name));
    expect(essay, `the assignment among ${JSON.stringify(options.map((o) => o.label))}`).toBeDefined();
    await frame.locator('#item_0').selectOption(essay!.value);
    await frame.locator('#value_0').fill('70');
    await frame.locator('#gradebookColumn').check();
    await clickIn(frame, frame.locator('button:has-text("Preview who qualifies")'), /\/course\/badges\/preview/);
    // learner1 (85) qualifies; learner2 (40) and learner3 (no grade) do not; no teacher is counted
    // (soft: the steps after it go on either way).
    expect.soft(await frame.locator('#preview-heading').textContent()).toMatch(/Preview: 1 of 3 learners would qualify/);
    await shot(teacher, 'badge-preview');
    await clickIn(frame, frame.locator('button:has-text("Save badge")'), /\/course\?/);
    await expect(frame.locator('table.badges').textContent()).resolves.toContain(badgeName);
    await clickIn(frame, frame.locator('button:has-text("Evaluate now and award")'), /\/course\/jobs\//);
    expect(await untilJobDone(frame)).toMatch(/Status: done/);
  });

  it('a learner launches and sees the badge with its reasons', async () => {
    const learner = await personPage(seed.learners[0]!);
    const frame = await launch(learner, '/me?');
    const card = frame.locator('article', { has: frame.locator(`h3:text-is("${badgeName}")`) });
    await expect(card.textContent()).resolves.toMatch(new RegExp(`${seed.assignment.name}: 85 % of the 70 % needed`));
    await shot(learner, 'learner-badge');
  });

  it('the learner is told in Moodle\'s own messages: Laurel\'s sender sends the award through the token the administrator connected, from its account', async () => {
    const learner = seed.learners[0]!;
    // The sender's pass (every 30 s by itself): the award's message goes once its credential is signed.
    let sent: { state: string; channel?: string; failure?: unknown } | null = null;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 1000))) {
      await deliverDueMessages(laurel.running.messageSender);
      sent = await OutboxModel.findOne({ kind: 'awarded', userId: String(learner.id) }).lean();
      if (sent?.state !== 'due') break;
    }
    expect(sent).toMatchObject({ state: 'sent', channel: 'moodle' });
    const told = receivedBy(learner.id).filter((m) => m.useridfrom === seed.webService.user.id && m.fullmessage.includes(`“${badgeName}”`));
    expect(told.length, 'Laurel\'s message in Moodle\'s messages table').toBeGreaterThan(0);
    expect(told[0]!.fullmessage).toMatch(new RegExp(`^You earned the badge “${badgeName}”\\n\\nHello,\\n\\nYou earned the badge “${badgeName}” in ${seed.course.fullname}\\.`));
    expect(told[0]!.fullmessage).toContain(`${moodleSite.laurelUrl}/verify/`);
  });

  /** The "Badge:" column in Moodle's grader report, and a learner's grade in it (an input's value with editing on). */
  async function badgeColumn(learner = seed.learners[0]!, courseId = seed.course.id): Promise<{ header: boolean; cell: string | undefined }> {
    await teacher.goto(`${moodle}/grade/report/grader/index.php?id=${courseId}`, { waitUntil: 'networkidle' });
    const heading = teacher.locator(`table#user-grades [data-itemid]:has-text("Badge: ${badgeName}")`).first();
    if (await heading.count() === 0) return { header: false, cell: undefined };
    const itemId = await heading.getAttribute('data-itemid');
    const cell = teacher.locator(`#u${learner.id}i${itemId}`);
    const field = cell.locator('input[name^="grade["]');
    const value = await field.count() ? await field.first().inputValue() : await cell.locator('.gradevalue').first().textContent();
    return { header: true, cell: (value ?? '').replace(/\s+/g, ' ').trim() };
  }

  it('the "Badge:" column shows in Moodle\'s grader report, scored for the learner who earned it', async () => {
    const { header, cell } = await badgeColumn();
    expect(header).toBe(true);
    expect(cell).toMatch(/^1(\.0+)?$/);
    await shot(teacher, 'grader-report');
  });

  it('revoking the award clears the learner\'s "Badge:" score in Moodle', async () => {
    const frame = await launch(teacher, '/course?');
    await clickIn(frame, frame.getByRole('link', { name: new RegExp(`earned ${badgeName}$`) }), /\/course\/badges\/[^/]+\/awards/);
    await clickIn(frame, frame.getByRole('link', { name: `Revoke for ${seed.learners[0]!.name}` }), /\/revoke\?/);
    await frame.getByLabel('Reason (shown publicly)').fill('Marked again');
    await clickIn(frame, frame.locator('button:has-text("Revoke the badge")'), /\/awards\?/);
    const { header, cell } = await badgeColumn();
    expect(header).toBe(true);
    expect(cell).not.toMatch(/\d/);
  });

  it('background sync awards a learner whose grade was raised in Moodle, without anyone opening Laurel', async () => {
    setGrade(seed.learners[1]!.username, 95);
    // The scheduler's own pass, as it runs when an interval has gone by since the last evaluation.
    const ran = await evaluateDueCourses(1, createLogger('silent'), new Date(Date.now() + 2 * 60_000));
    expect(ran).toBe(1);
    // Moodle shows it before anyone opens Laurel: the learner's "Badge:" score.
    expect((await badgeColumn(seed.learners[1]!)).cell).toMatch(/^1(\.0+)?$/);
    const frame = await launch(teacher, '/course?');
    await clickIn(frame, frame.getByRole('link', { name: new RegExp(`earned ${badgeName}$`) }), /\/course\/badges\/[^/]+\/awards/);
    await expect(frame.locator('main').textContent()).resolves.toContain(seed.learners[1]!.name);
  });

  it('the non-editing teacher launches, and Laurel does not take them for a learner', async () => {
    const assistant = await personPage(seed.nonEditingTeacher);
    await assistant.goto(`${moodle}/mod/lti/view.php?id=${activityCmid}`);
    // Whatever Laurel shows a non-editing teacher, it is not a learner's page.
    const frame = await laurelFrame(assistant, ['/course', '/me'], 45_000);
    expect(new URL(frame.url()).pathname).not.toBe('/me');
    // Moodle's meaning, in Laurel's words: they grade, they do not edit badges.
    await expect(frame.locator('header').textContent()).resolves.toMatch(/Nina Noneditor \(Grader/);
    await shot(assistant, 'non-editing-teacher');
    // The teacher's list of learners has the three learners and nobody else.
    const teacherFrame = await launch(teacher, '/course?');
    await clickIn(teacherFrame, teacherFrame.locator('a:has-text("Learners and awards by hand")'), /\/course\/learners\?/);
    const listed = (await teacherFrame.locator('tbody tr th').allTextContents()).map((s) => s.trim());
    expect(listed.sort()).toEqual(seed.learners.map((l) => l.name).sort());
  });

  // ---- Next term: a backup restored into a new course ----
  let copy: { id: number; shortname: string; fullname: string; originalCourseId: number; from: number; cmid: number } | undefined;

  it('next term: Moodle\'s CLI backs the course up and restores it into a new course, which records the course it came from', () => {
    const repo = resolve(__dirname, '../..');
    const script = [
      '. scripts/moodle/env.sh', 'd="$LAUREL_MOODLE_DIR/backup"', 'rm -rf "$d"', 'mkdir -p "$d"',
      `php_moodle "$MOODLE_WWW/admin/cli/backup.php" --courseid=${seed.course.id} --destination="$d" >/dev/null`,
      'php_moodle "$MOODLE_WWW/admin/cli/restore_backup.php" --file="$(ls "$d"/*.mbz | head -1)" --categoryid=1 >/dev/null',
      `php_moodle scripts/moodle/nextterm.php --from=${seed.course.shortname}`,
    ].join(' && ');
    const out = execFileSync('bash', ['-c', script], { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    copy = JSON.parse(out.trim().split('\n').at(-1)!) as NonNullable<typeof copy>;
    expect(copy.id).not.toBe(seed.course.id);
    // What $Context.id.history follows (mod/lti/locallib.php, get_course_history).
    expect(copy.originalCourseId).toBe(seed.course.id);
  });

  it('next term: the teacher opens Laurel in the new course; the course it was copied from is offered first, and its badges come in one click', async () => {
    expect(copy, 'the course was restored').toBeDefined();
    await teacher.goto(`${moodle}/mod/lti/view.php?id=${copy!.cmid}`);
    let frame = await laurelFrame(teacher, '/course?', 45_000);
    await expect(frame.locator('h1').textContent()).resolves.toContain(copy!.fullname);
    // The old "Badge:" column came along with the restore, and Laurel sees it as an earlier course's.
    await expect(frame.locator('section[aria-labelledby=orphans-heading]').textContent()).resolves.toContain(`Badge: ${badgeName}`);
    await shot(teacher, 'next-term-dashboard');
    await clickIn(frame, frame.locator(`a:has-text("Bring badges from an earlier course")`).first(), /\/course\/bring-badges/);
    const first = frame.locator('ul.earlier-courses > li').first();
    await expect(first.textContent()).resolves.toMatch(new RegExp(`${seed.course.fullname}[\\s\\S]*this course was copied from it`));
    await shot(teacher, 'next-term-bring');
    await clickIn(frame, first.locator('button:has-text("Bring its badges")'), /\/course\/bring-badges/);
    await expect(frame.locator('[role=status]').first().textContent()).resolves.toMatch(/1 badge copied/);
    frame = await launchIn(copy!.cmid);
    await expect(frame.locator('table.badges').textContent()).resolves.toContain(badgeName);
  });

  it('next term: the old "Badge:" column is adopted by the brought badge, and the new course\'s grader report shows this term\'s award in it', async () => {
    let frame = await launchIn(copy!.cmid);
    const orphans = frame.locator('section[aria-labelledby=orphans-heading]');
    await clickIn(frame, orphans.getByRole('button', { name: `Use Badge: ${badgeName} for the badge ${badgeName}` }), /\/course\?/);
    await expect(frame.locator('section[aria-labelledby=orphans-heading]').count()).resolves.toBe(0);
    // Last term's scores were cleared on adoption; this course's grades (restored with the course) award it again.
    frame = await launchIn(copy!.cmid);
    await clickIn(frame, frame.locator('button:has-text("Evaluate now and award")'), /\/course\/jobs\//);
    expect(await untilJobDone(frame)).toMatch(/Status: done/);
    const column = await badgeColumn(seed.learners[0]!, copy!.id);
    expect(column.header).toBe(true);
    expect(column.cell).toMatch(/^1(\.0+)?$/);
    expect((await badgeColumn(seed.learners[2]!, copy!.id)).cell).not.toMatch(/\d/);
    await shot(teacher, 'next-term-grader-report');
  });

  /** Opens the Laurel activity `cmid` as the teacher, at the course page. */
  async function launchIn(cmid: number): Promise<Frame> {
    await teacher.goto(`${moodle}/mod/lti/view.php?id=${cmid}`);
    return laurelFrame(teacher, '/course?', 45_000);
  }
});
