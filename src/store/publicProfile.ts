/**
 * A learner's public page of badges, off until they publish it: the badges they chose (by their
 * public ids) and whether it shows their name, under an unguessable id (128 random bits), which
 * is the document's `_id` so the public page is one read by key. Withdrawing keeps the id with
 * nothing else, so its URL answers "gone" and never shows anything again; publishing after that
 * makes a new id. The learner's own document (store/learnerCourse.ts) points to the one published.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { claimProfileId, profileIdOf, releaseProfileId, type Person } from './learnerCourse.js';

export interface PublicProfile {
  id: string;
  issuer: string;
  clientId: string;
  userId: string;
  /** The public ids of the awards shown, in the learner's order. */
  awardIds: string[];
  showName: boolean;
  /** The learner's name as their LMS gave it when they last saved, kept only while they show it. */
  name?: string;
  publishedAt: Date;
  updatedAt: Date;
  /** Set when the learner stopped publishing: the page is gone. */
  withdrawnAt?: Date;
}

type Stored = Omit<PublicProfile, 'id'> & { _id: string };

const schema = new Schema<Stored>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  userId: { type: String, required: true },
  awardIds: { type: [String], default: [] },
  showName: { type: Boolean, default: false },
  name: String,
  publishedAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
  withdrawnAt: Date,
}, { versionKey: false });

export const PublicProfileModel = mongoose.model<Stored>('publicProfile', schema);

const fromStored = ({ _id, ...p }: Stored): PublicProfile => ({ id: _id, ...p });

export async function publicProfileById(id: string): Promise<PublicProfile | null> {
  const found = await PublicProfileModel.findById(id).lean();
  return found ? fromStored(found) : null;
}

/** The person's page as it stands, if they publish one. */
export async function publishedProfileOf(p: Person): Promise<PublicProfile | null> {
  const id = await profileIdOf(p);
  const found = id ? await publicProfileById(id) : null;
  return found && !found.withdrawnAt ? found : null;
}

export interface ProfileChoice { awardIds: string[]; showName: boolean; name?: string }

/** Publications racing another at the same moment try again this many times. */
const PUBLISH_ATTEMPTS = 5;

/**
 * Publishes the person's page with these badges, or changes what the published one shows (its
 * URL stays). Answers the page as saved.
 */
export async function publishProfile(p: Person, choice: ProfileChoice, now = new Date(), attempt = 1): Promise<PublicProfile> {
  const shown = { awardIds: choice.awardIds, showName: choice.showName };
  const current = await profileIdOf(p);
  if (current) {
    const res = await PublicProfileModel.updateOne(
      { _id: current, withdrawnAt: { $exists: false } },
      { $set: { ...shown, updatedAt: now, ...(choice.showName && choice.name ? { name: choice.name } : {}) }, ...(choice.showName && choice.name ? {} : { $unset: { name: 1 } }) },
    );
    if (res.matchedCount === 1) return (await publicProfileById(current))!;
    await releaseProfileId(p, current); // withdrawn, or lost: a new page below
  }
  const id = randomBytes(16).toString('base64url');
  await PublicProfileModel.create({
    _id: id, issuer: p.issuer, clientId: p.clientId, userId: p.userId, ...shown,
    ...(choice.showName && choice.name ? { name: choice.name } : {}), publishedAt: now, updatedAt: now,
  });
  if (!(await claimProfileId(p, id, now))) {
    // Published at the same moment from elsewhere: that page stands, this one goes at once, and
    // the choice is saved on that page (once its pointer is written; a few tries, then said).
    await withdraw(id, now);
    if (attempt >= PUBLISH_ATTEMPTS) throw new Error('Your page of badges is being published from elsewhere at this moment: try again in a few seconds.');
    await new Promise((r) => setTimeout(r, 20 * attempt));
    return publishProfile(p, choice, now, attempt + 1);
  }
  return (await publicProfileById(id))!;
}

async function withdraw(id: string, now: Date): Promise<void> {
  await PublicProfileModel.updateOne({ _id: id }, { $set: { withdrawnAt: now, awardIds: [], showName: false }, $unset: { name: 1 } });
}

/** Stops publishing: the page's URL answers "gone" from now on. Nothing published: nothing to do (false). */
export async function withdrawProfile(p: Person, now = new Date()): Promise<boolean> {
  const id = await profileIdOf(p);
  if (!id) return false;
  await withdraw(id, now);
  await releaseProfileId(p, id);
  return true;
}
