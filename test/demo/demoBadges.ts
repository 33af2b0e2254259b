/**
 * The demo course's badges, as an instructor might define them: one on a quiz, one on a lab,
 * and a level that stacks on the lab; the institution's issuer profile; and a learner who has
 * earned the first, for the demo's learner link.
 */
import type { Emulator } from '../emulator/index.js';
import type { BadgeDefinition } from '../../src/rules/badge.js';
import { courseKeyOf } from '../../src/store/course.js';
import { saveBadge } from '../../src/store/badge.js';
import { saveIssuerProfile } from '../../src/store/issuerProfile.js';

const QUIZ_PERCENT = 60;

function badge(b: Omit<BadgeDefinition, 'tags' | 'alignments' | 'issueMode' | 'evidenceRequired'> & Partial<BadgeDefinition>): BadgeDefinition {
  return { tags: [], alignments: [], issueMode: 'automatic', evidenceRequired: false, ...b };
}

export async function defineDemoBadges(emulator: Emulator, tool: { clientId: string; deploymentId: string }): Promise<void> {
  const { course } = emulator;
  const instructor = course.users.find((u) => u.role === 'Instructor')!;
  const claims = emulator.idTokenClaims({ userId: instructor.id, clientId: tool.clientId, nonce: 'demo' }) as Record<string, { lineitems?: string }>;
  const lineItems = claims['https://purl.imsglobal.org/spec/lti-ags/claim/endpoint']!.lineitems!;
  const column = (label: string) => `${lineItems}/${course.activities.find((a) => a.label === label)!.id}`;
  const courseKey = courseKeyOf(emulator.issuer, tool.clientId, tool.deploymentId, course.contextId);
  const safety = { targetName: 'Laboratory safety', targetUrl: 'https://example.edu/competencies/lab-safety', targetFramework: 'Example Chemistry Skills' };
  for (const b of [
    badge({ id: 'demo-quiz-1', name: 'Quiz 1 Mastery', description: 'Showed a sound grasp of the first unit.', tags: ['quiz'], validFor: 'P2Y', renewal: { windowDays: 60 }, rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: column('Quiz 1'), percent: QUIZ_PERCENT }] } }),
    badge({ id: 'demo-safety', name: 'Safe in the Lab', description: 'Completed the laboratory safety session.', alignments: [safety], group: 'lab', level: 1, rules: { kind: 'all', rules: [{ kind: 'completed', lineItemId: column('Lab: Safety') }] } }),
    badge({ id: 'demo-lab-ready', name: 'Lab Ready', description: 'Safe in the lab and ready for titration work.', alignments: [safety], group: 'lab', level: 2, rules: { kind: 'all', rules: [{ kind: 'prerequisite', badgeId: 'demo-safety' }, { kind: 'minGrade', lineItemId: column('Quiz 2'), percent: 70 }] } }),
  ]) await saveBadge(courseKey, b, instructor.id);
  await saveIssuerProfile({ issuer: emulator.issuer, clientId: tool.clientId }, { name: 'Example University', url: 'https://example.edu', email: 'badges@example.edu', description: 'A fictional university for the demo.' }, 'demo');
}

/** An active learner whose Quiz 1 result earns "Quiz 1 Mastery". */
export function demoLearner(emulator: Emulator) {
  const { course } = emulator;
  const quiz = course.activities.find((a) => a.label === 'Quiz 1')!;
  const earns = (userId: string) => course.results.some((r) => r.userId === userId && r.lineItemId === quiz.id && r.score !== undefined && (r.score / (r.scoreMaximum ?? quiz.scoreMaximum)) * 100 >= QUIZ_PERCENT);
  const learners = course.users.filter((u) => u.role === 'Learner' && u.status === 'Active');
  return learners.find((u) => earns(u.id)) ?? learners[0]!;
}
