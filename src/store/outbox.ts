/**
 * The outbox: every message Laurel owes a learner or an instructor, one document per event and
 * person under the event's key (`awarded <award id>`, `digest <course> <day> <user>`). The key is
 * the `_id`, so an event is enqueued once whichever instance or run notices it first, and a
 * restart finds what was sent as sent.
 *
 * Sending is claimed, not updated under a condition (FerretDB runs a conditional update as a read
 * then a write: store/writeClaim.ts): a sender claims `outbox <key> <attempts>` by inserting it,
 * and only the one that inserted it sends that attempt, after moving the message's next attempt
 * past the time an attempt may take. A sender that dies mid-send leaves the message due again
 * then: sent twice at worst, never lost.
 *
 * What a message says is made when it is sent (the award as it is then, the person's language),
 * so nothing here holds a message body; `failure` is Laurel's sentence for the administrator.
 */
import mongoose, { Schema } from 'mongoose';
import type { InputProblem } from '../inputProblem.js';
import { insertNew } from './insertNew.js';
import { claimOnce } from './writeClaim.js';
import { registrationKey } from './auditLog.js';

/** What happened: to a learner (awarded, waiting for approval, revoked, expiring soon), or the instructors' digest. */
export type MessageKind = 'awarded' | 'pending' | 'revoked' | 'expiring' | 'digest';

/**
 * due: to send at `nextAttemptAt` (a failed attempt leaves it due, later); sent: delivered;
 * failed: given up after the last attempt; skipped: nothing to send any more (the learner turned
 * messages off, the award changed since, nowhere to send it).
 */
export type MessageState = 'due' | 'sent' | 'failed' | 'skipped';

/** Where a message went. */
export type MessageChannel = 'moodle' | 'canvas' | 'email';

export interface OutboxMessage {
  /** The event's key: one message per event and person, ever. */
  _id: string;
  kind: MessageKind;
  /** The registration (issuer and client id), as the admin page lists the platform's failures. */
  platform: string;
  issuer: string;
  clientId: string;
  courseKey: string;
  /** Who is told: their LTI user id on the platform. */
  userId: string;
  /** The award it is about (none for a digest). */
  awardId?: string;
  state: MessageState;
  /** Attempts claimed so far (each claim's key names its number). */
  attempts: number;
  /** Attempts that failed: what the backoff and giving up count. */
  failures?: number;
  nextAttemptAt?: Date;
  createdAt: Date;
  sentAt?: Date;
  channel?: MessageChannel;
  /** The last failed attempt, in Laurel's words (never a message body, an address or a name). */
  failure?: InputProblem & { at: Date };
  /** Why it was skipped, or what went before a delivery that succeeded by e-mail (the LMS's refusal). */
  note?: InputProblem;
}

const problemSchema = { code: String, params: Schema.Types.Mixed, message: String };

const schema = new Schema<OutboxMessage>({
  _id: String,
  kind: { type: String, required: true },
  platform: { type: String, required: true },
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  courseKey: { type: String, required: true },
  userId: { type: String, required: true },
  awardId: String,
  state: { type: String, required: true },
  attempts: { type: Number, default: 0 },
  failures: Number,
  nextAttemptAt: Date,
  createdAt: { type: Date, required: true },
  sentAt: Date,
  channel: String,
  failure: { type: new Schema({ ...problemSchema, at: Date }, { _id: false }), default: undefined },
  note: { type: new Schema(problemSchema, { _id: false }), default: undefined },
}, { versionKey: false });
// What is due, oldest first: every instance's sender asks every shard.
schema.index({ state: 1, nextAttemptAt: 1 });
// The admin page: the platform's messages that failed.
schema.index({ platform: 1, state: 1 });

export const OutboxModel = mongoose.model<OutboxMessage>('outboxMessage', schema);

/** A message to enqueue: who, about what, and when it is due (a reminder is due later). */
export interface NewMessage {
  key: string;
  kind: MessageKind;
  issuer: string;
  clientId: string;
  courseKey: string;
  userId: string;
  awardId?: string;
  dueAt: Date;
}

