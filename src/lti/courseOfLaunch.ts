/**
 * The course a launch comes from, read from the launch: its key in Laurel's store, the LMS's own
 * course id, the launching person's Canvas user id.
 */
import type { LtijsToken } from 'ltijs';
import { courseKeyOf } from '../store/course.js';

export function courseKeyOfToken(token: LtijsToken): string {
  return courseKeyOf(token.iss, token.clientId, token.deploymentId, token.platformContext.context?.id ?? '');
}

/** A substitution the LMS made: Canvas leaves one it cannot make as the literal "$Canvas.user.id". */
const substituted = (v: string | undefined) => (v && /^\d+$/.test(v) ? v : undefined);

/** The LMS's own course id: Canvas sends it as a custom parameter; Moodle's context id is its course id. */
export function lmsCourseIdOf(token: LtijsToken): string | undefined {
  if (token.platformInfo?.product_family_code === 'moodle') return substituted(token.platformContext.context?.id);
  return substituted(token.platformContext.custom?.canvas_course_id);
}

/** The launching person's own Canvas user id, when Canvas substituted it. */
export function canvasUserIdOf(token: LtijsToken): string | undefined {
  return substituted(token.platformContext.custom?.canvas_user_id);
}
