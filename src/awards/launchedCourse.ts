/**
 * What a launch records: the course as the platform offered it (context, and the AGS / NRPS
 * endpoints of the launch), the person's Canvas user id, language and e-mail address (for Laurel's
 * messages), a staff launch's person as staff and as teaching the course, and a learner's launch
 * as one of their courses (all their badges).
 */
import type { LtijsToken } from 'ltijs';
import type { Logger } from 'pino';
import { recordCourseLaunch, resumeCourse, type CourseRecord } from '../store/course.js';
import { recordLmsUserId } from '../store/lmsUser.js';
import { recordTaughtCourse } from '../store/taughtCourse.js';
import { recordLearnerCourse } from '../store/learnerCourse.js';
import { audienceOf } from '../rules/audience.js';
import { canvasUserIdOf, lmsCourseIdOf } from '../lti/courseOfLaunch.js';
import { recordStaffOfLaunch } from './staffOfLaunch.js';
import { recordLaunchContact } from '../store/messageRecipient.js';
import { localeOf } from '../i18n/locale.js';

/**
 * Records the course, the person's own Canvas user id when Canvas sent it (for the REST source),
 * and a staff launch's person as staff of the course (staffOfLaunch.ts) and as teaching it
 * (their earlier courses, for next term); a staff launch also resumes a course Laurel took as ended.
 * A learner's launch adds the course to theirs, where "all my badges" looks (store/learnerCourse.ts).
 */
export async function recordLaunchedCourse(token: LtijsToken, log?: Logger): Promise<CourseRecord> {
  const canvasUserId = canvasUserIdOf(token);
  // Three records of their own, written together: a launch waits for the slowest, not the sum.
  const [course] = await Promise.all([
    recordCourse(token),
    canvasUserId ? recordLmsUserId(token.iss, token.clientId, token.user, canvasUserId) : undefined,
    // Laurel's messages to them are in the language of their last launch, by e-mail to its address.
    recordLaunchContact({ issuer: token.iss, clientId: token.clientId, userId: token.user },
      { locale: localeOf(token.platformContext.launchPresentation?.locale), email: token.userInfo?.email }),
  ]);
  await recordStaffOfLaunch(course, token, log);
  const audience = audienceOf(token.platformContext.roles);
  if (audience === 'learner') await recordLearnerCourse(course, token.user);
  if (audience === 'staff') {
    await recordTaughtCourse(course, token.user);
    // Someone teaches it again: background sync reads it again (jobs/courseConclusion.ts). The
    // record just written says whether there is anything to resume: most launches skip the write.
    if (course.concludedAt || course.emptyRosterRuns) await resumeCourse(course.courseKey);
  }
  return course;
}

function recordCourse(token: LtijsToken): Promise<CourseRecord> {
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
    lmsCourseId: lmsCourseIdOf(token),
  });
}
