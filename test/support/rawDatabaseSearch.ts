/**
 * Every document of the test database, read with the driver (no model, no schema, nothing
 * Laurel's code would skip), whose Extended JSON text holds any of the given strings,
 * case-insensitively: what a person with the database or a backup of it would find. Used to show
 * an erasure leaves nothing of the person (test/privacy/).
 */
import mongoose from 'mongoose';

const { EJSON } = mongoose.mongo.BSON;

export interface RawHit { collection: string; _id: string; found: string; excerpt: string }

export async function rawDatabaseSearch(needles: string[], db = mongoose.connection.db!): Promise<RawHit[]> {
  const wanted = needles.filter((n) => n.length > 0).map((n) => n.toLowerCase());
  const hits: RawHit[] = [];
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) {
      const text = EJSON.stringify(doc, { relaxed: true });
      const lower = text.toLowerCase();
      for (const n of wanted) {
        const at = lower.indexOf(n);
        if (at >= 0) hits.push({ collection: name, _id: String(doc._id), found: n, excerpt: text.slice(Math.max(0, at - 80), at + n.length + 80) });
      }
    }
  }
  return hits;
}
