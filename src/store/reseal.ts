/**
 * Re-sealing after a new LAUREL_SECRET (the old one in LAUREL_SECRET_PREVIOUS): every secret
 * at rest is moved under the current secret, so that the previous one can be dropped. That is
 * Laurel's sealed values (the issuer signing keys, the LMS API connections' secrets and tokens,
 * the instructors' Canvas grants, the issuers' subject-id keys) and ltijs's encrypted documents (its LTI tool keys and cached
 * service tokens).
 *
 * Each document is rewritten by one conditional single-document update keyed by its _id and what
 * was read, and one already under the current secret is left alone: running it twice, from two
 * machines at once, or again after an interruption is safe and finishes the job. (FerretDB 1.24
 * does not make conditional updates atomic: two writers may both write, each a valid sealing of
 * the same secret, so the command confirms with a second pass.)
 */
import mongoose, { type Types } from 'mongoose';
import { IssuerKeySetModel, resealIssuerKeys } from './issuerKeys.js';
import { LmsConnectionModel } from './lmsConnection.js';
import { CanvasGrantModel } from './canvasGrant.js';
import { SubjectKeyModel } from './subjectKey.js';
import { resealed } from '../secrets/sealed.js';
import { LTIJS_ENCRYPTED_COLLECTIONS, ltijsDecrypt, ltijsEncrypt, LtijsSecretError, type LtijsEncrypted } from '../secrets/ltijsData.js';

export interface ResealCount { collection: string; resealed: number; alreadyCurrent: number }

export interface ResealReport {
  counts: ResealCount[];
  /** Documents that no configured secret opens, with why: what LAUREL_SECRET_PREVIOUS lacks. */
  unreadable: { collection: string; id: string; reason: string }[];
}

/** One ltijs document (keyed by store/ltijsRecords.ts, or an ObjectId from before): true when rewritten, false when already under the current secret. */
async function resealLtijsDocument(collection: string, id: string | Types.ObjectId, secret: string, previousSecrets: readonly string[]): Promise<boolean> {
  const docs = mongoose.connection.db!.collection<LtijsEncrypted & { _id: string | Types.ObjectId; platformUrl?: string; clientId?: string }>(collection);
  for (let attempt = 0; attempt < 5; attempt++) {
    const doc = await docs.findOne({ _id: id });
    if (!doc || ltijsDecrypt(doc, secret) !== undefined) return false;
    const plaintext = previousSecrets.map((s) => ltijsDecrypt(doc, s)).find((t) => t !== undefined);
    if (plaintext === undefined) {
      throw new LtijsSecretError(`(platform ${doc.platformUrl}, client id ${doc.clientId}) neither LAUREL_SECRET nor any of LAUREL_SECRET_PREVIOUS decrypts it: set LAUREL_SECRET_PREVIOUS to the secret it was encrypted under`);
    }
    const { matchedCount } = await docs.updateOne({ _id: id, iv: doc.iv, data: doc.data }, { $set: ltijsEncrypt(plaintext, secret) });
    if (matchedCount === 1) return true;
  }
  throw new Error(`${collection} ${String(id)} kept changing while it was re-encrypted; run the command again`);
}

/**
 * One document whose fields hold sealed values (absent ones skipped): true when rewritten, false
 * when all were under the current secret. Conditional on the sealed values read, so a write in
 * between (a new connection, refreshed Canvas tokens) makes it read again, not write back the old.
 */
async function resealFields(collection: string, id: string | Types.ObjectId, fields: readonly string[]): Promise<boolean> {
  const docs = mongoose.connection.db!.collection<{ _id: string | Types.ObjectId } & Record<string, unknown>>(collection);
  for (let attempt = 0; attempt < 5; attempt++) {
    const doc = await docs.findOne({ _id: id });
    if (!doc) return false;
    const set: Record<string, string> = {};
    for (const field of fields) {
      const fresh = typeof doc[field] === 'string' ? resealed(doc[field] as string) : undefined;
      if (fresh !== undefined) set[field] = fresh;
    }
    if (Object.keys(set).length === 0) return false;
    const read = Object.fromEntries(Object.keys(set).map((field) => [field, doc[field]]));
    const { matchedCount } = await docs.updateOne({ _id: id, ...read }, { $set: set });
    if (matchedCount === 1) return true;
  }
  throw new Error(`${collection} ${String(id)} kept changing while it was re-sealed; run the command again`);
}

/** Sealing must be configured (configureSealing) with the same secrets. */
export async function resealAll(secret: string, previousSecrets: readonly string[]): Promise<ResealReport> {
  const report: ResealReport = { counts: [], unreadable: [] };
  const run = async (collection: string, ids: unknown[], reseal: (id: unknown) => Promise<boolean>) => {
    const count = { collection, resealed: 0, alreadyCurrent: 0 };
    for (const id of ids) {
      try {
        if (await reseal(id)) count.resealed++;
        else count.alreadyCurrent++;
      } catch (err) {
        report.unreadable.push({ collection, id: String(id), reason: (err as Error).message });
      }
    }
    report.counts.push(count);
  };
  const issuerKeys = (await IssuerKeySetModel.find({}, { _id: 1 }).lean()).map((d) => d._id);
  await run(IssuerKeySetModel.collection.collectionName, issuerKeys, (id) => resealIssuerKeys(id as string));
  for (const [model, fields] of [[LmsConnectionModel, ['apiClientSecret', 'token']], [CanvasGrantModel, ['accessToken', 'refreshToken']], [SubjectKeyModel, ['sealedKey']]] as const) {
    const collection = model.collection.collectionName;
    const ids = (await model.collection.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    await run(collection, ids, (id) => resealFields(collection, id as string | Types.ObjectId, fields));
  }
  for (const collection of LTIJS_ENCRYPTED_COLLECTIONS) {
    const ids = (await mongoose.connection.db!.collection(collection).find({ data: { $exists: true } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    await run(collection, ids, (id) => resealLtijsDocument(collection, id as string | Types.ObjectId, secret, previousSecrets));
  }
  return report;
}
