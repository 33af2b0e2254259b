import { describe, it, expect } from 'vitest';
import { INSTRUCTOR, LEARNER, QUIZ1, TA, badge, member, minPercent, result, run, snapshot, verdictOf } from './fixtures.js';

const quiz = badge('quiz', minPercent(QUIZ1.id, 50));

describe('who is evaluated', () => {
  it('learners who left the course earn nothing, but keep their reasons', () => {
    const course = snapshot({
      members: [member('ada'), member('bob', [LEARNER], 'Inactive'), member('cy', [LEARNER], 'Deleted')],
      lineItems: [QUIZ1],
      results: ['ada', 'bob', 'cy'].map((u) => result(QUIZ1.id, u, 10)),
    });
    const verdicts = run([quiz], course);
    expect(verdictOf(verdicts, 'quiz', 'ada')).toMatchObject({ earned: true });
    expect(verdictOf(verdicts, 'quiz', 'ada').excluded).toBeUndefined();
    expect(verdictOf(verdicts, 'quiz', 'bob')).toMatchObject({ earned: false, awaitingApproval: false, excluded: 'inactive in the course', reason: { met: true } });
    expect(verdictOf(verdicts, 'quiz', 'cy')).toMatchObject({ earned: false, excluded: 'removed from the course', reason: { met: true, text: 'Quiz 1: 100 % of the 50 % needed' } });
  });

  it('staff are not evaluated, whether roles come as full URIs or short forms', () => {
    const course = snapshot({
      members: [
        member('teacher', [INSTRUCTOR]), member('ta', [TA]), member('short-teacher', ['Instructor']),
        member('short-ta', ['TeachingAssistant']), member('ada', [LEARNER]), member('short-learner', ['Learner']),
      ],
      lineItems: [QUIZ1],
    });
    expect(run([quiz], course).map((v) => v.userId)).toEqual(['ada', 'short-learner']);
  });

  // canvas-lms lib/lti/substitutions_helper.rb, LIS_V2_LTI_ADVANTAGE_ROLE_MAP: StudentViewEnrollment is
  // membership#Learner plus lti/system/person#TestUser; ObserverEnrollment is membership#Mentor.
  it('Canvas\'s Test Student and observers are not evaluated, even asked for by id (a launch of theirs)', () => {
    const TEST_USER = 'http://purl.imsglobal.org/vocab/lti/system/person#TestUser';
    const MENTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor';
    const course = snapshot({
      members: [member('ada'), member('test-student', [LEARNER, TEST_USER]), member('parent', [MENTOR]), member('short-parent', ['Mentor'])],
      lineItems: [QUIZ1],
      results: ['ada', 'test-student'].map((u) => result(QUIZ1.id, u, 10)),
    });
    expect(run([quiz], course).map((v) => v.userId)).toEqual(['ada']);
    expect(run([quiz], course, { userIds: ['test-student', 'parent'] })).toEqual([]);
  });

  it('userIds restricts the run to one learner (a learner\'s launch)', () => {
    const course = snapshot({ members: [member('ada'), member('bob'), member('teacher', [INSTRUCTOR])], lineItems: [QUIZ1] });
    expect(run([quiz], course, { userIds: ['bob'] }).map((v) => v.userId)).toEqual(['bob']);
    expect(run([quiz], course, { userIds: ['teacher'] })).toEqual([]);
  });
});
