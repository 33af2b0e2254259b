/**
 * An issuer's Bitstring Status Lists (revocation): where each credential's bit lives, which bits
 * are set, and the signed list credential as last published.
 *
 * Indexes are drawn at random (so a holder cannot be singled out by position) and claimed by
 * inserting a claim whose _id is the list and index: two instances can never claim one twice.
 * Then the award's slot, whose _id is the award's, records it: an award has one slot, and issuing
 * again reuses it. (Every lookup is by _id: the one key every server finds quickly.)
 */
import { randomInt } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { STATUS_LIST_SIZE } from '../credentials/statusList.js';
import type { StatusEntry } from '../credentials/model.js';
import { insertNew, isDuplicateKey } from './insertNew.js';

interface StatusListDoc {
  _id: string;
  issuerKey: string;
  /** Set bits: revoked credentials. */
  revoked: number[];
  /** Bumped on every change; the signed copy says which version it is. */
  version: number;
  /** Entries reserved so far (a list is closed at half its size). */
  allocated: number;
  /**
   * The signed list as last published, per form: the Data Integrity credential (JSON text) and the
   * VC-JWT. (Lists signed before validFrom tolerated clock skew kept theirs in signedJson, which is
   * no longer read: those are signed again, with the new validFrom, when first asked for.)
   */
  signed?: Partial<Record<StatusListForm, { version: number; text: string }>>;
}

/** The two forms a list is published in: `json` (Data Integrity proof) and `jwt` (VC-JWT). */
export type StatusListForm = 'json' | 'jwt';

/** Index `index` of list `listKey` is taken; _id `${listKey}:${index}`. */
interface StatusClaim { _id: string; awardId: string }
/** The award's entry; _id is the award's public id. */
interface StatusSlot { _id: string; listKey: string; index: number }

const listSchema = new Schema<StatusListDoc>({
  _id: { type: String, required: true },
  issuerKey: { type: String, required: true },
  revoked: { type: [Number], default: [] },
  version: { type: Number, required: true },
  allocated: { type: Number, default: 0 },
  signed: Schema.Types.Mixed,
});
listSchema.index({ issuerKey: 1 });

const claimSchema = new Schema<StatusClaim>({
  _id: { type: String, required: true },
  awardId: { type: String, required: true },
});

const slotSchema = new Schema<StatusSlot>({
  _id: { type: String, required: true },
  listKey: { type: String, required: true },
  index: { type: Number, required: true },
});

export const StatusListModel = mongoose.model<StatusListDoc>('statusList', listSchema);
export const StatusClaimModel = mongoose.model<StatusClaim>('statusClaim', claimSchema);
export const StatusSlotModel = mongoose.model<StatusSlot>('statusSlot', slotSchema);

/** The award's entry, if it has one. */
export async function statusEntryOf(awardId: string): Promise<StatusEntry | null> {
  const slot = await StatusSlotModel.findById(awardId).lean();
  return slot ? { listKey: slot.listKey, index: slot.index } : null;
}

/** A list is closed once half full, so random draws stay quick and holders stay many. */
const LIST_CAPACITY = STATUS_LIST_SIZE / 2;

/** The issuer's list with room for `count` more entries, made when needed. */
async function openList(issuerKey: string, count: number): Promise<string> {
  for (let n = 1; n <= 10_000; n++) {
    const listKey = `${issuerKey}-${n}`;
    await StatusListModel.updateOne({ _id: listKey }, { $setOnInsert: { issuerKey, revoked: [], version: 1, allocated: 0 } }, { upsert: true }).catch((err) => { if (!isDuplicateKey(err)) throw err; });
    // Reserve the room first: two instances filling one list at once cannot overfill it.
    const reserved = await StatusListModel.updateOne({ _id: listKey, allocated: { $lte: LIST_CAPACITY - count } }, { $inc: { allocated: count } });
    if (reserved.modifiedCount === 1) return listKey;
  }
  throw new Error(`issuer ${issuerKey} has no status list with room for ${count} more entries`);
}

/**
 * Each award's place in its issuer's status list, claimed once: slots already claimed are
 * reused, the others drawn at random and inserted together; a draw that collides is drawn again.
 */
export async function statusEntriesFor(issuerKey: string, awardIds: string[]): Promise<Map<string, StatusEntry>> {
  const entries = new Map<string, StatusEntry>();
  const lookUp = async (ids: string[]) => {
    for (const slot of await StatusSlotModel.find({ _id: { $in: ids } }).lean()) entries.set(slot._id, { listKey: slot.listKey, index: slot.index });
  };
  await lookUp(awardIds);
  let missing = awardIds.filter((id) => !entries.has(id));
  while (missing.length) {
    const listKey = await openList(issuerKey, missing.length);
    const drawn = missing.map((awardId) => ({ awardId, listKey, index: randomInt(STATUS_LIST_SIZE) }));
    // A draw that collides with a taken index is refused, and drawn again below.
    const collided = await insertNew(StatusClaimModel, drawn.map((d) => ({ _id: `${d.listKey}:${d.index}`, awardId: d.awardId })));
    const claimed = drawn.filter((_, i) => !collided.has(i));
    // An award claimed by another instance meanwhile keeps that slot; its extra claim stays unused.
    await insertNew(StatusSlotModel, claimed.map((d) => ({ _id: d.awardId, listKey: d.listKey, index: d.index })));
    await lookUp(claimed.map((d) => d.awardId));
    missing = missing.filter((id) => !entries.has(id));
  }
  return entries;
}

export async function setRevoked(entry: StatusEntry): Promise<void> {
  await StatusListModel.updateOne({ _id: entry.listKey, revoked: { $ne: entry.index } }, { $push: { revoked: entry.index }, $inc: { version: 1 } });
}

export async function statusListOf(listKey: string): Promise<StatusListDoc | null> {
  return StatusListModel.findById(listKey).lean();
}

/** The list's version alone (bumped by every revocation): what a cached verification is checked against. */
export async function statusListVersion(listKey: string): Promise<number | null> {
  const list = await StatusListModel.findById(listKey, { version: 1 }).lean();
  return list?.version ?? null;
}

/**
 * The signed list in one form for the list's current version: the stored one when it is current,
 * else `sign` makes it and it is stored unless the list changed meanwhile.
 */
export async function signedStatusList(list: StatusListDoc, form: StatusListForm, sign: (revoked: number[]) => Promise<string>): Promise<string> {
  const stored = list.signed?.[form];
  if (stored && stored.version === list.version) return stored.text;
  const text = await sign(list.revoked ?? []);
  await StatusListModel.updateOne({ _id: list._id, version: list.version }, { $set: { [`signed.${form}`]: { version: list.version, text } } });
  return text;
}
