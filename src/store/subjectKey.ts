/**
 * Each issuer's key for learners' subject ids (credentials/subjectId.ts): random, made on first
 * use, sealed at rest like the signing keys. Not derived from LAUREL_SECRET: a new LAUREL_SECRET
 * re-seals it (store/reseal.ts) but never changes it, so a learner's id stays the same.
 *
 * One document per issuer, written once by an insert that a second instance loses: both end with
 * the same key.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from './insertNew.js';
import { seal, unseal } from '../secrets/sealed.js';

interface SubjectKey { _id: string; sealedKey: string; createdAt: Date }

const schema = new Schema<SubjectKey>({
  _id: { type: String, required: true },
  sealedKey: { type: String, required: true },
  createdAt: { type: Date, required: true },
});

export const SubjectKeyModel = mongoose.model<SubjectKey>('subjectKey', schema);

/** The issuer's key, unsealed; made (and sealed) the first time it is asked for. */
export async function subjectKeyOf(issuerKey: string): Promise<Buffer> {
  let doc = await SubjectKeyModel.findById(issuerKey).lean();
  if (!doc) {
    const fresh: SubjectKey = { _id: issuerKey, sealedKey: seal(randomBytes(32).toString('base64url')), createdAt: new Date() };
    try {
      await SubjectKeyModel.collection.insertOne(fresh as never);
      doc = fresh;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      doc = (await SubjectKeyModel.findById(issuerKey).lean())!; // another instance made it first
    }
  }
  return Buffer.from(unseal(doc.sealedKey), 'base64url');
}
