/**
 * Inserting documents that may exist already (a second run, another instance): an unordered
 * insert where each duplicate key fails alone. Answers which of the documents were refused as
 * duplicates; any other error is thrown.
 */
import type { Model } from 'mongoose';

export const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

export async function insertNew<T>(model: Model<T>, docs: T[]): Promise<Set<number>> {
  if (docs.length === 0) return new Set();
  try {
    await model.insertMany(docs, { ordered: false, lean: true });
    return new Set();
  } catch (err) {
    // The driver reports one write error as an object and several as a list; mongoose may hand
    // them on as plain objects whose details sit under `err`.
    type WriteError = { index?: number; code?: number; err?: { index?: number; code?: number } };
    const errors = (err as { writeErrors?: WriteError[] | WriteError }).writeErrors;
    const list = (Array.isArray(errors) ? errors : errors ? [errors] : []).map((e) => ({ index: e.index ?? e.err?.index, code: e.code ?? e.err?.code }));
    if (list.length === 0 || list.some((e) => e.code !== 11000)) throw err;
    return new Set(list.map((e) => e.index!));
  }
}

/**
 * An upsert that two launches may run at once (the first launches of a course, of a platform's
 * site): both find nothing, both insert, one gets a duplicate key. Run again, it finds what the
 * other wrote and updates it. MongoDB retries such upserts itself; FerretDB does not.
 */
export async function upsertOnce<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return upsert();
  }
}
