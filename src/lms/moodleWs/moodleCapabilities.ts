/**
 * The capabilities the Moodle account of Laurel's token needs (seen in a real Moodle 4.5.6 and
 * read in its source), and how to recognise each one in Moodle's refusals. Moodle names a missing
 * capability only by its description, in the token user's language ("Sorry, but you do not
 * currently have permissions to do that (View user report)."), so the English descriptions are
 * kept here to name the capability itself; in another language, the function that failed says
 * which capability it checks first.
 */

/** Every capability Laurel's role needs besides the activity types' `mod/<type>:view`, in the order the README lists them. */
export const MOODLE_ROLE_CAPABILITIES = [
  'webservice/rest:use',
  'moodle/course:view',
  'moodle/grade:viewall',
  'gradereport/user:view',
  'report/progress:view',
  'moodle/user:viewdetails',
  'moodle/course:enrolreview',
] as const;

export const modView = (modname: string) => `mod/${modname}:view`;

/** Moodle 4.5's English descriptions (lang/en), as its "nopermissions" message quotes them. */
const DESCRIPTIONS: Record<string, string> = {
  'View courses without participation': 'moodle/course:view',
  'View grades of other users': 'moodle/grade:viewall',
  'View user report': 'gradereport/user:view',
  'View activity completion reports': 'report/progress:view',
  'View user profiles': 'moodle/user:viewdetails',
  'Review course enrolments': 'moodle/course:enrolreview',
  // course_require_view_participants() names moodle/course:viewparticipants, which enrolreview also satisfies.
  'View participants': 'moodle/course:enrolreview',
  'View assignment': 'mod/assign:view',
  'View quiz information': 'mod/quiz:view',
  'Launch external tool activities': 'mod/lti:view',
  'View page content': 'mod/page:view',
  // Laurel's messages (moodleMessages.ts), optional.
  'Send messages to any user': 'moodle/site:sendmessage',
};

/**
 * The capability each function checks first once it is in the course, as Moodle 4.5 checks them
 * for the calls Laurel makes: what a refusal in another language than English most likely means.
 */
const FIRST_CHECKED: Record<string, string> = {
  gradereport_user_get_grade_items: 'gradereport/user:view',
  core_completion_get_activities_completion_status: 'report/progress:view',
  core_enrol_get_enrolled_users: 'moodle/course:enrolreview',
  core_course_get_contents: 'moodle/course:view',
  core_message_send_instant_messages: 'moodle/site:sendmessage',
};

/**
 * The capability a Moodle refusal names, or undefined when the error is not about one:
 * `nopermissions` (require_capability), `requireloginerror` / `errorcoursecontextnotvalid`
 * (the account is neither enrolled nor allowed to view courses), `nopermissiontoviewgrades`
 * (the grade report without moodle/grade:viewall).
 */
export function missingCapabilityOf(wsfunction: string, errorcode: string, message: string): string | undefined {
  switch (errorcode) {
    case 'nopermissions': {
      const described = /\(([^()]+)\)\.?\s*$/.exec(message)?.[1]?.trim();
      return (described && DESCRIPTIONS[described]) || FIRST_CHECKED[wsfunction];
    }
    case 'requireloginerror':
    case 'errorcoursecontextnotvalid':
      return 'moodle/course:view';
    case 'nopermissiontoviewgrades':
      return 'moodle/grade:viewall';
    default:
      return undefined;
  }
}
