/**
 * Retention of one course: removes the personal data Laurel no longer needs once a course is no
 * longer launched, and keeps what verification and the learner still need.
 *
 * Removed, for this course only: its standing snapshot (the learners' ids and where they stood);
 * the reasons (with grades) of its awards and renewals; the learner's e-mail on each award, and
 * their name unless they chose to show it (the public verification page shows it then); on awards
 * whose credential is issued, the evidence's texts, names and who added it (the signed credential
 * carries its own copy; a link stays, as the credential shows it too); in each issued credential's
 * facts, the learner's e-mail, name (unless shown) and LTI user id, kept as the salted hashes the
 * public documents were made with (credentials/hashedRecipient.ts); and the input (names,
 * e-mails) and error of its finished jobs.
 *
 * Kept: awards with their status, dates, revocation reasons, public ids and learner's user id (so a
 * learner who comes back still sees their badges), awards never issued keep their evidence (what
 * their credential will be made from), issued credentials as signed (JSON and JWT), status lists,
 * badges and the audit log.
 *
 * Idempotent: each write is made only where something is left to remove, and the counts say what
 * was removed by this call; a second call removes nothing and counts nothing.
 */
import { AwardModel, type AwardEvidence } from '../../store/award.js';
import { RenewalModel } from '../../store/renewal.js';
import { factsWithoutPerson, IssuedCredentialModel } from '../../store/issuedCredential.js';
import { CourseStandingModel } from '../../store/courseStanding.js';
import { EvaluationJobModel } from '../../store/evaluationJob.js';
import { CourseModel } from '../../store/course.js';
import type { RetentionCounts } from '../../store/platformSettings.js';
import type { Recipient } from '../../credentials/model.js';
import { writeInBatches } from '../../store/writeInBatches.js';

export type CourseTrim = Omit<RetentionCounts, 'courses'>;

export const nothingTrimmed = (): CourseTrim => ({ reasons: 0, renewals: 0, learners: 0, evidence: 0, credentials: 0, standings: 0, jobs: 0 });

export const trimmedAnything = (t: CourseTrim): boolean => Object.values(t).some((n) => n > 0);

/** Evidence as the credential no longer needs it here: its link and date, without text, name or who added it. */
const withoutPerson = (e: AwardEvidence): Partial<AwardEvidence> => ({ ...(e.url ? { url: e.url } : {}), addedAt: e.addedAt });
const holdsPerson = (e: AwardEvidence): boolean => Boolean(e.text || e.name || e.addedBy);

const namesPerson = (r: Recipient, showName: boolean): boolean => !r.hashed || Boolean(r.ltiUserId || r.email || (r.name && !showName));

/** Removes the course's personal data as the header says; the course is noted trimmed at `now`. */
export async function trimCourse(courseKey: string, now = new Date()): Promise<CourseTrim> {
  const trim = nothingTrimmed();
  const issued = await IssuedCredentialModel.find({ courseKey }, { _id: 1, awardId: 1, factsJson: 1 }).lean();
  const issuedIds = new Set(issued.map((c) => c._id));
  const awards = await AwardModel.find({ courseKey }, { _id: 1, id: 1, userId: 1, reasonJson: 1, recipient: 1, showName: 1, evidence: 1 }).lean();
  const showsName = new Map(awards.map((a) => [a.id, a.showName === true]));

  const learners = new Set<string>();
  const awardWrites = awards.flatMap((a) => {
    const unset: Record<string, 1> = {};
    const set: Record<string, unknown> = {};
    if (a.reasonJson !== undefined) { unset.reasonJson = 1; trim.reasons++; }
    if (a.recipient?.email) { unset['recipient.email'] = 1; learners.add(a.userId); }
    if (a.recipient?.name && !a.showName) { unset['recipient.name'] = 1; learners.add(a.userId); }
    if (issuedIds.has(a.id) && a.evidence?.some(holdsPerson)) { set.evidence = a.evidence.map(withoutPerson); trim.evidence++; }
    if (!Object.keys(unset).length && !Object.keys(set).length) return [];
    return [{ updateOne: { filter: { _id: a._id }, update: { ...(Object.keys(unset).length ? { $unset: unset } : {}), ...(Object.keys(set).length ? { $set: set } : {}) } } }];
  });
  trim.learners = learners.size;
  await writeInBatches(AwardModel, awardWrites);

  const renewals = await RenewalModel.find({ courseKey, reasonJson: { $exists: true } }, { _id: 1 }).lean();
  if (renewals.length) {
    await writeInBatches(RenewalModel, renewals.map((r) => ({ updateOne: { filter: { _id: r._id }, update: { $unset: { reasonJson: 1 } } } })));
    trim.renewals = renewals.length;
  }

  const credentialWrites = issued.flatMap((c) => {
    const { recipient } = JSON.parse(c.factsJson) as { recipient: Recipient };
    const showName = showsName.get(c.awardId ?? c._id) ?? false;
    if (!namesPerson(recipient, showName)) return [];
    const factsJson = factsWithoutPerson(c.factsJson, showName ? recipient.name : undefined);
    return [{ updateOne: { filter: { _id: c._id }, update: { $set: { factsJson } } } }];
  });
  await writeInBatches(IssuedCredentialModel, credentialWrites);
  trim.credentials = credentialWrites.length;

  trim.standings = (await CourseStandingModel.deleteOne({ _id: courseKey })).deletedCount;

  const jobs = (await EvaluationJobModel.find({ courseKey }, { _id: 1, status: 1, input: 1, error: 1 }).lean())
    .filter((j) => (j.status === 'done' || j.status === 'failed') && (j.input !== undefined || j.error !== undefined));
  await writeInBatches(EvaluationJobModel, jobs.map((j) => ({ updateOne: { filter: { _id: j._id }, update: { $unset: { input: 1, error: 1 } } } })));
  trim.jobs = jobs.length;

  await CourseModel.updateOne({ _id: courseKey }, { $set: { personalDataRemovedAt: now } });
  return trim;
}
