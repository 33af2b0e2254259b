/**
 * What Laurel keeps of a person to tell them something (store/outbox.ts): the language and the
 * e-mail address of their last launch, and whether they turned messages off on their page. One
 * document per person and registration, under the person key, so the sender and a launch each
 * find it with one lookup.
 */
import mongoose, { Schema } from 'mongoose';
import { upsertOnce } from './insertNew.js';
import { personKey } from './lmsUser.js';

export interface MessageRecipient {
  _id: string;
  issuer: string;
  clientId: string;
  userId: string;
  /** The language of their last launch (`en`, `fr`). */
  locale?: string;
  /** The e-mail address their last launch carried, when the LMS shares it. */
  email?: string;
  /** They turned Laurel's messages off. */
  messagesOff?: boolean;
  updatedAt: Date;
}

const schema = new Schema<MessageRecipient>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  userId: { type: String, required: true },
  locale: String,
  email: String,
  messagesOff: Boolean,
  updatedAt: { type: Date, required: true },
}, { versionKey: false });

export const MessageRecipientModel = mongoose.model<MessageRecipient>('messageRecipient', schema);

type Person = { issuer: string; clientId: string; userId: string };

/** Each launch says it again: the language and address it carried (an address it leaves out is forgotten). */
export async function recordLaunchContact(p: Person, o: { locale: string; email?: string }, now = new Date()): Promise<void> {
  const { issuer, clientId, userId } = p;
  await upsertOnce(() => MessageRecipientModel.updateOne(
    { _id: personKey(issuer, clientId, userId) },
    { $set: { issuer, clientId, userId, locale: o.locale, updatedAt: now, ...(o.email ? { email: o.email } : {}) }, ...(o.email ? {} : { $unset: { email: 1 } }) },
    { upsert: true },
  ));
}

/** The person's choice from their page. */
export async function setMessagesOff(p: Person, off: boolean, now = new Date()): Promise<void> {
  const { issuer, clientId, userId } = p;
  await upsertOnce(() => MessageRecipientModel.updateOne(
    { _id: personKey(issuer, clientId, userId) },
    { $set: { issuer, clientId, userId, messagesOff: off, updatedAt: now } },
    { upsert: true },
  ));
}

export async function messageRecipientOf(p: Person): Promise<MessageRecipient | null> {
  return MessageRecipientModel.findById(personKey(p.issuer, p.clientId, p.userId)).lean();
}
