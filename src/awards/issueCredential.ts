/**
 * An award becomes a signed credential: the OB 3.0 credential with its Data Integrity proof,
 * then its VC-JWT over it, stored once. Awards are recorded first (quick, in bulk) and their
 * credentials issued after, so a large evaluation is not held up by signing; anything a crash
 * left unissued is issued by the next pass, and issuing twice stores one credential. A renewal
 * of an award (store/renewal.ts) is issued the same way: a credential of its own, of the same award.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Achievement, AwardFacts, Evidence, Issuer, Recipient, StatusEntry } from '../credentials/model.js';
import { achievementUrls, uploadedImageUrl } from '../credentials/urls.js';
import { openBadgeCredential } from '../credentials/openBadgeCredential.js';
import { keyedSubjectId } from '../credentials/subjectId.js';
import { criteriaNarrative } from '../rules/criteria.js';
import type { Logger } from 'pino';
import type { BadgeDefinition } from '../rules/badge.js';
import type { NamedItem } from '../rules/criteria.js';
import { courseLineItems, namedItems } from './courseLineItems.js';
import type { Reason } from '../rules/verdict.js';
import { awardedInPages, awardOf, noteRenewal, type Award } from '../store/award.js';
import { renewalOf, renewalsOf, type AwardRenewal } from '../store/renewal.js';
import { renewalRules } from '../rules/renewal.js';
import { listBadges } from '../store/badge.js';
import { CourseModel, type CourseRecord } from '../store/course.js';
import { signingKeys, type SigningKeys } from '../store/issuerKeys.js';
import { subjectKeyOf } from '../store/subjectKey.js';
import { credentialByPublicId, issuedAmong, issuedInCourse, storeCredentials, type IssuedCredential } from '../store/issuedCredential.js';
import { credentialUrls } from '../credentials/urls.js';
import { statusEntriesFor } from '../store/statusList.js';
import { issuerForPlatform } from './issuerDocuments.js';
import { validUntil } from '../rules/validity.js';
import { signCredential } from './signingPool.js';
import { postToGradebook } from './gradebookColumn.js';
import { courseStaffOf, staffIdsOf } from '../store/courseStaff.js';

/** The public id of a badge definition: stable for the badge, unrelated to course ids. */
export function achievementKeyOf(courseKey: string, badgeId: string): string {
  return createHash('sha256').update(JSON.stringify(['achievement', courseKey, badgeId])).digest('base64url').slice(0, 22);
}

export function achievementOf(base: string, courseKey: string, badge: BadgeDefinition, badgesById: ReadonlyMap<string, BadgeDefinition>, lineItems: readonly NamedItem[] = []): Achievement {
  const key = achievementKeyOf(courseKey, badge.id);
  return {
    key,
    name: badge.name,
    description: badge.description || badge.name,
    criteriaNarrative: badge.criteriaNarrative?.trim() || criteriaNarrative(badge, lineItems, badgesById),
    imageUrl: badge.image ? uploadedImageUrl(base, badge.image) : achievementUrls(base, key).image,
    tags: badge.tags,
    alignments: badge.alignments,
    ...(badge.level ? { level: badge.level } : {}),
  };
}

/** The rules met, as evidence: one entry per condition the learner met, with what was seen (for a renewal, its rules). */
function evidenceOf(award: Award, renewal?: AwardRenewal): Evidence[] {
  const met: Evidence[] = [];
  const name = renewal ? 'Renewal criterion met' : 'Criterion met';
  const walk = (r: Reason) => {
    if (r.children) r.children.forEach(walk);
    else if (r.met) met.push({ name, narrative: r.text });
  };
  const reason = renewal ? renewal.reason : award.reason;
  if (reason) walk(reason);
  const given = (award.evidence ?? []).map((e) => ({ ...(e.url ? { id: e.url } : {}), name: e.name ?? (e.addedBy === award.userId ? 'Submitted by the learner' : 'Added by an instructor'), ...(e.text ? { narrative: e.text } : {}) }));
  return [...met, ...given];
}

export interface IssueContext {
  base: string;
  course: CourseRecord;
  badges: ReadonlyMap<string, BadgeDefinition>;
  /** Where problems that do not stop issuing are reported (the LMS grade book). */
  log?: Logger;
  /** The course's grade columns, so criteria read "Quiz 2" and not a URL; asked of the LMS only when something is to be signed. */
  columns: () => Promise<readonly NamedItem[]>;
}

/** What issuing in a course needs: its badges and, as the LMS names them now, its grade columns (none if it cannot say). */
export async function issueContext(base: string, course: CourseRecord, log?: Logger): Promise<IssueContext> {
  const badges = await listBadges(course.courseKey);
  let columns: Promise<readonly NamedItem[]> | undefined;
  return {
    base, course, log, badges: new Map(badges.map((b) => [b.id, b])),
    columns: () => (columns ??= courseLineItems(course).then(namedItems)),
  };
}

