/**
 * Moves documents written before their collection was keyed under the `_id` a launch now finds
 * them by. Laurel 0.1 and ltijs's own storage gave them ObjectIds and found them by other fields
 * (a platform by issuer and client id, a course by its courseKey…); the code now looks them up by
 * key only, so at start each such document is copied under its key and the old one deleted.
 *
 * Idempotent and safe to stop at any point: a copy is inserted before the original goes, a copy
 * already there is kept (it is the newer), and a second run finds nothing left to move. The
 * collection's unique indexes on the old lookup fields are dropped first (the `_id` is unique
 * now, and the copy would collide with its original); ensureIndexes() then creates what each
 * model declares.
 */
import mongoose, { Schema, type Model } from 'mongoose';
import { isDuplicateKey } from './insertNew.js';
import { LTIJS_RECORDS, ltijsModels, ltijsRecordId, type LtijsCollection } from './ltijsRecords.js';
import { CourseModel } from './course.js';
import { deploymentKey, DeploymentModel } from './deployment.js';
import { LaunchStateModel } from './launchState.js';
import { usedNonceKey, UsedNonceModel } from './usedNonce.js';
import { PlatformFrameOriginsModel } from './frameOrigins.js';
import { registrationKey } from './auditLog.js';
import { LmsConnectionModel } from './lmsConnection.js';
import { IssuerProfileModel } from './issuerProfile.js';

type Stored = Record<string, unknown>;

interface KeyedCollection {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  model: Model<any>;
  /** The document's key, or undefined when it lacks what the key is made of (it is left as it is). */
  keyOf(doc: Stored): string | undefined;
}

const strings = (doc: Stored, fields: readonly string[]) => fields.every((f) => typeof doc[f] === 'string');
const s = (v: unknown) => v as string;

const KEYED: KeyedCollection[] = [
  ...(Object.keys(LTIJS_RECORDS) as LtijsCollection[]).map((name) => ({
    model: ltijsModels[name],
    keyOf: (doc: Stored) => (strings(doc, LTIJS_RECORDS[name].key) ? ltijsRecordId(name, doc) : undefined),
  })),
  { model: CourseModel, keyOf: (doc) => (strings(doc, ['courseKey']) ? s(doc.courseKey) : undefined) },
  { model: DeploymentModel, keyOf: (doc) => (strings(doc, ['issuer', 'clientId', 'deploymentId']) ? deploymentKey(s(doc.issuer), s(doc.clientId), s(doc.deploymentId)) : undefined) },
  { model: LaunchStateModel, keyOf: (doc) => (strings(doc, ['state']) ? s(doc.state) : undefined) },
  { model: UsedNonceModel, keyOf: (doc) => (strings(doc, ['issuer', 'nonce']) ? usedNonceKey(s(doc.issuer), s(doc.nonce)) : undefined) },
  { model: PlatformFrameOriginsModel, keyOf: (doc) => (strings(doc, ['issuer', 'clientId']) ? registrationKey({ issuer: s(doc.issuer), clientId: s(doc.clientId) }) : undefined) },
  { model: LmsConnectionModel, keyOf: (doc) => (strings(doc, ['issuer', 'clientId']) ? registrationKey({ issuer: s(doc.issuer), clientId: s(doc.clientId) }) : undefined) },
  { model: IssuerProfileModel, keyOf: (doc) => (strings(doc, ['key']) ? s(doc.key) : undefined) },
];

/** Drops the indexes the model no longer declares (the old lookups' unique ones among them); `_id_` stays. */
async function dropUndeclaredIndexes(model: KeyedCollection['model']): Promise<void> {
  const declared = new Set(model.schema.indexes().map(([fields, options]) => JSON.stringify([fields, Boolean((options as { unique?: boolean }).unique)])));
  for (const index of await model.collection.indexes()) {
    if (index.name === '_id_' || declared.has(JSON.stringify([index.key, Boolean(index.unique)]))) continue;
    await model.collection.dropIndex(index.name!);
  }
}

/** Moves one collection's unkeyed documents; answers how many moved. */
async function rekeyCollection({ model, keyOf }: KeyedCollection): Promise<number> {
  const db = mongoose.connection.db!;
  const docs = model.collection;
  if ((await db.listCollections({ name: docs.collectionName }, { nameOnly: true }).toArray()).length === 0) return 0;
  await dropUndeclaredIndexes(model);
  const dropVersion = model.schema.get('versionKey') === false;
  const legacy = await docs.find({ _id: { $type: 'objectId' } }, { projection: { _id: 1 } }).toArray();
  let moved = 0;
  for (const { _id } of legacy) {
    const doc = await docs.findOne({ _id });
    if (!doc) continue;
    const { _id: _old, __v, ...fields } = doc as Stored;
    const key = keyOf(fields);
    if (key === undefined) continue;
    try {
      await docs.insertOne({ ...(dropVersion || __v === undefined ? {} : { __v }), ...fields, _id: key as never });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await docs.deleteOne({ _id });
    moved++;
  }
  return moved;
}

export interface Rekeyed { collection: string; moved: number }

/**
 * Said done once a pass found nothing to move, so that later starts do not scan every keyed
 * collection again (each scan reads the whole collection on FerretDB: 19 s at start with 50,000
 * people's launch records, measured by the institution benchmark). Not after a pass that moved
 * something: an instance of the earlier version still running then may have written more, which
 * the next start moves.
 */
const DONE = 'records-keyed';
const MigrationModel = mongoose.model<{ _id: string; doneAt: Date }>('storeMigration', new Schema({
  _id: { type: String, required: true },
  doneAt: { type: Date, required: true },
}, { versionKey: false }));

/** One pass over every keyed collection, moving what is still unkeyed. */
export async function moveUnkeyedRecords(): Promise<Rekeyed[]> {
  const report: Rekeyed[] = [];
  for (const keyed of KEYED) {
    const moved = await rekeyCollection(keyed);
    if (moved > 0) report.push({ collection: keyed.model.collection.collectionName, moved });
  }
  return report;
}

/** At start, before the indexes are made (store/indexes.ts): a pass, until one finds nothing to move. */
export async function rekeyStoredRecords(): Promise<Rekeyed[]> {
  if (await MigrationModel.exists({ _id: DONE })) return [];
  const report = await moveUnkeyedRecords();
  if (report.length === 0) await MigrationModel.updateOne({ _id: DONE }, { $setOnInsert: { doneAt: new Date() } }, { upsert: true });
  return report;
}
