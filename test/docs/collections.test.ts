/**
 * The README's table of collections (Production, "Collections, indexes and shard keys") keeps
 * true: every collection Laurel and ltijs declare has its row, each row lists the indexes the
 * schema declares (unique and TTL said), and the shard key a row names could shard it on
 * MongoDB: it leads an index, and every unique index begins with it or is marked ¹ (kept as a
 * plain index on a sharded cluster).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { declaredModels } from '../support/storeModels.js';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

interface Row { collection: string; indexes: string[]; shardKey: string }

/** The table's rows: `| \`awards\` | \`courseKey, badgeId\`, \`id\` unique¹ | \`_id\` | why |`. */
function tableRows(readme: string): Row[] {
  const start = readme.indexOf('**Collections, indexes and shard keys.**');
  const table = readme.slice(start).split('\n\n').find((block) => block.startsWith('| collection |'))!;
  return table.split('\n').slice(2).map((line) => {
    const [collection, indexes, shardKey] = line.split('|').slice(1, 4).map((cell) => cell.trim());
    return {
      collection: /`([^`]+)`/.exec(collection!)![1]!,
      indexes: indexes === 'none' ? [] : indexes!.split(/,\s*(?=`)/).map((i) => i.trim()),
      shardKey: shardKey === 'none' ? 'none' : /`([^`]+)`/.exec(shardKey!)![1]!,
    };
  });
}

/** An index as the table writes it: `\`courseKey, -at\``, then `unique`, then `TTL`. */
function written([fields, options]: [Record<string, unknown>, Record<string, unknown>]): string {
  const keys = Object.entries(fields).map(([k, d]) => (d === -1 ? `-${k}` : k)).join(', ');
  const ttl = options.expireAfterSeconds !== undefined || options.expires !== undefined;
  return `\`${keys}\`${options.unique ? ' unique' : ''}${ttl ? ' TTL' : ''}`;
}

describe('the README\'s table of collections', () => {
  const rows = tableRows(readFileSync(join(root, 'README.md'), 'utf8'));
  const declared = new Map<string, string[]>();

  beforeAll(async () => {
    for (const model of await declaredModels(root)) {
      declared.set(model.collection.collectionName, model.schema.indexes().map((i) => written(i as [Record<string, unknown>, Record<string, unknown>])));
    }
  });

  it('has a row for every collection Laurel and ltijs declare, and none for another', () => {
    expect(declared.size).toBeGreaterThan(30);
    expect(rows.map((r) => r.collection).sort()).toEqual([...declared.keys()].sort());
  });

  it('lists each collection\'s indexes as its schema declares them', () => {
    for (const row of rows) {
      expect(row.indexes.map((i) => i.replace('¹', '')).sort(), row.collection).toEqual([...declared.get(row.collection) ?? []].sort());
    }
  });

  it('names shard keys that could shard each collection: a leading key of an index, which every unique index begins with unless marked ¹', () => {
    for (const row of rows.filter((r) => r.shardKey !== 'none')) {
      const leading = (i: string) => /`([^`,]+)/.exec(i)![1]!.replace(/^-/, '');
      expect(row.shardKey === '_id' || row.indexes.some((i) => leading(i) === row.shardKey), row.collection).toBe(true);
      for (const unique of row.indexes.filter((i) => i.includes(' unique') && !i.endsWith('¹'))) {
        expect(leading(unique), `${row.collection}: ${unique}`).toBe(row.shardKey);
      }
    }
  });
});
