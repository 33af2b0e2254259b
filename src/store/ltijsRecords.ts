/**
 * What ltijs stores (its platforms, Laurel's key pair for each, launches' id and context tokens,
 * nonces, states, service tokens), in ltijs's own collections and fields, each document under an
 * `_id` made from the fields ltijs finds it by. ltijs 5 gave them ObjectIds and found them by
 * those fields: every launch read half a dozen collections through, on FerretDB a scan of each,
 * so a launch cost more as learners and courses came. Keyed, each is one lookup by `_id`
 * (ltijsDatabase.ts): an index lookup on MongoDB. FerretDB 1.24 on SQLite finds an `_id` by a
 * scan in SQL, not by its index, but about ten times cheaper than a filter on other fields, which
 * it applies document by document.
 *
 * The fields and expiries are ltijs 5.9's (node_modules/ltijs/dist/Utils/Database.js), so what
 * ltijs reads back is what it wrote, and the sweeper expires them as before (store/indexes.ts).
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema, type Model } from 'mongoose';

/** ltijs's name for each collection (its mongoose model name), as it passes it to its Database. */
export type LtijsCollection = 'idtoken' | 'contexttoken' | 'platform' | 'platformStatus' | 'privatekey' | 'publickey' | 'accesstoken' | 'nonce' | 'state';

export interface LtijsRecordKind {
  /** The fields ltijs finds one document by, in the order the key is made. */
  key: readonly string[];
  /** Every field ltijs keeps; anything else it hands over is dropped, as its schemas did. */
  fields: readonly string[];
  /** Seconds after `createdAt` when the document expires (ltijs's TTL). */
  expires?: number;
  /** Where the document keeps an `iv` and encrypted `data` under LAUREL_SECRET, beside its key fields. */
  encrypted?: boolean;
  /** Indexes for ltijs's other look-ups, all off the launch path (registering a platform, the admin's pages, the JWKS). */
  indexes?: Record<string, 1>[];
}

export const LTIJS_RECORDS: Record<LtijsCollection, LtijsRecordKind> = {
  platform: {
    key: ['platformUrl', 'clientId'],
    fields: ['platformUrl', 'platformName', 'clientId', 'authEndpoint', 'accesstokenEndpoint', 'authorizationServer', 'kid', 'authConfig'],
    // A login without client_id (neither Canvas nor Moodle sends one), a platform by its id.
    indexes: [{ platformUrl: 1 }, { kid: 1 }],
  },
  platformStatus: { key: ['id'], fields: ['id', 'active'] },
  // A new key pair replaces the platform's previous one, found by platform.
  publickey: { key: ['kid'], fields: ['kid', 'platformUrl', 'clientId', 'iv', 'data'], encrypted: true, indexes: [{ platformUrl: 1, clientId: 1 }] },
  privatekey: { key: ['kid'], fields: ['kid', 'platformUrl', 'clientId', 'iv', 'data'], encrypted: true, indexes: [{ platformUrl: 1, clientId: 1 }] },
  accesstoken: { key: ['platformUrl', 'clientId', 'scopes'], fields: ['platformUrl', 'clientId', 'scopes', 'iv', 'data', 'createdAt'], encrypted: true, expires: 3600 },
  idtoken: { key: ['iss', 'clientId', 'deploymentId', 'user'], fields: ['iss', 'user', 'userInfo', 'platformInfo', 'clientId', 'platformId', 'deploymentId', 'createdAt'], expires: 24 * 3600 },
  contexttoken: {
    key: ['contextId', 'user'],
    fields: ['contextId', 'user', 'roles', 'path', 'targetLinkUri', 'context', 'resource', 'custom', 'launchPresentation', 'messageType', 'version', 'deepLinkingSettings', 'lis', 'endpoint', 'namesRoles', 'createdAt'],
    expires: 24 * 3600,
    // A learner's export and erasure find their context tokens by user (privacy/export/personRecords.ts):
    // a scan read every launch of the day, 61 s for 47,000 of them, longer than an administrator's request may take.
    indexes: [{ user: 1 }],
  },
  nonce: { key: ['nonce'], fields: ['nonce', 'createdAt'], expires: 10 },
  state: { key: ['state'], fields: ['state', 'query', 'createdAt'], expires: 600 },
};

/** The collection each lives in: the names mongoose gave ltijs's models, so existing data is where it was. */
const COLLECTION_NAMES: Record<LtijsCollection, string> = {
  platform: 'platforms', platformStatus: 'platformstatuses', publickey: 'publickeys', privatekey: 'privatekeys',
  accesstoken: 'accesstokens', idtoken: 'idtokens', contexttoken: 'contexttokens', nonce: 'nonces', state: 'states',
};

/**
 * The `_id` of the document whose key fields have these values. Hashed, so that any value
 * (an issuer URL, ltijs's long context ids) makes a short key of one shape; the fields stay in
 * the document for reading and re-sealing.
 */
export function ltijsRecordId(collection: LtijsCollection, values: Record<string, unknown>): string {
  const key = LTIJS_RECORDS[collection].key.map((field) => values[field]);
  return createHash('sha256').update(JSON.stringify([collection, ...key])).digest('base64url').slice(0, 32);
}

/** The key fields' values when `query` names exactly them, each as a plain string; else undefined. */
export function keyOfQuery(collection: LtijsCollection, query: Record<string, unknown> | undefined): Record<string, string> | undefined {
  const { key } = LTIJS_RECORDS[collection];
  if (!query || Object.keys(query).length !== key.length) return undefined;
  const values: Record<string, string> = {};
  for (const field of key) {
    const value = query[field];
    if (typeof value !== 'string') return undefined;
    values[field] = value;
  }
  return values;
}

function schemaOf(name: LtijsCollection): Schema {
  const kind = LTIJS_RECORDS[name];
  const definition: Record<string, unknown> = { _id: String };
  for (const field of kind.fields) definition[field] = Schema.Types.Mixed;
  // ltijs's expiry: a TTL index on MongoDB, the sweeper on FerretDB (store/indexes.ts).
  if (kind.expires !== undefined) definition.createdAt = { type: Date, expires: kind.expires, default: Date.now };
  const schema = new Schema(definition, { versionKey: false, minimize: false });
  for (const index of kind.indexes ?? []) schema.index(index);
  // A document made through the model (a test, a script) gets its key as ltijsDatabase.ts gives it.
  schema.pre('validate', function keyed() {
    if (this._id === undefined) this._id = ltijsRecordId(name, this.toObject());
  });
  return schema;
}

export const ltijsModels = Object.fromEntries((Object.keys(LTIJS_RECORDS) as LtijsCollection[]).map((name) => [
  name,
  mongoose.model<Record<string, unknown>>(name, schemaOf(name), COLLECTION_NAMES[name]),
])) as Record<LtijsCollection, Model<Record<string, unknown>>>;
