/**
 * After the whole run (globalSetup.ts's teardown): reads what every test process recorded
 * (recorder.ts) and finds the queries Laurel or ltijs sent that no declared index serves
 * (served.ts) and the allow-list does not allow. Queries a test sends itself (to arrange or
 * to look) are not Laurel's and are left out.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allowedScans } from './allowedScans.js';
import { unservedShapes, unusedAllowances, type DeclaredIndex, type RecordedShape, type Unserved } from './served.js';

export interface Recording {
  shapes: RecordedShape[];
  indexes: Map<string, DeclaredIndex[]>;
  errors: string[];
}

/** Every recorded line of the run, shapes deduplicated. */
export function readRecording(dir: string): Recording {
  const shapes = new Map<string, RecordedShape>();
  const indexes = new Map<string, DeclaredIndex[]>();
  const errors: string[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      const { kind, ...entry } = JSON.parse(line) as { kind: string } & Record<string, unknown>;
      if (kind === 'shape') shapes.set(JSON.stringify(entry), entry as unknown as RecordedShape);
      else if (kind === 'indexes' && entry.indexes) indexes.set(entry.collection as string, entry.indexes as DeclaredIndex[]);
      else if (kind === 'error') errors.push(`${entry.collection}.${entry.method}: ${entry.error}`);
    }
  }
  return { shapes: [...shapes.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), indexes, errors };
}

/** Laurel's and ltijs's queries; a test's own (sent from test/, not through Laurel) are not checked. */
export function isLaurels(shape: RecordedShape): boolean {
  return !shape.from.startsWith('test/');
}

export interface Verdict { unserved: Unserved[]; report: string }

export function checkRecording(recording: Recording): Verdict {
  const laurels = recording.shapes.filter(isLaurels);
  const unserved = unservedShapes(laurels, recording.indexes, allowedScans);
  const lines: string[] = [];
  if (unserved.length) {
    lines.push(`${unserved.length} query shape(s) that no declared index serves: each scans its collection on MongoDB as it grows.`,
      'Declare an index whose leading key the filter matches (schema.index in src/store/), find by _id where the key is known,',
      'or, for a scan on purpose, add it to test/support/queryShapes/allowedScans.ts with the reason:',
      ...unserved.map((u) => `  ${u.description}`));
  }
  if (recording.errors.length) lines.push('The query recorder failed on:', ...recording.errors.map((e) => `  ${e}`));
  return { unserved, report: lines.join('\n') };
}

export interface RunOptions {
  log?: (line: string) => void;
  /** A file to keep every shape in, with the indexes and the allow-list entries no query used, for reading after the run. */
  keep?: string;
}

/** Checks a finished run: prints what is wrong and returns false. */
export function checkRun(dir: string, { log = (l) => process.stderr.write(`${l}\n`), keep }: RunOptions = {}): boolean {
  const recording = readRecording(dir);
  const verdict = checkRecording(recording);
  if (keep) {
    writeFileSync(keep, `${JSON.stringify({
      shapes: recording.shapes,
      indexes: Object.fromEntries([...recording.indexes].sort(([a], [b]) => a.localeCompare(b))),
      unserved: verdict.unserved.map((u) => u.description),
      unusedAllowances: unusedAllowances(recording.shapes.filter(isLaurels), allowedScans),
    }, null, 2)}\n`);
  }
  if (verdict.report) log(`\nQuery shapes (test/support/queryShapes):\n${verdict.report}\n`);
  return verdict.unserved.length === 0 && recording.errors.length === 0;
}
