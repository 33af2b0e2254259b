import { describe, expect, it } from 'vitest';
import { audienceOf, hasCourseStaffRole, isGraderByRoles, isPlatformAdmin } from '../../src/lti/roles.js';

const M = 'http://purl.imsglobal.org/vocab/lis/v2/membership';
const I = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person';

describe('who lands where (LTI 1.3 roles, full URIs and short forms)', () => {
  it.each([
    [[`${M}#Instructor`], 'staff'],
    [[`${M}#Instructor`, `${M}/Instructor#TeachingAssistant`], 'staff'], // Canvas TA
    [[`${M}/Instructor#TeachingAssistant`], 'staff'],
    [[`${M}#ContentDeveloper`], 'staff'],
    [[`${M}#Administrator`], 'staff'],
    [[`${I}#Administrator`, `${I}#Student`], 'staff'], // an institution admin viewing a course
    [['Instructor'], 'staff'], // short form
    [['TeachingAssistant'], 'staff'],
    [[`${M}/Instructor#Grader`], 'staff'], // LTI's grader, even without the principal role
    [[`${M}#Learner`], 'learner'],
    [['Learner'], 'learner'],
    // canvas-lms lib/lti/substitutions_helper.rb, LIS_V2_LTI_ADVANTAGE_ROLE_MAP: ObserverEnrollment, StudentViewEnrollment.
    [[`${M}#Mentor`], 'observer'],
    [['Mentor'], 'observer'],
    [[`${M}#Learner`, `${M}#Mentor`], 'learner'], // a learner who also observes someone is still a learner
    [['http://purl.imsglobal.org/vocab/lis/v2/system/person#User', `${M}#Learner`, 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser'], 'test-student'],
    [[`${M}#Instructor`, 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser'], 'staff'],
    [[`${I}#Faculty`, `${M}#Learner`], 'learner'], // faculty enrolled as a student is a learner here
    [[], 'learner'],
  ])('%j → %s', (roles, audience) => {
    expect(audienceOf(roles)).toBe(audience);
  });

  it('recognises platform administrators by institution or system role only', () => {
    expect(isPlatformAdmin([`${I}#Administrator`])).toBe(true);
    expect(isPlatformAdmin(['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'])).toBe(true);
    expect(isPlatformAdmin([`${M}#Administrator`])).toBe(false);
  });
});

describe('who grades only (LTI\'s Grader sub-role), and who is staff of the course itself', () => {
  it.each([
    [[`${M}#Instructor`, `${M}/Instructor#Grader`], true],
    [[`${M}/Instructor#Grader`], true],
    [[`${M}#Instructor`, `${M}/Instructor#TeachingAssistant`], false], // Canvas's TA edits by default
    [[`${M}#Instructor`], false], // Moodle's non-editing teacher is recognised by NRPS or its web services, not by the launch
    [[`${M}#Instructor`, `${M}/Instructor#Grader`, `${I}#Administrator`], false],
    [[`${M}#ContentDeveloper`, `${M}/Instructor#Grader`], false],
  ])('%j grades only: %s', (roles, grader) => {
    expect(isGraderByRoles(roles)).toBe(grader);
  });

  it('counts course roles only as staff of the course: an institution administrator enrolled as a student is no teacher of it', () => {
    expect(hasCourseStaffRole([`${M}#Instructor`])).toBe(true);
    expect(hasCourseStaffRole(['Instructor'])).toBe(true);
    expect(hasCourseStaffRole([`${I}#Administrator`, `${M}#Learner`])).toBe(false);
    expect(hasCourseStaffRole([`${M}#Learner`])).toBe(false);
  });
});
