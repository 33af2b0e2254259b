/**
 * The course a launch comes from, as Laurel stores it: context, and the AGS / NRPS
 * endpoints the platform offered in the launch.
 */
import type { LtijsToken } from 'ltijs';
import { courseKeyOf, recordCourseLaunch, type CourseRecord } from '../store/course.js';

export function courseKeyOfToken(token: LtijsToken): string {
  return courseKeyOf(token.iss, token.clientId, token.deploymentId, token.platformContext.context?.id ?? '');
}

export function recordLaunchedCourse(token: LtijsToken): Promise<CourseRecord> {
  const c = token.platformContext;
  return recordCourseLaunch({
    issuer: token.iss,
    clientId: token.clientId,
    deploymentId: token.deploymentId,
    contextId: c.context?.id ?? '',
    title: c.context?.title ?? '',
    label: c.context?.label ?? '',
    lineItemsUrl: c.endpoint?.lineitems,
    agsScopes: c.endpoint?.scope ?? [],
    membershipsUrl: c.namesRoles?.context_memberships_url,
    productFamily: token.platformInfo?.product_family_code,
  });
}
