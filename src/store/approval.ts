/**
 * An instructor's approval of a learner for a badge, read by the rules' `approval` condition.
 */
import mongoose, { Schema } from 'mongoose';
import type { Approval } from '../rules/verdict.js';

interface StoredApproval extends Approval {
  courseKey: string;
  approvedBy: string;
  approvedAt: Date;
}

const schema = new Schema<StoredApproval>({
  courseKey: { type: String, required: true },
  badgeId: { type: String, required: true },
  userId: { type: String, required: true },
  approvedBy: { type: String, required: true },
  approvedAt: { type: Date, required: true },
});
schema.index({ courseKey: 1, badgeId: 1, userId: 1 }, { unique: true });

export const ApprovalModel = mongoose.model<StoredApproval>('approval', schema);

export async function approve(courseKey: string, badgeId: string, userId: string, by: string): Promise<void> {
  await ApprovalModel.updateOne({ courseKey, badgeId, userId }, { $setOnInsert: { courseKey, badgeId, userId, approvedBy: by, approvedAt: new Date() } }, { upsert: true });
}

export async function approvalsOf(courseKey: string): Promise<Approval[]> {
  return (await ApprovalModel.find({ courseKey }).lean()).map(({ badgeId, userId }) => ({ badgeId, userId }));
}
