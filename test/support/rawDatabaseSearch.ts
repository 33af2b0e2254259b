/**
 * Every document of the test database, read with the driver (no model, no schema, nothing
 * Laurel's code would skip), whose Extended JSON text holds any of the given strings,
 * case-insensitively: what a person with the database or a backup of it would find. Used to show
 * an erasure leaves nothing of the person (test/privacy/).
 *
 * An id that is a small number (Moodle's user id "3" is its LTI user id) is a substring of
 * everything, so `rawDatabaseSearchExact` looks for it as a whole value instead: in a field that
 * holds a person's id, at any depth, in arrays of such ids, and inside JSON kept as a string
 * (`factsJson`, `reasonJson`), where it stands as `"3"`.
 */
import mongoose from 'mongoose';

const { EJSON } = mongoose.mongo.BSON;

export interface RawHit { collection: string; _id: string; found: string; excerpt: string }

type Db = NonNullable<typeof mongoose.connection.db>;

async function* everyDocument(db: Db): AsyncGenerator<{ collection: string; doc: Record<string, unknown> }> {
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    for (const doc of await db.collection(name).find({}).toArray()) yield { collection: name, doc };
  }
}

export async function rawDatabaseSearch(needles: string[], db = mongoose.connection.db!): Promise<RawHit[]> {
  const wanted = needles.filter((n) => n.length > 0).map((n) => n.toLowerCase());
  const hits: RawHit[] = [];
  for await (const { collection, doc } of everyDocument(db)) {
    const text = EJSON.stringify(doc, { relaxed: true });
    const lower = text.toLowerCase();
    for (const n of wanted) {
      const at = lower.indexOf(n);
      if (at >= 0) hits.push({ collection, _id: String(doc._id), found: n, excerpt: text.slice(Math.max(0, at - 80), at + n.length + 80) });
    }
  }
  return hits;
}

/**
 * The fields where Laurel, ltijs and the LMS's claims keep a person's id (LTI user id, LMS user
 * id, login hint), and the lists of such ids (a course's staff and standing): a value equal to
 * the id anywhere else (a course, line item or resource link id of the same shape) is not them.
 */
export const PERSON_ID_FIELDS: ReadonlySet<string> = new Set([
  'userId', 'user', 'sub', 'lmsUserId', 'ltiUserId', 'login_hint', 'loginHint', 'canvasUserId',
  'actor', 'requestedBy', 'awardedBy', 'revokedBy', 'approvedBy', 'addedBy', 'confirmedBy', 'grantedBy', 'lmsApiGrantedBy',
  'launched', 'listed', 'graders', 'earned', 'inProgress', 'notStarted', 'recipientIds', 'useridto', 'userid',
]);

/** Where `value` stands as a whole id in `node`, as dotted paths (JSON kept in a string is read as JSON). */
export function exactIdPaths(node: unknown, value: string, path = '', inIdField = false): string[] {
  if (typeof node === 'string') {
    if (inIdField && node === value) return [path];
    const t = node.trimStart();
    if ((t.startsWith('{') || t.startsWith('[')) && node.includes(JSON.stringify(value))) {
      try { return exactIdPaths(JSON.parse(node), value, `${path}(json)`, false); } catch { return []; }
    }
    return [];
  }
  if (typeof node === 'number') return inIdField && String(node) === value ? [path] : [];
  if (Array.isArray(node)) return node.flatMap((x, i) => exactIdPaths(x, value, `${path}[${i}]`, inIdField));
  if (node && typeof node === 'object' && !(node instanceof Date) && !mongoose.isObjectIdOrHexString(node)) {
    return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => exactIdPaths(v, value, path ? `${path}.${k}` : k, PERSON_ID_FIELDS.has(k)));
  }
  return [];
}

/** Every document holding one of `ids` as a whole value in a field that holds a person's id (see above). */
export async function rawDatabaseSearchExact(ids: string[], db = mongoose.connection.db!): Promise<RawHit[]> {
  const wanted = ids.filter((n) => n.length > 0);
  const hits: RawHit[] = [];
  for await (const { collection, doc } of everyDocument(db)) {
    for (const id of wanted) {
      const paths = exactIdPaths(doc, id);
      if (paths.length) hits.push({ collection, _id: String(doc._id), found: id, excerpt: paths.join(', ') });
    }
  }
  return hits;
}
