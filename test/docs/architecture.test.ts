/**
 * docs/architecture.md is the map of the house, and this test keeps it true: every room of src/
 * has its section, every import between rooms is one the importing room's "May import" line
 * names, src/ never imports the tests' tooling (the emulator, the demo), and no file imports
 * itself through others. The check itself is tested on a small made-up graph first.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forbiddenImports, importCycles, importEdges, roomOf } from '../support/importGraph.js';

const root = resolve(__dirname, '../..');
const doc = readFileSync(resolve(root, 'docs/architecture.md'), 'utf8');

/** Each `### \`room\`` section's "May import:" line, as the rooms it names. */
function mayImportOf(markdown: string): Map<string, Set<string>> {
  const rooms = new Map<string, Set<string>>();
  for (const section of markdown.split(/^### /m).slice(1)) {
    const room = /^`([^`]+)`/.exec(section)?.[1];
    const line = /\*\*May import:\*\* (.*)/.exec(section)?.[1];
    if (!room || line === undefined) continue;
    rooms.set(room, new Set([...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)));
  }
  return rooms;
}

describe('the import check', () => {
  const allowed = new Map([['web/course', new Set(['web/shared', 'store'])], ['store', new Set(['rules'])]]);

  it('finds an import into a room the document does not allow, and none where it does', () => {
    expect(forbiddenImports([
      { from: 'src/web/course/a.ts', to: 'src/web/shared/b.ts' },
      { from: 'src/web/course/a.ts', to: 'src/store/c.ts' },
      { from: 'src/store/c.ts', to: 'src/rules/d.ts' },
      { from: 'src/web/course/a.ts', to: 'src/web/course/e.ts' },
    ], allowed)).toEqual([]);
    expect(forbiddenImports([
      { from: 'src/web/course/a.ts', to: 'src/web/learner/b.ts' },
      { from: 'src/store/c.ts', to: 'src/lms/d.ts' },
      { from: 'src/rules/d.ts', to: 'test/emulator/index.ts' },
    ], allowed)).toEqual([
      'src/web/course/a.ts imports src/web/learner/b.ts (web/course may not import web/learner)',
      'src/store/c.ts imports src/lms/d.ts (store may not import lms)',
      'src/rules/d.ts imports test/emulator/index.ts (rules may not import test)',
    ]);
  });

  it('finds files that import each other in a circle', () => {
    expect(importCycles([
      { from: 'a.ts', to: 'b.ts' }, { from: 'b.ts', to: 'c.ts' }, { from: 'c.ts', to: 'a.ts' }, { from: 'c.ts', to: 'd.ts' },
    ])).toEqual(['a.ts → b.ts → c.ts → a.ts']);
    expect(importCycles([{ from: 'a.ts', to: 'b.ts' }, { from: 'a.ts', to: 'c.ts' }, { from: 'b.ts', to: 'c.ts' }])).toEqual([]);
  });

  it('names each file\'s room as the document does', () => {
    expect(roomOf('src/web/course/coursePages.ts')).toBe('web/course');
    expect(roomOf('src/web/app.ts')).toBe('web');
    expect(roomOf('src/boot.ts')).toBe('boot');
    expect(roomOf('src/log.ts')).toBe('leaves');
    expect(roomOf('src/lms/canvasRest/canvasApi.ts')).toBe('lms');
    expect(roomOf('config/index.ts')).toBe('config');
  });
});

describe('Laurel\'s source against docs/architecture.md', () => {
  const mayImport = mayImportOf(doc);
  const edges = importEdges(root, ['src', 'config']);

  it('has a section with a "May import" line for every room of src/', () => {
    const rooms = new Set(edges.flatMap((e) => [roomOf(e.from)]));
    expect([...rooms].filter((r) => !mayImport.has(r))).toEqual([]);
    expect(mayImport.size).toBeGreaterThanOrEqual(20);
  });

  it('crosses between rooms only where the document allows', () => {
    expect(forbiddenImports(edges, mayImport)).toEqual([]);
  });

  it('never imports the tests\' tooling: the emulator and the demo live in test/', () => {
    expect(edges.filter((e) => !e.to.startsWith('src/') && !e.to.startsWith('config/'))).toEqual([]);
  });

  it('has no files that import each other in a circle', () => {
    expect(importCycles(edges)).toEqual([]);
  });
});
