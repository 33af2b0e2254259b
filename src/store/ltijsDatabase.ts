/**
 * ltijs's storage, as the `plugin` its Database options take (ltijs 5: the Get, Insert, Replace,
 * Modify and Delete its Provider, Platform and Auth classes call, with its Encrypt and Decrypt).
 * ltijs's own plugin finds every record by the fields of its query; this one keeps each record
 * under the `_id` those fields make (ltijsRecords.ts), so that what a launch asks for (a platform
 * by issuer and client id, its status and key by kid, the nonce, the state, the launch's id and
 * context tokens) is one lookup by `_id`, whatever else is stored.
 *
 * A query that does not name a record's key (a platform by its kid, a platform's key pair when a
 * new one replaces it, every public key for the JWKS) is answered as ltijs did, by its fields,
 * which every record keeps: those are registration and administration, not launches.
 */
import { LTIJS_RECORDS, keyOfQuery, ltijsModels, ltijsRecordId, type LtijsCollection } from './ltijsRecords.js';
import { ltijsDecrypt, ltijsEncrypt } from '../secrets/ltijsData.js';

type Fields = Record<string, unknown>;

/** What ltijs keeps of an item: its schema's fields, with createdAt now where its records expire. */
function recordOf(collection: LtijsCollection, item: Fields): Fields {
  const kind = LTIJS_RECORDS[collection];
  const record: Fields = {};
  for (const field of kind.fields) if (item[field] !== undefined) record[field] = item[field];
  if (kind.expires !== undefined) record.createdAt = new Date();
  return record;
}

/** The same record, as it would be under its key now (a key field a query found it by may differ in case or type). */
function sameKey(collection: LtijsCollection, doc: Fields, key: Record<string, string>): boolean {
  return LTIJS_RECORDS[collection].key.every((field) => doc[field] === key[field]);
}

export class LtijsDatabase {
  /** Laurel connects before ltijs starts (store/connect.ts), on the one mongoose connection both use. */
  async setup(): Promise<true> {
    return true;
  }

  /** Laurel closes the connection itself when it stops. */
  async Close(): Promise<true> {
    return true;
  }

  /** The `_id` filter when the query names a record's key, else the query itself. */
  private filterOf(collection: LtijsCollection, query: Fields | undefined): { filter: Fields; key?: Record<string, string> } {
    const key = keyOfQuery(collection, query);
    return key ? { filter: { _id: ltijsRecordId(collection, key) }, key } : { filter: query ?? {} };
  }

  async Get(encryptionKey: string | false, collection: LtijsCollection, query?: Fields): Promise<Fields[] | false> {
    const model = ltijsModels[collection];
    const { filter, key } = this.filterOf(collection, query);
    const docs = (key ? [await model.findOne(filter).lean()] : await model.find(filter).lean()) as (Fields | null)[];
    const found = docs.filter((doc): doc is Fields => doc !== null && (!key || sameKey(collection, doc, key)));
    if (found.length === 0) return false;
    const result: Fields[] = [];
    for (const { _id, ...doc } of found) {
      if (!encryptionKey) {
        result.push(doc);
        continue;
      }
      const plain = JSON.parse(await this.Decrypt(doc.data as string, doc.iv as string, encryptionKey)) as Fields;
      if (doc.createdAt) plain.createdAt = new Date(doc.createdAt as Date).getTime();
      result.push(plain);
    }
    return result;
  }

  /** An encrypted record keeps its key fields (`index`) in clear beside the encrypted item, as ltijs's did. */
  private async stored(encryptionKey: string | false, collection: LtijsCollection, item: Fields, index?: Fields): Promise<Fields> {
    if (!encryptionKey) return recordOf(collection, item);
    return recordOf(collection, { ...index, ...(await this.Encrypt(JSON.stringify(item), encryptionKey)) });
  }

  async Insert(encryptionKey: string | false, collection: LtijsCollection, item: Fields, index?: Fields): Promise<true> {
    if (!collection || !item || (encryptionKey && !index)) throw new Error('MISSING_PARAMS');
    const record = await this.stored(encryptionKey, collection, item, index);
    // A second record under the same key (a nonce seen twice) is refused, as a unique index would.
    await ltijsModels[collection].create({ _id: ltijsRecordId(collection, record), ...record });
    return true;
  }

  /** Upserts the record under the key of what is stored; one the query found under another key is replaced by it. */
  async Replace(encryptionKey: string | false, collection: LtijsCollection, query: Fields, item: Fields, index?: Fields): Promise<true> {
    if (!collection || !item || (encryptionKey && !index)) throw new Error('MISSING_PARAMS');
    const model = ltijsModels[collection];
    const record = await this.stored(encryptionKey, collection, item, index);
    const _id = ltijsRecordId(collection, { ...query, ...record });
    const { filter, key } = this.filterOf(collection, query);
    if (key && filter._id !== _id) await model.deleteOne(filter);
    else if (!key) await model.deleteMany({ ...filter, _id: { $ne: _id } });
    await model.replaceOne({ _id }, record, { upsert: true });
    return true;
  }

  async Modify(encryptionKey: string | false, collection: LtijsCollection, query: Fields, modification: Fields): Promise<true> {
    if (!collection || !query || !modification) throw new Error('MISSING_PARAMS');
    const model = ltijsModels[collection];
    const { filter } = this.filterOf(collection, query);
    let change: Fields = modification;
    if (encryptionKey) {
      const doc = await model.findOne(filter).lean();
      if (doc) {
        const plain = JSON.parse(await this.Decrypt(doc.data as string, doc.iv as string, encryptionKey)) as Fields;
        const [field] = Object.keys(modification);
        plain[field!] = modification[field!];
        change = await this.Encrypt(JSON.stringify(plain), encryptionKey);
      }
    }
    if (!Object.keys(change).some((field) => LTIJS_RECORDS[collection].key.includes(field))) {
      await model.updateOne(filter, { $set: change });
      return true;
    }
    // A key field changes (a platform's issuer or client id): the record moves to its new key.
    const doc = await model.findOne(filter).lean();
    if (!doc) return true;
    const { _id: before, ...fields } = doc;
    const moved = { ...fields, ...change };
    const _id = ltijsRecordId(collection, moved);
    if (_id === before) {
      await model.updateOne({ _id }, { $set: change });
      return true;
    }
    await model.create({ ...moved, _id });
    await model.deleteOne({ _id: before });
    return true;
  }

  async Delete(collection: LtijsCollection, query: Fields): Promise<true> {
    if (!collection || !query) throw new Error('MISSING_PARAMS');
    await ltijsModels[collection].deleteMany(this.filterOf(collection, query).filter);
    return true;
  }

  async Encrypt(data: string, secret: string): Promise<{ iv: string; data: string }> {
    return ltijsEncrypt(data, secret);
  }

  /** Replaced by secrets/ltijsData.ts's readLtijsWithPreviousSecrets, which also tries LAUREL_SECRET_PREVIOUS. */
  async Decrypt(data: string, iv: string, secret: string): Promise<string> {
    const text = ltijsDecrypt({ iv, data }, secret);
    if (text === undefined) throw new Error('a record ltijs encrypted does not open with this secret');
    return text;
  }
}
