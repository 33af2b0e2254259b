/**
 * A job's phase in the page's language. Jobs store their phase in English (the API shows it as
 * is); the phases Laurel writes are known here, and anything else is shown as stored.
 */
import type { MessageKey } from '../../i18n/en.js';
import type { Translator } from '../../i18n/translate.js';

const PHASES: Record<string, MessageKey> = {
  queued: 'job.phase.queued',
  starting: 'job.phase.starting',
  'reading grades and roster from the LMS': 'job.phase.reading',
  'recording awards': 'job.phase.recording',
  'signing credentials': 'job.phase.signing',
  revoking: 'job.phase.revoking',
  'waiting for another evaluation of this course to finish': 'job.phase.waiting',
  done: 'job.phase.done',
  failed: 'job.phase.failed',
};

export function jobPhase(phase: string, tr: Translator): string {
  const key = PHASES[phase];
  return key ? tr.t(key) : phase;
}
