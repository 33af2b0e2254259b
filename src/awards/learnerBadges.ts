/**
 * Every badge one learner holds on one platform (registration), course by course: the courses
 * they launched as a learner (one read by their person key, store/learnerCourse.ts), each
 * course's record by its key, and the learner's awards in it by the (courseKey, userId) index.
 * A course is read only when its record names the same registration: the person key already
 * says so, and this says it again where the data is.
 */
import type { Award } from '../store/award.js';
import { awardsOf } from '../store/award.js';
import { listBadges } from '../store/badge.js';
import { findCourse, type CourseRecord } from '../store/course.js';
import type { IssuedCredential } from '../store/issuedCredential.js';
import { learnerCoursesOf, type Person } from '../store/learnerCourse.js';
import type { BadgeDefinition } from '../rules/badge.js';
import { badgeState, type BadgeState } from './badgeState.js';
import { currentValidUntil, latestCredential } from './renewal.js';

export interface LearnerCourseAwards {
  course: CourseRecord;
  badges: BadgeDefinition[];
  /** The learner's awards in the course: given, waiting for approval, or revoked. */
  awards: Award[];
}

export interface HeldBadge {
  award: Award;
  /** Absent once the instructor deleted the badge (its award and credential stay). */
  badge?: BadgeDefinition;
  /** The latest signed credential (a renewed badge's renewal), once there is one. */
  credential?: IssuedCredential;
  validUntil?: Date;
  state: BadgeState;
}

export interface LearnerCourseBadges extends LearnerCourseAwards { held: HeldBadge[] }

/**
 * The courses where the person holds an award (given, pending or revoked), most recently
 * launched first; `sessionCourseKey` (the course of their session) is read even when the
 * launches recorded so far do not list it.
 */
export async function learnerAwards(person: Person, sessionCourseKey?: string): Promise<LearnerCourseAwards[]> {
  const keys = (await learnerCoursesOf(person)).map((c) => c.courseKey);
  if (sessionCourseKey && !keys.includes(sessionCourseKey)) keys.unshift(sessionCourseKey);
  const found = await Promise.all(keys.map(async (courseKey): Promise<LearnerCourseAwards | undefined> => {
    const course = await findCourse(courseKey);
    if (!course || course.issuer !== person.issuer || course.clientId !== person.clientId) return undefined;
    const awards = await awardsOf(courseKey, { userId: person.userId });
    if (!awards.length) return undefined;
    return { course, awards, badges: await listBadges(courseKey) };
  }));
  return found.filter((c): c is LearnerCourseAwards => c !== undefined);
}

/** The awards with their latest credentials (each read by key) and where each stands today. */
export async function withStates(courses: LearnerCourseAwards[], now = new Date()): Promise<LearnerCourseBadges[]> {
  return Promise.all(courses.map(async (c) => {
    const held = await Promise.all(c.awards.map(async (award): Promise<HeldBadge> => {
      const badge = c.badges.find((b) => b.id === award.badgeId);
      const credential = (await latestCredential(award)) ?? undefined;
      const until = credential ? credential.facts.award.validUntil : endOf(award, badge);
      return { award, badge, credential, validUntil: until, state: badgeState(award.status, until, now) };
    }));
    return { ...c, held };
  }));
}

/** Before signing, the end the credential will carry (its latest renewal's, else the badge's period from the award's date). */
function endOf(award: Award, badge: BadgeDefinition | undefined): Date | undefined {
  try {
    return currentValidUntil(award, badge);
  } catch {
    return undefined; // a period the editor would refuse now: the credential will say
  }
}
