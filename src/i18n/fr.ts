/** French (français). Every key of the English catalogue, checked by the compiler. */
import type { MessageKey } from './en.js';

export const fr: Record<MessageKey, string> = {
  'app.name': 'Laurel',
  'common.reason': 'Motif',
  'common.whatToDo': 'Que faire :',
  'common.met': 'Rempli :',
  'common.notMet': 'Non rempli :',
};
