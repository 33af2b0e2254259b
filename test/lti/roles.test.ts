import { describe, expect, it } from 'vitest';
import { audienceOf, isPlatformAdmin } from '../../src/lti/roles.js';

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
    [[`${M}#Learner`], 'learner'],
    [['Learner'], 'learner'],
    [[`${M}#Mentor`], 'learner'],
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
