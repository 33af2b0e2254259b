/**
 * What connecting or checking a Moodle token can find wrong, each as a problem a page says in its
 * language (code, values, English words): what is wrong, who fixes it, and where in Moodle 4.5's
 * administration (issue 13).
 */
import { inputProblem, type InputProblem } from '../../inputProblem.js';
import type { LmsError } from '../errors.js';
import { MOODLE_PATHS, MoodleWsError } from '../moodleWs/moodleWsApi.js';
import type { MoodleCheck } from '../moodleWs/checkMoodleAccess.js';

const WHERE_TOKENS = MOODLE_PATHS.tokens;

export const moodleProblems = {
  courseId: (value: string) => inputProblem('lms.moodleCourseId', `course: "${value}" is not a Moodle course id, the number after id= in the course page's address (course/view.php?id=12)`, { value }),
  noCourse: () => inputProblem('lms.moodleNoCourse', 'course: Laurel checks the token by reading a real course, and knows none on this platform yet: give the id of a course with learners (the number after id= in its address, course/view.php?id=12)', {}),
  notConnected: () => inputProblem('lms.moodleNotConnected', 'Moodle web services are not connected: connect them with a token first', {}),
  keepsWorking: () => inputProblem('lms.moodleKeepsWorking', 'token: the connection already stored works and this token would not: it is kept. Fix the problems below in Moodle first, or disconnect before saving this token', {}),
  serviceRefused: (baseUrl: string) => inputProblem('lms.moodleServiceRefused',
    `token: Moodle at ${baseUrl} knows the token but refuses every function Laurel calls (Moodle says only "Access control exception"): Laurel's external service is disabled, or it allows only authorised users and the token's account is not one, or that account lacks webservice/rest:use. A Moodle administrator ticks "Enabled" on the service (${MOODLE_PATHS.services} → Edit), adds the account under "Authorised users" if "Authorised users only" is ticked, and allows webservice/rest:use in the account's role (${MOODLE_PATHS.roles}); then save again`, { baseUrl }),
  functions: (missing: readonly string[]) => {
    const functions = missing.join(', ');
    return inputProblem('lms.moodleFunctions', `token: the token's Moodle service does not allow every function Laurel calls; add these to it (${MOODLE_PATHS.services} → Functions), then save again: ${functions}`, { functions });
  },

  /** What refuses the token outright, as a problem in the form. */
  refusal(baseUrl: string, courseId: string, err: LmsError): InputProblem {
    if (err.kind === 'reconnect') return inputProblem('lms.moodleTokenRefused', `token: Moodle at ${baseUrl} does not know this token (mistyped, deleted or expired): create one for Laurel's service (${WHERE_TOKENS}) and paste it`, { baseUrl });
    if (err instanceof MoodleWsError && err.errorcode === 'webservicesoff') {
      return inputProblem('lms.moodleWebServicesOff', `base URL: Moodle at ${baseUrl} has web services or the REST protocol turned off: a Moodle administrator ticks "Enable web services" (${MOODLE_PATHS.advancedFeatures}) and enables REST (${MOODLE_PATHS.protocols}); then save again`, { baseUrl });
    }
    if (err instanceof MoodleWsError && err.kind === 'not_found') return inputProblem('lms.moodleCourseNotFound', `course: Moodle at ${baseUrl} has no course ${courseId}: give the id of an existing course (the number after id= in its address)`, { baseUrl, courseId });
    return inputProblem('lms.moodleUnchecked', `base URL: Laurel could not check the token with Moodle at ${baseUrl}: ${err.message}`, { baseUrl, why: err.message });
  },

  /** Each capability to grant, and what could not be checked, as problems a page says in its language. */
  check(c: MoodleCheck): InputProblem[] {
    const where = `${MOODLE_PATHS.roles}, the role of the token's account → Edit`;
    return [
      ...c.missingCapabilities.map((m): InputProblem => {
        const base = { capability: m.capability, courseId: c.courseId };
        switch (m.how.kind) {
          case 'refused':
            return inputProblem('lms.moodleCapability', `capability ${m.capability}: the token's Moodle account lacks it (Moodle refused ${m.how.wsfunction} in course ${c.courseId}); a Moodle administrator allows it (${where}), then checks again`, { ...base, wsfunction: m.how.wsfunction });
          case 'learnersLeftOut':
            return inputProblem('lms.moodleViewDetails', `capability ${m.capability}: the token's Moodle account lacks it (Moodle's enrolment list of course ${c.courseId} leaves out ${m.how.count} learner(s) its grade report lists); a Moodle administrator allows it (${where}), then checks again`, { ...base, count: m.how.count });
          case 'typeHidden':
            return inputProblem('lms.moodleModView', `capability ${m.capability}: the token's Moodle account lacks it (course ${c.courseId} holds a ${m.how.type} activity, Laurel's own at least, yet Moodle lists none to the account: it hides activities, their grades and completion from an account without their type's view capability); a Moodle administrator allows it and that of every activity type rules may name (${where}), then checks again`, { ...base, type: m.how.type });
          case 'activityHidden':
            return inputProblem('lms.moodleActivityHidden', `activity ${m.how.cmid}: badge "${m.how.badge}" names it, and Moodle does not list it in course ${c.courseId}: it was deleted, or the token's Moodle account lacks the view capability of its type (mod/<type>:view); a Moodle administrator allows it (${where}), then checks again`, { courseId: c.courseId, cmid: m.how.cmid, badge: m.how.badge });
        }
      }),
      ...c.unchecked.map((u) => (u === 'completion'
        ? inputProblem('lms.moodleCompletionUnchecked', `capability report/progress:view: course ${c.courseId} has no learner whose completion Laurel could ask for, so it is not checked; check again on a course with learners`, { courseId: c.courseId })
        : inputProblem('lms.moodleNoActivities', `capabilities mod/<type>:view: Moodle lists no activity in course ${c.courseId}, so Laurel could not check that the account may view them; check again on a course with activities`, { courseId: c.courseId }))),
    ];
  },
};
