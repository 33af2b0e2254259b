/**
 * An LMS client for a course, from what Laurel stored: the platform's registration and
 * Laurel's key pair for it (ltijs) and the course's service endpoints. No launch needed.
 */
import { createPrivateKey } from 'node:crypto';
import { lti } from '../lti/provider.js';
import type { CourseRecord } from '../store/course.js';
import { LmsClient } from './client.js';
import { LmsError } from './errors.js';

export async function lmsClientFor(course: Pick<CourseRecord, 'issuer' | 'clientId'>): Promise<LmsClient> {
  const platform = await lti.getPlatform(course.issuer, course.clientId);
  if (!platform) throw new LmsError('unauthorized', `the platform ${course.issuer} (client ${course.clientId}) is no longer registered with Laurel`);
  const tokenEndpoint = await platform.platformAccessTokenEndpoint();
  return new LmsClient({
    issuer: course.issuer,
    clientId: course.clientId,
    tokenEndpoint,
    kid: await platform.platformKid(),
    privateKey: createPrivateKey(await platform.platformPrivateKey()),
  });
}
