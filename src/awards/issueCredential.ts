/**
 * An award becomes a signed credential: the OB 3.0 credential with its Data Integrity proof,
 * then its VC-JWT over it, stored once. Awards are recorded first (quick, in bulk) and their
 * credentials issued after, so a large evaluation is not held up by signing; anything a crash
 * left unissued is issued by the next pass, and issuing twice stores one credential.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Achievement, AwardFacts, Evidence, Recipient } from '../credentials/model.js';
import { achievementUrls } from '../credentials/urls.js';
import { openBadgeCredential } from '../credentials/openBadgeCredential.js';
import { signDataIntegrity } from '../credentials/dataIntegrity.js';
import { signVcJwt } from '../credentials/vcJwt.js';
import { criteriaNarrative } from '../rules/criteria.js';
import type { BadgeDefinition } from '../rules/badge.js';
import type { Reason } from '../rules/verdict.js';
import { awardsAwaitingCredential, awardsOf, markCredentialsIssued, type Award } from '../store/award.js';
import { listBadges } from '../store/badge.js';
import { CourseModel, type CourseRecord } from '../store/course.js';
import { signingKeys } from '../store/issuerKeys.js';
import { credentialByPublicId, issuedAmong, storeCredentials, type IssuedCredential } from '../store/issuedCredential.js';
import { statusEntriesFor } from '../store/statusList.js';
import { issuerForPlatform, laurelDocumentLoader } from './issuerDocuments.js';
import { validUntil } from './validity.js';

/** The public id of a badge definition: stable for the badge, unrelated to course ids. */
export function achievementKeyOf(courseKey: string, badgeId: string): string {
  return createHash('sha256').update(JSON.stringify(['achievement', courseKey, badgeId])).digest('base64url').slice(0, 22);
}

export function achievementOf(base: string, courseKey: string, badge: BadgeDefinition, badgesById: ReadonlyMap<string, BadgeDefinition>): Achievement {
  const key = achievementKeyOf(courseKey, badge.id);
  return {
    key,
    name: badge.name,
    description: badge.description || badge.name,
    criteriaNarrative: badge.criteriaNarrative?.trim() || criteriaNarrative(badge, [], badgesById),
    imageUrl: achievementUrls(base, key).image,
    tags: badge.tags,
    alignments: badge.alignments,
    ...(badge.level ? { level: badge.level } : {}),
  };
}

/** The rules met, as evidence: one entry per condition the learner met, with what was seen. */
function evidenceOf(award: Award): Evidence[] {
  const met: Evidence[] = [];
  const walk = (r: Reason) => {
    if (r.children) r.children.forEach(walk);
    else if (r.met) met.push({ name: 'Criterion met', narrative: r.text });
  };
  if (award.reason) walk(award.reason);
  const given = (award.evidence ?? []).map((e) => ({ ...(e.url ? { id: e.url } : {}), name: e.name ?? (e.addedBy === award.userId ? 'Submitted by the learner' : 'Added by an instructor'), ...(e.text ? { narrative: e.text } : {}) }));
  return [...met, ...given];
}

export interface IssueContext {
  base: string;
  course: CourseRecord;
  badges: ReadonlyMap<string, BadgeDefinition>;
}

/** Whether the award can have its credential now. */
function issuable(award: Award, ctx: IssueContext): boolean {
  const badge = ctx.badges.get(award.badgeId);
  if (award.status !== 'awarded' || !award.awardedAt || !badge) return false; // a deleted badge keeps its awards, with no new credential
  return !badge.evidenceRequired || Boolean(award.evidence?.length); // issued once evidence is attached
}

/**
 * Signs and stores the credentials of these awards (one course), skipping those issued already
 * and those that cannot be issued yet. The issuer, its keys and the status entries are read once
 * for the batch, and the credentials stored together. Returns how many this call stored.
 */
export async function issueCredentials(awards: Award[], ctx: IssueContext): Promise<number> {
  const candidates = awards.filter((a) => issuable(a, ctx));
  if (!candidates.length) return 0;
  const done = new Set(await issuedAmong(candidates.map((a) => a.id)));
  const todo = candidates.filter((a) => !done.has(a.id));
  if (todo.length) {
    const { base, course } = ctx;
    const issuer = await issuerForPlatform(base, course.issuer);
    const [keys, entries] = await Promise.all([signingKeys(issuer.key), statusEntriesFor(issuer.key, todo.map((a) => a.id))]);
    const documentLoader = laurelDocumentLoader(base);
    const signed: IssuedCredential[] = [];
    for (const award of todo) {
      const badge = ctx.badges.get(award.badgeId)!;
      const achievement = achievementOf(base, course.courseKey, badge, ctx.badges);
      const recipient: Recipient = {
        ltiUserId: award.userId, ltiPlatformId: course.issuer, salt: randomBytes(16).toString('hex'),
        ...(award.recipient?.email ? { email: award.recipient.email } : {}),
        ...(award.recipient?.name ? { name: award.recipient.name } : {}),
      };
      const until = validUntil(award.awardedAt!, badge.validFor);
      const facts: AwardFacts = { publicId: award.id, awardedAt: award.awardedAt!, ...(until ? { validUntil: until } : {}), evidence: evidenceOf(award) };
      const status = entries.get(award.id)!;
      const credential = await signDataIntegrity(openBadgeCredential({ base, issuer, achievement, recipient, award: facts, status }), keys.ed25519, issuer.did, documentLoader);
      signed.push({
        publicId: award.id, courseKey: course.courseKey, badgeId: award.badgeId, userId: award.userId, issuerKey: issuer.key,
        achievementKey: achievement.key, facts: { issuer, achievement, recipient, award: facts, status },
        credential: credential as Record<string, unknown>, jwt: await signVcJwt(credential, keys.rsa, issuer.did), issuedAt: new Date(),
      });
    }
    await storeCredentials(signed);
  }
  await markCredentialsIssued(candidates.map((a) => a.id));
  return todo.length;
}

/** Issues the award's credential unless it exists; the stored credential, or undefined when it cannot have one yet. */
export async function issueCredential(award: Award, ctx: IssueContext): Promise<IssuedCredential | undefined> {
  await issueCredentials([award], ctx);
  return (await credentialByPublicId(award.id)) ?? undefined;
}

/** Issues every credential of the course still waiting; returns how many it issued. */
export async function issueWaitingCredentials(base: string, courseKey: string, onProgress?: (issued: number) => Promise<void> | void): Promise<number> {
  const course = await CourseModel.findOne({ courseKey }).lean();
  if (!course) return 0;
  const ctx: IssueContext = { base, course, badges: new Map((await listBadges(courseKey)).map((b) => [b.id, b])) };
  let issued = 0;
  let after: string | undefined;
  do {
    const page = await awardsAwaitingCredential(courseKey, 200, after);
    issued += await issueCredentials(page.awards, ctx);
    await onProgress?.(issued);
    after = page.next;
  } while (after);
  return issued;
}

/** A learner's own waiting credentials, signed while they look (their launch). */
export async function issueLearnerCredentials(base: string, course: CourseRecord, userId: string): Promise<void> {
  const waiting = (await awardsOf(course.courseKey, { userId })).filter((a) => a.status === 'awarded' && !a.credentialIssued);
  if (!waiting.length) return;
  const ctx: IssueContext = { base, course, badges: new Map((await listBadges(course.courseKey)).map((b) => [b.id, b])) };
  await issueCredentials(waiting, ctx);
}
