/**
 * Rules naming an item that only an LMS's own API sees (a Canvas assignment, a Moodle activity)
 * cannot be met while that API is not read: they say so, and what to do, instead of being
 * silently false.
 */
import { sourceOfItem, type LmsApiSource, type SourceState, type SourceStatus } from './snapshot.js';

const KINDS: Record<string, string> = {
  'canvas:assignment': 'Canvas assignment',
  'canvas:module': 'Canvas module',
  'canvas:module-item': 'Canvas module item',
  'moodle:cm': 'Moodle activity',
  'moodle:gradeitem': 'Moodle grade item',
};

/** "Canvas assignment 42" for `canvas:assignment:42`: what to call an item whose label is not at hand. */
export function itemDescription(id: string): string {
  const at = id.lastIndexOf(':');
  const kind = at > 0 ? KINDS[id.slice(0, at)] : undefined;
  return kind ? `${kind} ${id.slice(at + 1)}` : id;
}

/** Where a source is not read, its state; undefined for AGS items and for sources read in this snapshot. */
export function unreadSource(itemId: string, sources: readonly SourceState[] | undefined): { source: LmsApiSource; state: Exclude<SourceStatus, 'read'> } | undefined {
  const source = sourceOfItem(itemId);
  if (source !== 'canvas-rest' && source !== 'moodle-ws') return undefined;
  const state = sources?.find((s) => s.source === source)?.state ?? 'not connected';
  return state === 'read' ? undefined : { source, state };
}

export type UnreadState = Exclude<SourceStatus, 'read'>;

export const isLmsApiSource = (v: unknown): v is LmsApiSource => v === 'canvas-rest' || v === 'moodle-ws';

export const SOURCE_NAMES: Record<LmsApiSource, string> = {
  'canvas-rest': 'the Canvas connection',
  'moodle-ws': 'the Moodle web service',
};

/** Which source, what went wrong, and what a person does about it, in English (pages say it from `source.*`). */
export function unreadText(source: LmsApiSource, state: Exclude<SourceStatus, 'read'>): string {
  const name = SOURCE_NAMES[source];
  switch (state) {
    case 'not connected': return `${name}, which is not connected: an administrator connects it on Laurel's admin page`;
    case 'not authorized': return `${name}, which no instructor of this course has authorized yet: an instructor clicks "Connect Canvas" on Laurel's course page`;
    case 'needs reconnect': return source === 'canvas-rest'
      ? `${name}, which Canvas refused: an instructor clicks "Connect Canvas" on Laurel's course page again`
      : `${name}, whose token Moodle refused: an administrator enters a new token on Laurel's admin page`;
    case 'failed': return `${name}, which could not be read in the last run: see its warnings, then evaluate again`;
  }
}