/** Inserts each message unless its key exists; answers the keys this call inserted. */
export async function enqueueMessages(list: NewMessage[], now = new Date()): Promise<string[]> {
  const docs: OutboxMessage[] = list.map((m) => ({
    _id: m.key, kind: m.kind, platform: registrationKey(m), issuer: m.issuer, clientId: m.clientId, courseKey: m.courseKey, userId: m.userId,
    ...(m.awardId ? { awardId: m.awardId } : {}), state: 'due', attempts: 0, nextAttemptAt: m.dueAt, createdAt: now,
  }));
  const refused = await insertNew(OutboxModel, docs);
  return docs.filter((_d, i) => !refused.has(i)).map((d) => d._id);
}

export async function outboxMessage(key: string): Promise<OutboxMessage | null> {
  return OutboxModel.findById(key).lean();
}

/** Messages due now, oldest first. */
export async function dueMessages(now: Date, limit: number): Promise<OutboxMessage[]> {
  return OutboxModel.find({ state: 'due', nextAttemptAt: { $lte: now } }).sort({ nextAttemptAt: 1 }).limit(limit).lean();
}

/** How long a claim is kept: far longer than any sender holds a read of the message. */
const CLAIM_KEPT_MS = 60 * 60_000;

/**
 * Claims this attempt of the message and holds it until `holdUntil`: longer than any attempt takes
 * (the LMS's retries, then the SMTP server's timeouts), so no other sender starts the next attempt
 * while this one runs, and a sender that dies while sending leaves it to be tried then. False when
 * another sender claimed it first.
 */
export async function claimAttempt(m: OutboxMessage, holdUntil: Date, now = new Date()): Promise<boolean> {
  if (!(await claimOnce(`outbox ${m._id} ${m.attempts}`, new Date(now.getTime() + CLAIM_KEPT_MS)))) return false;
  const moved = await OutboxModel.updateOne({ _id: m._id, attempts: m.attempts, state: 'due' }, { $set: { attempts: m.attempts + 1, nextAttemptAt: holdUntil } });
  return moved.matchedCount === 1;
}

export async function markSent(key: string, channel: MessageChannel, note: InputProblem | undefined, now = new Date()): Promise<void> {
  await OutboxModel.updateOne({ _id: key }, { $set: { state: 'sent', sentAt: now, channel, ...(note ? { note } : {}) }, $unset: { nextAttemptAt: 1, failure: 1 } });
}

/** A failed attempt (the `failures`-th): due again at `retryAt`, or given up (no `retryAt`). */
export async function markFailed(key: string, failure: InputProblem, failures: number, retryAt: Date | undefined, now = new Date()): Promise<void> {
  await OutboxModel.updateOne({ _id: key }, {
    $set: { failure: { ...failure, at: now }, failures, ...(retryAt ? { nextAttemptAt: retryAt } : { state: 'failed' }) },
    ...(retryAt ? {} : { $unset: { nextAttemptAt: 1 } }),
  });
}

export async function markSkipped(key: string, why: InputProblem): Promise<void> {
  await OutboxModel.updateOne({ _id: key }, { $set: { state: 'skipped', note: why }, $unset: { nextAttemptAt: 1 } });
}

/** Not yet: due again at `at` (a credential being signed, a reminder whose credential's end moved). No failure: the backoff does not grow. */
export async function postpone(key: string, at: Date): Promise<void> {
  await OutboxModel.updateOne({ _id: key }, { $set: { nextAttemptAt: at }, $unset: { failure: 1 } });
}

/** The platform's messages whose last attempt failed, still tried or given up, latest first: for the admin page. */
export async function failedMessagesOf(r: { issuer: string; clientId: string }, limit = 50): Promise<OutboxMessage[]> {
  const found = await OutboxModel.find({ platform: registrationKey(r), state: { $in: ['due', 'failed'] }, failure: { $exists: true } }).lean();
  return found.sort((a, b) => b.failure!.at.getTime() - a.failure!.at.getTime()).slice(0, limit);
}
