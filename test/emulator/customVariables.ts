/**
 * Custom parameters with the platform's substitutions made (digest §1, `custom`): a tool asks
 * for `canvas_course_id=$Canvas.course.id` and receives the value. A variable the platform
 * cannot substitute stays as the literal text, as both LMSs leave it.
 *
 * `$Context.id.history`: Canvas answers the context ids of the courses content was copied from,
 * most recent first, comma-separated, "" when never copied (canvas-lms
 * lib/lti/variable_expander.rb, "Context.id.history"; lib/lti/substitutions_helper.rb,
 * recursively_fetch_previous_lti_context_ids). Moodle 4.5 follows `originalcourseid` up the
 * chain (mod/lti/locallib.php, get_course_history), which only a restore into a new course of
 * the same site sets (backup/moodle2/restore_stepslib.php): an import into an existing course
 * or a restore from another site leaves it "".
 *
 * `$Canvas.user.isRootAccountAdmin`: "true" for an admin of the root account, "false" for every
 * other role, sub-account admins included (canvas-lms lib/lti/variable_expander.rb:
 * `@current_user.roles(@root_account).include? "root_admin"`; a boolean, sent as a string in `custom`).
 */
import type { SeedCourse, SeedUser } from './course.js';
import type { Flavour } from './flavours.js';

export function substituteCustom(flavour: Flavour, course: SeedCourse, user: SeedUser, params: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = {
    '$Context.id.history': (course.contextHistory ?? []).join(','),
    ...(flavour === 'canvas' ? { '$Canvas.course.id': course.id, '$Canvas.user.id': user.lmsId, '$Canvas.user.isRootAccountAdmin': String(Boolean(user.siteAdmin)) } : {}),
  };
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, values[v] ?? v]));
}
