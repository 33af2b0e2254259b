/**
 * What the audit log says of a course's retention: what was removed, in counts and kinds, from
 * which course and since when it was not launched; never the data. In English, as every audit
 * entry's detail is.
 */
import type { CourseTrim } from './trimCourse.js';

const count = (n: number, one: string, other: string) => `${n} ${n === 1 ? one : other}`;

export function retentionSummary(trim: CourseTrim, courseTitle: string, lastLaunchAt: Date): string {
  const parts = [
    trim.reasons && `the reasons and grades of ${count(trim.reasons, 'award', 'awards')}`,
    trim.renewals && `the reasons and grades of ${count(trim.renewals, 'renewal', 'renewals')}`,
    trim.learners && `the names and e-mails of ${count(trim.learners, 'learner', 'learners')}`,
    trim.evidence && `the evidence texts of ${count(trim.evidence, 'award', 'awards')}`,
    trim.credentials && `the learner's identity in the facts of ${count(trim.credentials, 'issued credential', 'issued credentials')}`,
    trim.standings && count(trim.standings, 'standing snapshot', 'standing snapshots'),
    trim.jobs && `the input and error of ${count(trim.jobs, 'finished job', 'finished jobs')}`,
  ].filter((p): p is string => Boolean(p));
  return `Retention: removed ${parts.join(', ')} from course “${courseTitle}”, not launched since ${lastLaunchAt.toISOString().slice(0, 10)}`;
}
