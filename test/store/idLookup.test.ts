/**
 * On the embedded FerretDB a lookup by `_id` costs the same however large the collection: the
 * build Laurel uses is patched (scripts/ferretdb/sqlite-id-index.patch) so that SQLite answers it
 * from the `_id` index instead of reading the table. Measured here: with the patch 1.0× (find,
 * update, find-and-modify, delete), without it 22× (find) and 25× (update) the time at 200
 * documents; the bound is 3×, for a shared machine.
 * The two sizes are timed side by side, one call each in turn, so that the machine's load falls
 * on both alike. Driver calls, not Laurel's models: this measures the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { testDatabaseUri } from '../support/database.js';
import { sideBySide } from '../support/sideBySide.js';

const SMALL = 200;
const LARGE = 20_000;
const SAMPLES = 41;
const pad = 'x'.repeat(1000); // documents of about 1 kB, as the README's measurement

let conn: mongoose.Connection;
let small: mongoose.mongo.Collection;
let large: mongoose.mongo.Collection;
const objectIds: mongoose.mongo.ObjectId[] = [];

async function fill(collection: mongoose.mongo.Collection, count: number) {
  for (let start = 0; start < count; start += 1000) {
    const docs = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) docs.push({ _id: `learner-${i}` as never, n: i, pad });
    await collection.insertMany(docs, { ordered: false });
  }
  // Some ObjectId keys too, the other kind of _id FerretDB pushes down to SQLite.
  const more = Array.from({ length: 10 }, () => ({ _id: new mongoose.mongo.ObjectId(), pad }));
  await collection.insertMany(more);
  return more.map((d) => d._id);
}

beforeAll(async () => {
  conn = await mongoose.createConnection(testDatabaseUri()).asPromise();
  small = conn.db.collection('idlookupsmall');
  large = conn.db.collection('idlookuplarge');
  await fill(small, SMALL);
  objectIds.push(...(await fill(large, LARGE)));
}, 180_000);

afterAll(async () => {
  await conn?.db.dropDatabase();
  await conn?.close();
});

/** The median time of `op` on each collection, called in turn; `i` picks a document. */
const timed = (op: (c: mongoose.mongo.Collection, size: number, i: number) => Promise<unknown>) =>
  sideBySide({ collection: small, size: SMALL }, { collection: large, size: LARGE }, SAMPLES, op);

// A document spread over the collection, never the same one twice (deletes remove theirs).
const key = (size: number, i: number) => `learner-${Math.floor(((i * 7919) % SAMPLES) * (size / SAMPLES))}`;

describe('a lookup by _id on the embedded FerretDB', () => {
  it('is answered from the _id index, as FerretDB\'s explain shows, for string and ObjectId keys', async () => {
    expect(await large.estimatedDocumentCount()).toBe(LARGE + 10);
    for (const _id of [key(LARGE, 3), objectIds[0]]) {
      const explained = await conn.db.command({ explain: { find: 'idlookuplarge', filter: { _id } } });
      expect(explained.filterPushdown).toBe(true);
      const plan = (explained.queryPlanner as { Plan: string[] }).Plan.join('\n');
      expect(plan).toMatch(/SEARCH \S+ USING INDEX \S+__id_ /);
      expect(plan).not.toMatch(/SCAN/);
    }
    expect(await large.findOne({ _id: objectIds[0] as never })).toMatchObject({ _id: objectIds[0] });
  });

  it('finds in about the same time at 20,000 documents as at 200', async () => {
    const { small: s, large: l, ratio } = await timed(async (c, size, i) => {
      const doc = await c.findOne({ _id: key(size, i) as never });
      expect(doc?._id).toBe(key(size, i));
    });
    expect(ratio, `median ${l.toFixed(2)} ms at ${LARGE} documents, ${s.toFixed(2)} ms at ${SMALL}`).toBeLessThan(3);
  });

  it('updates, finds-and-modifies and deletes in about the same time at 20,000 documents as at 200', async () => {
    const ops: Record<string, (c: mongoose.mongo.Collection, size: number, i: number) => Promise<unknown>> = {
      updateOne: async (c, size, i) => expect((await c.updateOne({ _id: key(size, i) as never }, { $set: { seen: i } })).matchedCount).toBe(1),
      findOneAndUpdate: async (c, size, i) => expect((await c.findOneAndUpdate({ _id: key(size, i) as never }, { $inc: { n: 1 } })).value?._id).toBe(key(size, i)),
      deleteOne: async (c, size, i) => expect((await c.deleteOne({ _id: key(size, i) as never })).deletedCount).toBe(1),
    };
    for (const [name, op] of Object.entries(ops)) {
      const { small: s, large: l, ratio } = await timed(op);
      expect(ratio, `${name}: median ${l.toFixed(2)} ms at ${LARGE} documents, ${s.toFixed(2)} ms at ${SMALL}`).toBeLessThan(3);
    }
  });
});
