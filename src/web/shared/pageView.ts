/**
 * What every course page shows (the course, the person and their role, the session token for
 * links and forms), and the two pages a launch lands on.
 */
import type { Response } from 'express';
import { parseRole } from '../../lti/roles.js';
import { isLaurelAdministrator } from '../../lti/laurelAdministrator.js';
import type { MessageKey } from '../../i18n/en.js';
import { courseOf } from './courseContext.js';
import { pageTranslator } from './pageLanguage.js';
import { personName } from './personName.js';

export const PAGES = { staff: '/course', learner: '/me' } as const;


function roleLabel(roles: string[], grader: boolean): MessageKey {
  if (grader) return 'role.grader';
  const names = roles.map((r) => parseRole(r).name);
  if (names.includes('TeachingAssistant')) return 'role.teachingAssistant';
  if (names.includes('Instructor')) return 'role.instructor';
  if (names.includes('ContentDeveloper')) return 'role.contentDeveloper';
  if (names.includes('Administrator')) return 'role.administrator';
  return 'role.learner';
}

/** What every course page shows: the course, the person, the session token for links and forms. */
export function pageView(res: Response) {
  const { token, course, ltik, grader } = courseOf(res);
  const { t } = pageTranslator(res);
  return {
    course: { title: course.title || t('common.thisCourse'), label: course.label },
    person: { name: personName(token) },
    roleLabel: t(roleLabel(token.platformContext.roles, Boolean(grader))),
    /** Grades and does not edit: the pages offer no editing (courseContext.editorsOnly refuses it). */
    grader: Boolean(grader),
    ltik,
    q: `ltik=${encodeURIComponent(ltik)}`,
  };
}

/**
 * Whether the page links to the admin page: for whoever the admin page lets in, a Canvas root
 * account admin, a Moodle site administrator, or whom a Laurel administrator granted it.
 */
export const linksToAdmin = (res: Response): Promise<boolean> => isLaurelAdministrator(courseOf(res).token);
