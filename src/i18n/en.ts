/**
 * English: the reference catalogue. Keys are grouped by page ("dashboard.…", "learner.…");
 * "{name}" marks a value filled in, and keys ending in ".one" / ".other" are plural forms.
 */
export const en = {
  'app.name': 'Laurel',
  'common.reason': 'Reason',
  'common.whatToDo': 'What to do:',
  'common.met': 'Met:',
  'common.notMet': 'Not met:',
} as const;

export type MessageKey = keyof typeof en;
