/**
 * What AGS can show a tool, said to an instructor: both LMSs list only the grade columns of
 * the tool's own links (digest §4), and neither reports module completion over LTI. In English
 * (the API's words) unless a page passes its own language's `t`.
 */
import { translator, type Translator } from '../i18n/translate.js';

const english = translator('en').t;

export function lineItemVisibilityHint(productFamily: string | undefined, lineItemCount: number, hasAgs: boolean, t: Translator['t'] = english): string {
  const lms = productFamily === 'canvas' ? 'Canvas' : productFamily === 'moodle' ? 'Moodle' : t('columns.yourLms');
  if (!hasAgs) return `${t('columns.noAgs', { lms })} ${t(productFamily === 'moodle' ? 'columns.noAgsMoodle' : 'columns.noAgsOther')}`;
  const own = t(productFamily === 'moodle' ? 'columns.ownLinksMoodle' : 'columns.ownLinks', { lms });
  const todo = t('columns.todo');
  return lineItemCount === 0 ? `${t('columns.noneYet')} ${own} ${todo}` : `${own} ${todo}`;
}
