/**
 * The emulated course as Laurel knows it after an install and a first launch: the platform
 * registered and the course recorded, without going through a browser.
 */
import { registerPlatform } from '../src/lti/platforms.js';
import { recordCourseLaunch, type CourseRecord } from '../src/store/course.js';
import { saveBadge } from '../src/store/badge.js';
import type { BadgeDefinition } from '../src/rules/badge.js';
import type { EmulatorInfo } from './emulatorProcess.js';

export async function knownCourse(lms: EmulatorInfo): Promise<CourseRecord> {
  await registerPlatform({
    issuer: lms.issuer, clientId: lms.clientId, name: 'bench', authEndpoint: lms.endpoints.auth, tokenEndpoint: lms.endpoints.token,
    jwksUri: lms.endpoints.jwks, deploymentIds: [lms.deploymentId], active: true,
  });
  return recordCourseLaunch({
    issuer: lms.issuer, clientId: lms.clientId, deploymentId: lms.deploymentId, contextId: lms.course.contextId, title: lms.course.title, label: lms.course.label,
    lineItemsUrl: lms.lineItemsUrl, agsScopes: lms.agsScopes, membershipsUrl: lms.membershipsUrl, productFamily: 'canvas',
  });
}

/** The emulated course, known to Laurel, with three badges an instructor approves (so launches award, never sign); its key. */
export async function launchedCourse(lms: EmulatorInfo): Promise<string> {
  const record = await knownCourse(lms);
  const columns = lms.course.activityIds.map((id) => `${record.lineItemsUrl}/${id}`);
  for (const [i, percent] of [50, 70, 90].entries()) {
    const badge: BadgeDefinition = {
      id: `grade-${i}`, name: `Grade ${percent}`, description: `${percent}% or more.`, tags: [], alignments: [], issueMode: 'approval', evidenceRequired: false,
      rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns[i]!, percent }] },
    };
    await saveBadge(record.courseKey, badge, lms.course.instructorId);
  }
  return record.courseKey;
}
