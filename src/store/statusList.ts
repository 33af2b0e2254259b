/**
 * An issuer's Bitstring Status Lists (revocation): where each credential's bit lives, which bits
 * are set, and the signed list credential as last published.
 *
 * Indexes are drawn at random (so a holder cannot be singled out by position) and claimed by
 * inserting a slot whose _id is the list and index: two instances can never claim one twice.
 * An award's slot is looked up first, so issuing again reuses it.
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
  signedVersion?: number;
  signedJson?: string;
}

interface StatusSlot { _id: string; listKey: string; index: number; awardId: string }

const listSchema = new Schema<StatusListDoc>({
  _id: { type: String, required: true },
  issuerKey: { type: String, required: true },
  revoked: { type: [Number], default: [] },
  version: { type: Number, required: true },
  allocated: { type: Number, default: 0 },
  signedVersion: Number,
  signedJson: String,
});
listSchema.index({ issuerKey: 1 });

const slotSchema = new Schema<StatusSlot>({
  _id: { type: String, required: true },
  listKey: { type: String, required: true },
  index: { type: Number, required: true },
  awardId: { type: String, required: true },
});
slotSchema.index({ awardId: 1 }, { unique: true });
slotSchema.index({ listKey: 1 });

export const StatusListModel = mongoose.model<StatusListDoc>('statusList', listSchema);
export const StatusSlotModel = mongoose.model<StatusSlot>('statusSlot', slotSchema);

/** A list is closed once half full, so random draws stay quick and holders stay many. */
const LIST_CAPACITY = STATUS_LIST_SIZE / 2;

/** The issuer's list with room for `count` more entries, made when needed. */
async function openList(issuerKey: string, count: number): Promise<string> {
  for (let n = 1; ; n++) {
    const listKey = `${issuerKey}-${n}`;
    await StatusListModel.updateOne({ _id: listKey }, { $setOnInsert: { issuerKey, revoked: [], version: 1, allocated: 0 } }, { upsert: true }).catch((err) => { if (!isDuplicateKey(err)) throw err; });
    // Reserve the room first: two instances filling one list at once cannot overfill it.
    const reserved = await StatusListModel.updateOne({ _id: listKey, allocated: { $lte: LIST_CAPACITY - count } }, { $inc: { allocated: count } });
    if (reserved.modifiedCount === 1) return listKey;
  }
}

/**
 * Each award's place in its issuer's status list, claimed once: slots already claimed are
 * reused, the others drawn at random and inserted together; a draw that collides is drawn again.
 */
export async function statusEntriesFor(issuerKey: string, awardIds: string[]): Promise<Map<string, StatusEntry>> {
  const entries = new Map<string, StatusEntry>();
  for (const slot of await StatusSlotModel.find({ awardId: { $in: awardIds } }).lean()) entries.set(slot.awardId, { listKey: slot.listKey, index: slot.index });
  let missing = awardIds.filter((id) => !entries.has(id));
  while (missing.length) {
    const listKey = await openList(issuerKey, missing.length);
    const drawn = missing.map((awardId) => ({ awardId, listKey, index: randomInt(STATUS_LIST_SIZE) }));
    const refused = await insertNew(StatusSlotModel, drawn.map((d) => ({ _id: `${d.listKey}:${d.index}`, ...d })));
    drawn.forEach((d, i) => { if (!refused.has(i)) entries.set(d.awardId, { listKey: d.listKey, index: d.index }); });
    // A refused draw collided with a taken index, or the award was claimed meanwhile: look again.
    missing = missing.filter((id) => !entries.has(id));
    if (missing.length) for (const slot of await StatusSlotModel.find({ awardId: { $in: missing } }).lean()) entries.set(slot.awardId, { listKey: slot.listKey, index: slot.index });
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

/**
 * The signed list credential for the list's current version: the stored one when it is current,
 * else `sign` makes it and it is stored unless the list changed meanwhile.
 */
export async function signedStatusList(list: StatusListDoc, sign: (revoked: number[]) => Promise<object>): Promise<object> {
  if (list.signedVersion === list.version && list.signedJson) return JSON.parse(list.signedJson) as object;
  const credential = await sign(list.revoked ?? []);
  await StatusListModel.updateOne({ _id: list._id, version: list.version }, { $set: { signedVersion: list.version, signedJson: JSON.stringify(credential) } });
  return credential;
}
