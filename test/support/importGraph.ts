/**
 * Laurel's import graph, read from the source: every relative import of every file under src/
 * (and config/), with the room (docs/architecture.md) each end belongs to. Small on purpose: a
 * regular expression over `import … from '…'` and `import('…')`, which is how the code imports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface Edge { from: string; to: string }

const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import among the files under `folders`, as paths from `root` (with .ts). */
export function importEdges(root: string, folders: string[]): Edge[] {
  return folders.flatMap((folder) => walk(join(root, folder))).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(IMPORT)].map(([, spec]) => ({
      from: relative(root, file),
      to: relative(root, resolve(dirname(file), spec!.replace(/\.js$/, '.ts'))),
    })));
}

/**
 * The room a file lives in: a folder of src/ (web/ split by audience), `boot` for boot.ts and
 * server.ts, which assemble everything, `leaves` for src's other single files, `config`, or
 * `test` (which src never imports).
 */
export function roomOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'config') return 'config';
  if (parts[0] === 'test' || parts[0] === 'bench') return parts[0];
  if (parts[0] !== 'src') return `outside (${path})`;
  if (parts.length === 2) return ['src/boot.ts', 'src/server.ts'].includes(path) ? 'boot' : 'leaves';
  if (parts[1] === 'web' && parts.length > 3) return `web/${parts[2]}`;
  return parts[1]!;
}

/** The imports that cross from one room into another that `mayImport` does not allow. */
export function forbiddenImports(edges: Edge[], mayImport: Map<string, Set<string>>): string[] {
  return edges.flatMap(({ from, to }) => {
    const a = roomOf(from);
    const b = roomOf(to);
    if (a === b || mayImport.get(a)?.has(b)) return [];
    return [`${from} imports ${to} (${a} may not import ${b})`];
  });
}

/** Files that import themselves through others: one cycle per line, shortest found first. */
export function importCycles(edges: Edge[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const cycles = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      cycles.add([...path.slice(path.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'open');
    path.push(file);
    for (const to of next.get(file) ?? []) visit(to);
    path.pop();
    state.set(file, 'done');
  };
  for (const file of next.keys()) visit(file);
  return [...cycles];
}
