/**
 * What AGS can show a tool, said to an instructor: both LMSs list only the grade columns of
 * the tool's own links (digest §4), and neither reports module completion over LTI.
 */
export function lineItemVisibilityHint(productFamily: string | undefined, lineItemCount: number, hasAgs: boolean): string {
  const lms = productFamily === 'canvas' ? 'Canvas' : productFamily === 'moodle' ? 'Moodle' : 'Your LMS';
  if (!hasAgs) {
    return `${lms} did not give Laurel access to grades in this course (no Assignment and Grade Services in the launch). ` +
      (productFamily === 'moodle'
        ? 'A Moodle administrator sets "IMS LTI Assignment and Grade Services" to "Use this service for grade sync and column management" in Laurel\'s tool settings.'
        : 'An administrator enables the Assignment and Grade Services scopes on Laurel\'s developer key.');
  }
  const own = `${lms} shows Laurel only the grade columns of Laurel's own links and of other LTI links it created; ordinary ${productFamily === 'moodle' ? 'Moodle activities (assignments, quizzes)' : 'assignments, quizzes and discussions'} are not visible over LTI.`;
  const todo = 'To use an activity in a rule, add it to the course as an LTI link with a grade (or let Laurel create a grade column), then it appears here.';
  return lineItemCount === 0 ? `No grade columns are visible to Laurel yet. ${own} ${todo}` : `${own} ${todo}`;
}