/** One credential to sign: an award's own (its public id), or one of its renewals (the renewal's). */
interface Issuance { publicId: string; award: Award; renewal?: AwardRenewal }

const firstOf = (award: Award): Issuance => ({ publicId: award.id, award });

/** Whether the award can have its credential now (a revoked award is not renewed either). */
function issuable(award: Award, ctx: IssueContext): boolean {
  const badge = ctx.badges.get(award.badgeId);
  if (award.status !== 'awarded' || !award.awardedAt || !badge) return false; // a deleted badge keeps its awards, with no new credential
  return !badge.evidenceRequired || Boolean(award.evidence?.length); // issued once evidence is attached
}

/** What signing a batch needs from the database, read before the CPU work starts. */
interface PreparedBatch {
  todo: Issuance[];
  lineItems?: readonly NamedItem[];
  issuer?: Issuer;
  keys?: SigningKeys;
  entries?: Map<string, StatusEntry>;
  subjectKey?: Buffer;
}

/**
 * Reads what a batch of awards (one course) needs: which are issued already or cannot be issued
 * yet, the issuer and its keys, and each award's status entry.
 */
async function prepareBatch(items: Issuance[], ctx: IssueContext, alreadyIssued?: ReadonlySet<string>): Promise<PreparedBatch> {
  const candidates = items.filter((i) => issuable(i.award, ctx));
  const done = alreadyIssued ?? new Set(candidates.length ? await issuedAmong(candidates.map((i) => i.publicId)) : []);
  const todo = candidates.filter((i) => !done.has(i.publicId));
  if (!todo.length) return { todo };
  const issuer = await issuerForPlatform(ctx.base, { issuer: ctx.course.issuer, clientId: ctx.course.clientId });
  // A renewal has a status entry of its own: revoking the award sets every one of its credentials' bits.
  const [keys, entries, lineItems, subjectKey] = await Promise.all([signingKeys(issuer.key), statusEntriesFor(issuer.key, todo.map((i) => i.publicId)), ctx.columns(), subjectKeyOf(issuer.key)]);
  return { todo, issuer, keys, entries, lineItems, subjectKey };
}

/** Signs a prepared batch: CPU work only, on the signing threads, no database. */
async function signBatch({ todo, issuer, keys, entries, lineItems, subjectKey }: PreparedBatch, ctx: IssueContext): Promise<IssuedCredential[]> {
  const { base, course } = ctx;
  return Promise.all(todo.map(async ({ publicId, award, renewal }) => {
    const badge = ctx.badges.get(award.badgeId)!;
    const achievement = achievementOf(base, course.courseKey, badge, ctx.badges, lineItems);
    const recipient: Recipient = {
      ltiUserId: award.userId, ltiPlatformId: course.issuer, subjectId: keyedSubjectId(subjectKey!, { ltiPlatformId: course.issuer, ltiUserId: award.userId }),
      salt: randomBytes(16).toString('hex'),
      ...(award.recipient?.email ? { email: award.recipient.email } : {}),
      ...(award.recipient?.name ? { name: award.recipient.name } : {}),
    };
    // A renewal runs from its own day, for the period recorded with it; the award's first credential from the award.
    const until = renewal ? renewal.validUntil : validUntil(award.awardedAt!, badge.validFor);
    // Only a badge that is renewed promises a newer credential: the refresh service, by the award's id.
    const refreshUrl = until && renewalRules(badge) ? credentialUrls(base, award.id).latest : undefined;
    const facts: AwardFacts = {
      publicId, awardedAt: award.awardedAt!, ...(renewal ? { validFrom: renewal.renewedAt } : {}), ...(until ? { validUntil: until } : {}),
      ...(refreshUrl ? { refreshUrl } : {}), evidence: evidenceOf(award, renewal),
    };
    const status = entries!.get(publicId)!;
    const unsigned = openBadgeCredential({ base, issuer: issuer!, achievement, recipient, award: facts, status });
    const { credential, jwt } = await signCredential({ unsigned, keys: keys!, did: issuer!.did });
    return {
      publicId, awardId: award.id, courseKey: course.courseKey, badgeId: award.badgeId, userId: award.userId, issuerKey: issuer!.key,
      achievementKey: achievement.key, facts: { issuer: issuer!, achievement, recipient, award: facts, status },
      credential, jwt, issuedAt: new Date(),
    };
  }));
}

/**
 * Stores what was signed, then shows it in the LMS grade book where a badge asks for that: never
 * for someone known as staff (an award made before they were), whose score the LMS refuses.
 */
async function storeBatch(signed: IssuedCredential[], ctx: IssueContext): Promise<void> {
  await storeCredentials(signed);
  const staff = staffIdsOf(await courseStaffOf(ctx.course.courseKey));
  // The grade book's score and link are the award's: a renewal changes neither.
  await postToGradebook(ctx.course, ctx.badges, signed.filter((c) => !staff.has(c.userId) && c.awardId === c.publicId), ctx.log);
}

