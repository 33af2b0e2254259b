/**
 * Who is who between the LTI roster (NRPS user ids) and an LMS API (the LMS's own user ids).
 * A roster learner is matched by the LMS user id Laurel knows for them (their own launches on
 * Canvas; on Moodle the LTI user id is the Moodle user id), else by an SIS id both sides give.
 * Anything ambiguous is left unmatched and reported: nobody is evaluated on someone else's grades.
 */
import type { Member } from '../../rules/snapshot.js';
import { audienceOf } from '../../rules/audience.js';
import type { LmsLearner } from './reading.js';
import { sisIdText } from '../read.js';

export interface LearnerMatch {
  /** LMS user id → LTI user id, one to one. */
  userIdOf: Map<string, string>;
  /** Active roster learners the API's learners do not include (or could not be told apart); others are not evaluated anyway. */
  unmatchedMembers: Member[];
  /** Learners the API lists whom no roster learner matches. */
  unmatchedLearners: LmsLearner[];
}

export function matchLearners(members: readonly Member[], learners: readonly LmsLearner[], knownLmsIds: ReadonlyMap<string, string>): LearnerMatch {
  const bySis = new Map<string, LmsLearner[]>();
  for (const l of learners) {
    // Snapshots stored before sisIdText may still hold a literal "$Person.sourcedId": it names nobody.
    const sis = sisIdText(l.sisId);
    if (sis) bySis.set(sis, [...(bySis.get(sis) ?? []), l]);
  }
  const listed = new Set(learners.map((l) => l.lmsUserId));

  const claims = new Map<string, Member[]>();
  const unmatchedMembers: Member[] = [];
  // Everyone on the roster is matched (a Moodle non-editing teacher is a Learner over LTI and no student in Moodle); only learners are reported.
  for (const m of members) {
    const sourcedId = sisIdText(m.sourcedId);
    const sisMatch = sourcedId ? bySis.get(sourcedId) : undefined;
    const lmsUserId = knownLmsIds.get(m.userId) ?? (sisMatch?.length === 1 ? sisMatch[0]!.lmsUserId : undefined);
    if (!lmsUserId || !listed.has(lmsUserId)) unmatchedMembers.push(m);
    else claims.set(lmsUserId, [...(claims.get(lmsUserId) ?? []), m]);
  }

  const userIdOf = new Map<string, string>();
  for (const [lmsUserId, claimants] of claims) {
    // Two roster learners pointing at one LMS user: neither can be trusted with that user's grades.
    if (claimants.length === 1) userIdOf.set(lmsUserId, claimants[0]!.userId);
    else unmatchedMembers.push(...claimants);
  }
  return {
    userIdOf,
    unmatchedMembers: unmatchedMembers.filter((m) => m.status === 'Active' && audienceOf(m.roles) === 'learner'),
    unmatchedLearners: learners.filter((l) => !userIdOf.has(l.lmsUserId)),
  };
}
