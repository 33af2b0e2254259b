/**
 * The custom parameters Laurel asks the LMS to fill in at each launch, the same in the Canvas
 * developer-key JSON, in dynamic registration and in the README's manual settings:
 * Canvas's own ids for its REST API, and on both LMSs the course's copy history
 * (`$Context.id.history`), so a course copied for next term can name the course its badges
 * are in (nextTerm/earlierCourses.ts). On Canvas, whether the person administers the root account
 * (canvas-lms lib/lti/variable_expander.rb, "Canvas.user.isRootAccountAdmin": true for root account
 * admins, false for every other role), which alone makes a Canvas Administrator a Laurel
 * administrator (laurelAdministrator.ts).
 */
export const CONTEXT_HISTORY_PARAMETER = 'context_id_history';
export const ROOT_ADMIN_PARAMETER = 'canvas_user_is_root_admin';

export function laurelCustomParameters(productFamily: string | undefined): Record<string, string> {
  const history = { [CONTEXT_HISTORY_PARAMETER]: '$Context.id.history' };
  return productFamily === 'canvas' ? { canvas_course_id: '$Canvas.course.id', canvas_user_id: '$Canvas.user.id', [ROOT_ADMIN_PARAMETER]: '$Canvas.user.isRootAccountAdmin', ...history } : history;
}