/** Signs and stores the credentials of these awards (their first ones); returns how many this call stored. */
export async function issueCredentials(awards: Award[], ctx: IssueContext, alreadyIssued?: ReadonlySet<string>): Promise<number> {
  return issueAll(awards.map(firstOf), ctx, alreadyIssued);
}

async function issueAll(items: Issuance[], ctx: IssueContext, alreadyIssued?: ReadonlySet<string>): Promise<number> {
  const signed = await signBatch(await prepareBatch(items, ctx, alreadyIssued), ctx);
  await storeBatch(signed, ctx);
  return signed.length;
}

/**
 * The renewals of a course not signed yet, with their awards (read by key: a few at a time, the
 * renewals of the last runs). An award whose note of its latest renewal a crash left behind is
 * noted here too, so its next window is counted from the right end.
 */
async function waitingRenewals(renewals: AwardRenewal[], alreadyIssued: ReadonlySet<string>): Promise<Issuance[]> {
  const waiting = renewals.filter((r) => !alreadyIssued.has(r.id));
  const items = await Promise.all(waiting.map(async (renewal): Promise<Issuance | undefined> => {
    const award = await awardOf(renewal.courseKey, renewal.badgeId, renewal.userId);
    if (!award) return undefined;
    if ((award.renewal?.period ?? 0) < renewal.period) {
      award.renewal = { period: renewal.period, publicId: renewal.id, renewedAt: renewal.renewedAt, validUntil: renewal.validUntil };
      await noteRenewal(renewal.courseKey, renewal.badgeId, renewal.userId, award.renewal);
    }
    return { publicId: renewal.id, award, renewal };
  }));
  return items.filter((i): i is Issuance => i !== undefined);
}

/** Issues the award's credential unless it exists; the stored credential, or undefined when it cannot have one yet. */
export async function issueCredential(award: Award, ctx: IssueContext): Promise<IssuedCredential | undefined> {
  await issueCredentials([award], ctx);
  return (await credentialByPublicId(award.id)) ?? undefined;
}

/** Awards read, signed and stored at a time: large enough for few database round trips. */
const PAGE = 250;

/** Issues every credential of the course still waiting; returns how many it issued. */
export async function issueWaitingCredentials(base: string, courseKey: string, onProgress?: (issued: number) => Promise<void> | void, log?: Logger): Promise<number> {
  const course = await CourseModel.findOne({ courseKey }).lean();
  if (!course) return 0;
  const ctx = await issueContext(base, course, log);
  // One read of what is issued, one pass over the awards: FerretDB answers any other query by
  // scanning the collection, so a query per page would make a large course quadratic.
  const alreadyIssued = new Set(await issuedInCourse(courseKey));
  const pages = awardedInPages(courseKey, PAGE);
  let renewals: Issuance[] | undefined;
  // Signing is CPU work, reading and storing wait on the database: while one page is signed,
  // the next is read and prepared and the previous one stored. The renewals waiting come last.
  const prepare = async (): Promise<PreparedBatch | undefined> => {
    const page = await pages.next();
    if (!page.done) return prepareBatch(page.value.map(firstOf), ctx, alreadyIssued);
    if (renewals) return undefined;
    renewals = await waitingRenewals(await renewalsOf(courseKey), alreadyIssued);
    return renewals.length ? prepareBatch(renewals, ctx, alreadyIssued) : undefined;
  };
  let issued = 0;
  let storing: Promise<void> = Promise.resolve();
  let upcoming = prepare();
  for (let batch = await upcoming; batch; batch = await upcoming) {
    upcoming = prepare();
    upcoming.catch(() => {}); // awaited next turn; this only keeps an early failure from going unhandled
    const signed = await signBatch(batch, ctx);
    await storing;
    storing = storeBatch(signed, ctx);
    storing.catch(() => {});
    issued += signed.length;
    await onProgress?.(issued);
  }
  await storing;
  return issued;
}

/**
 * A learner's own awards' credentials, and their latest renewals', signed while they look (their
 * launch) unless all are signed already.
 */
export async function issueLearnerCredentials(base: string, course: CourseRecord, awards: Award[], log?: Logger): Promise<void> {
  const given = awards.filter((a) => a.status === 'awarded');
  const ids = [...given.map((a) => a.id), ...given.flatMap((a) => (a.renewal ? [a.renewal.publicId] : []))];
  const issued = new Set(ids.length ? await issuedAmong(ids) : []);
  if (ids.every((id) => issued.has(id))) return;
  const ctx = await issueContext(base, course, log);
  await issueAll(given.map(firstOf), ctx, issued);
  const renewed = given.filter((a) => a.renewal && !issued.has(a.renewal.publicId));
  if (renewed.length) {
    // The latest renewal of each (an earlier one left unsigned is the course's next pass's).
    const renewals = (await Promise.all(renewed.map((a) => renewalOf(a.id, a.renewal!.period)))).filter((r): r is AwardRenewal => r !== null);
    await issueAll(await waitingRenewals(renewals, issued), ctx, issued);
  }
}
