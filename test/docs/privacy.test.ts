/**
 * docs/privacy.md keeps true: every collection Laurel and ltijs declare has its section, and
 * every field of its schema is accounted for there, in the section's table (what it holds of a
 * person, who reads it) or on its "Other fields:" line. A field added to a schema without saying
 * what it holds fails here, by name; so does a field or collection the inventory names that no
 * schema has any more. The checker is first shown to catch both on a made-up schema and document.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Schema } from 'mongoose';
import { declaredModels } from '../support/storeModels.js';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/**
 * The inventory as written: a section per collection, headed `### \`awards\`` (anything may
 * follow the name), whose table rows name fields in their first cell (`| \`recipient.email\` | …`)
 * and whose "Other fields: `a`, `b`" line names the rest. A name covers the path and the paths
 * under it (`failure` covers `failure.kind`).
 */
function inventoryOf(doc: string): Map<string, string[]> {
  const inventory = new Map<string, string[]>();
  let fields: string[] | undefined;
  for (const line of doc.split('\n')) {
    const heading = /^### `([^`]+)`/.exec(line);
    if (heading) inventory.set(heading[1]!, fields = []);
    else if (/^#{1,3} /.test(line)) fields = undefined;
    else if (fields && line.startsWith('| `')) fields.push(...names(line.split('|')[1]!));
    else if (fields && line.startsWith('Other fields:')) fields.push(...names(line));
  }
  return inventory;
}

const names = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** Every path a schema declares, but mongoose's version key. */
function pathsOf(schema: Schema): string[] {
  const paths: string[] = [];
  schema.eachPath((p) => { if (p !== '__v') paths.push(p); });
  return paths;
}

/** What the inventory misses or names wrongly, each as a sentence saying what to change in docs/privacy.md. */
function problems(inventory: Map<string, string[]>, declared: Map<string, string[]>): string[] {
  const found: string[] = [];
  const covers = (listed: string, path: string) => path === listed || path.startsWith(`${listed}.`);
  for (const [collection, paths] of declared) {
    const listed = inventory.get(collection);
    if (!listed) { found.push(`collection \`${collection}\` has no section: add "### \`${collection}\`" with its fields (${paths.map((p) => `\`${p}\``).join(', ')})`); continue; }
    for (const path of paths.filter((p) => !listed.some((l) => covers(l, p)))) {
      found.push(`\`${collection}\`.\`${path}\` is not listed: add it to the section's table if it holds personal data (what, who reads it), else to its "Other fields:" line`);
    }
    for (const name of listed.filter((l) => !paths.some((p) => covers(l, p)))) {
      found.push(`\`${collection}\`.\`${name}\` is listed but its schema has no such field: remove it or rename it`);
    }
  }
  for (const collection of [...inventory.keys()].filter((c) => !declared.has(c))) {
    found.push(`collection \`${collection}\` has a section but no model declares it: remove the section`);
  }
  return found;
}

describe('the privacy inventory checker, on a made-up schema', () => {
  const declared = new Map([['pets', pathsOf(new Schema({ _id: String, ownerName: String, vet: { email: String, phone: String }, legs: Number }))]]);
  const doc = [
    '# Made up', '', '### `pets`', '', '| field | holds | who reads it |', '| --- | --- | --- |',
    '| `ownerName` | the owner\'s name | staff |', '| `vet` | the vet\'s contacts | staff |', '', 'Other fields: `_id`, `legs`.', '',
    '## Elsewhere', '', '| `notAField` | a table outside any section is not the inventory |',
  ].join('\n');

  it('accepts a document that accounts for every field, a parent covering the paths under it', () => {
    expect(inventoryOf(doc).get('pets')).toEqual(['ownerName', 'vet', '_id', 'legs']);
    expect(problems(inventoryOf(doc), declared)).toEqual([]);
  });

  it('names a field the document leaves out, and says where to add it', () => {
    const missing = doc.replace('`_id`, `legs`', '`_id`');
    expect(problems(inventoryOf(missing), declared)).toEqual([
      '`pets`.`legs` is not listed: add it to the section\'s table if it holds personal data (what, who reads it), else to its "Other fields:" line',
    ]);
    const nestedMissing = doc.replace('| `vet` |', '| `vet.email` |');
    expect(problems(inventoryOf(nestedMissing), declared)).toEqual([expect.stringContaining('`pets`.`vet.phone` is not listed')]);
  });

  it('names a field or a collection the document lists that no schema has', () => {
    const stale = doc.replace('`_id`, `legs`', '`_id`, `legs`, `tailLength`') + '\n\n### `cats`\n\nOther fields: `_id`.\n';
    expect(problems(inventoryOf(stale), declared)).toEqual([
      '`pets`.`tailLength` is listed but its schema has no such field: remove it or rename it',
      'collection `cats` has a section but no model declares it: remove the section',
    ]);
  });

  it('names a collection with no section', () => {
    expect(problems(new Map(), declared)).toEqual([expect.stringContaining('collection `pets` has no section: add "### `pets`"')]);
  });
});

describe('docs/privacy.md', () => {
  const inventory = inventoryOf(readFileSync(join(root, 'docs/privacy.md'), 'utf8'));
  const declared = new Map<string, string[]>();

  beforeAll(async () => {
    for (const model of await declaredModels(root)) {
      declared.set(model.collection.collectionName, pathsOf(model.schema));
    }
  });

  it('accounts for every field of every collection Laurel and ltijs declare, and names none that is gone', () => {
    expect(declared.size).toBeGreaterThan(30);
    expect(problems(inventory, declared)).toEqual([]);
  });
});
