/**
 * The emulated course as Laurel knows it after an install and a first launch: the platform
 * registered and the course recorded, without going through a browser.
 */
import { registerPlatform } from '../src/lti/platforms.js';
import { recordCourseLaunch, type CourseRecord } from '../src/store/course.js';
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
