/**
 * Badges defined in a course. The definition is the rules/ BadgeDefinition, stored as is;
 * the course key scopes every read and write.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import type { BadgeDefinition } from '../rules/badge.js';

export interface StoredBadge extends BadgeDefinition {
  courseKey: string;
  createdAt: Date;
  updatedAt: Date;
  /** LTI user id of the instructor who last changed it. */
  updatedBy: string;
}

const schema = new Schema<StoredBadge>({
  id: { type: String, required: true },
  courseKey: { type: String, required: true },
  name: { type: String, required: true },
  description: { type: String, default: '' },
  criteriaNarrative: String,
  imageUrl: String,
  image: String,
  tags: { type: [String], default: [] },
  alignments: { type: Schema.Types.Mixed, default: [] },
  group: String,
  level: Number,
  validFor: String,
  renewal: Schema.Types.Mixed,
  issueMode: { type: String, enum: ['automatic', 'approval'], default: 'automatic' },
  evidenceRequired: { type: Boolean, default: false },
  gradebookColumn: { type: Boolean, default: false },
  rules: { type: Schema.Types.Mixed, required: true },
  createdAt: { type: Date, required: true },
  updatedAt: { type: Date, required: true },
  updatedBy: { type: String, required: true },
}, { minimize: false });
schema.index({ courseKey: 1, id: 1 }, { unique: true });

export const BadgeModel = mongoose.model<StoredBadge>('badge', schema);

export const newBadgeId = () => randomBytes(12).toString('base64url');

function definitionOf(b: StoredBadge): BadgeDefinition {
  const { courseKey: _c, createdAt: _a, updatedAt: _u, updatedBy: _b, ...definition } = b as StoredBadge & { _id?: unknown; __v?: unknown };
  delete (definition as { _id?: unknown })._id;
  delete (definition as { __v?: unknown }).__v;
  return definition;
}

export async function listBadges(courseKey: string): Promise<BadgeDefinition[]> {
  const found = await BadgeModel.find({ courseKey }).sort({ group: 1, level: 1, name: 1 }).lean();
  return found.map(definitionOf);
}

/** Whether a badge of the course asks for a "Badge:" column in the grade book (its gradebookColumn option). */
export async function hasBadgeColumn(courseKey: string): Promise<boolean> {
  return (await BadgeModel.exists({ courseKey, gradebookColumn: true })) !== null;
}

export async function getBadge(courseKey: string, id: string): Promise<BadgeDefinition | null> {
  const found = await BadgeModel.findOne({ courseKey, id }).lean();
  return found ? definitionOf(found) : null;
}

/**
 * What a definition may leave out to mean "none" (no expiry, no renewal…): left out when saved,
 * it is removed from the stored badge, not kept from before. (The image is set on its own.)
 */
const OPTIONAL = ['criteriaNarrative', 'imageUrl', 'group', 'level', 'validFor', 'renewal', 'gradebookColumn'] as const;

/** Creates or replaces a badge in one atomic write. */
export async function saveBadge(courseKey: string, badge: BadgeDefinition, by: string): Promise<void> {
  const now = new Date();
  const left = OPTIONAL.filter((key) => badge[key] === undefined);
  await BadgeModel.updateOne(
    { courseKey, id: badge.id },
    { $set: { ...badge, courseKey, updatedAt: now, updatedBy: by }, $setOnInsert: { createdAt: now }, ...(left.length ? { $unset: Object.fromEntries(left.map((key) => [key, 1])) } : {}) },
    { upsert: true },
  );
}

export async function deleteBadge(courseKey: string, id: string): Promise<boolean> {
  return (await BadgeModel.deleteOne({ courseKey, id })).deletedCount === 1;
}

/** Points the badge at an uploaded image (by hash), or back at the drawn one; false when there is no such badge. */
export async function setBadgeImage(courseKey: string, id: string, sha256: string | undefined, by: string): Promise<boolean> {
  const change = sha256 ? { $set: { image: sha256, updatedAt: new Date(), updatedBy: by } } : { $unset: { image: 1 }, $set: { updatedAt: new Date(), updatedBy: by } };
  return (await BadgeModel.updateOne({ courseKey, id }, change)).matchedCount === 1;
}
