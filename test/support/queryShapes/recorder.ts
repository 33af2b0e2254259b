/**
 * Records the shape of every query the tests make Laurel send (vitest `setupFiles`: it runs in
 * every test process before the test file). mongoose hands each driver call, with its filter
 * already cast, to its debug function; Laurel and ltijs share that one mongoose (store/connect.ts),
 * so ltijs's queries are recorded too. Each distinct shape, with the line of code that sent it,
 * becomes one line of a file in LAUREL_QUERY_SHAPES_DIR (made by globalSetup.ts for the run),
 * with the indexes its collection declares; the run's teardown checks them (check.ts).
 */
import { appendFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import mongoose from 'mongoose';
import { shapesOfCall } from './shape.js';
import type { DeclaredIndex } from './served.js';

const root = resolve(__dirname, '../../..');
const dir = process.env.LAUREL_QUERY_SHAPES_DIR;
const out = dir ? join(dir, `shapes-${process.pid}.jsonl`) : undefined;
const seen = new Set<string>();
const described = new Set<string>();

interface Frame { file: string; line: number }

/**
 * The code that sent the query: the first frame in this repository (src/, test/, bench/) or in
 * ltijs; for ltijs, which queries through its Database class, the ltijs code that called it and,
 * when there is one, the frame of Laurel's that called ltijs (`ltijs/dist/… via src/lti/…`).
 */
export function senderOf(frames: Frame[]): string {
  let viaLtijs: string | undefined;
  for (const { file, line } of frames) {
    if (file.includes('/node_modules/ltijs/')) {
      if (!viaLtijs && !file.endsWith('/Utils/Database.js')) viaLtijs = `ltijs/${file.split('/node_modules/ltijs/')[1]}:${line}`;
      continue;
    }
    if (file.includes('/node_modules/') || !file.startsWith(root) || file.includes('/test/support/queryShapes/')) continue;
    const here = `${relative(root, file)}:${line}`;
    return viaLtijs ? `${viaLtijs} via ${here}` : here;
  }
  return viaLtijs ?? 'unknown';
}

/** The call stack as files and lines, cheaply (no source maps): enough to tell one call site from another. */
function rawFrames(): Frame[] {
  const saved = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_e, sites) => sites;
  Error.stackTraceLimit = 60;
  const holder: { stack?: NodeJS.CallSite[] } = {};
  Error.captureStackTrace(holder);
  const sites = holder.stack ?? [];
  Error.prepareStackTrace = saved;
  Error.stackTraceLimit = savedLimit;
  return sites.map((s) => ({ file: (s.getFileName() ?? '').replace(/^file:\/\//, ''), line: s.getLineNumber() ?? 0 }));
}

/** The same stack as a person reads it (vitest maps the lines back to the TypeScript source). */
function mappedFrames(): Frame[] {
  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = savedLimit;
  return stack.split('\n').flatMap((l) => {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(l.trim());
    return m ? [{ file: m[1]!.replace(/^file:\/\//, ''), line: Number(m[2]) }] : [];
  });
}

function indexesOf(collection: string): DeclaredIndex[] | null {
  const name = mongoose.modelNames().find((n) => mongoose.model(n).collection.collectionName === collection);
  if (!name) return null;
  return mongoose.model(name).schema.indexes().map(([fields, options]) => ({
    keys: Object.entries(fields),
    ...((options as { partialFilterExpression?: unknown }).partialFilterExpression ? { partial: true } : {}),
  }));
}

function record(collection: string, method: string, args: unknown[]): void {
  const shapes = shapesOfCall(collection, method, args);
  if (!shapes.length) return;
  const site = senderOf(rawFrames());
  for (const shape of shapes) {
    const key = JSON.stringify([shape, site]);
    if (seen.has(key)) continue;
    seen.add(key);
    const lines = [JSON.stringify({ kind: 'shape', ...shape, from: senderOf(mappedFrames()) })];
    if (!described.has(collection)) {
      described.add(collection);
      lines.push(JSON.stringify({ kind: 'indexes', collection, indexes: indexesOf(collection) }));
    }
    appendFileSync(out!, `${lines.join('\n')}\n`);
  }
}

if (out) {
  mongoose.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    try {
      record(collection, method, args);
    } catch (err) {
      // A recorder that breaks a query would fail tests that have nothing to do with it.
      appendFileSync(out, `${JSON.stringify({ kind: 'error', collection, method, error: String(err) })}\n`);
    }
  });
}
