/**
 * The course's audit log: who awarded, approved, revoked or changed what, and when. Append
 * only: this module inserts and reads, and nothing in Laurel updates or deletes an entry.
 */
import { randomBytes } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';

export type AuditAction =
  | 'badge.created' | 'badge.changed' | 'badge.deleted' | 'badge.image' | 'badge.copied' | 'column.adopted' | 'column.deleted'
  | 'award.manual' | 'award.approved' | 'award.revoked' | 'award.evidence' | 'award.toWallet'
  | 'evaluation.run' | 'canvas.connected' | 'canvas.disconnected' | 'issuer.changed' | 'issuer.keysRotated' | 'platform.settings'
  | 'platform.adminGranted' | 'platform.adminRevoked' | 'platform.frameOriginAdded' | 'platform.frameOriginRemoved'
  | 'privacy.retention' | 'platform.erasure' | 'platform.erasureDeclined';

export interface AuditEntry {
  id: string;
  /** The course it happened in; platform-wide changes (issuer profile, keys) carry the platform instead. */
  courseKey?: string;
  platform?: string;
  at: Date;
  /** LTI user id of who did it, or "laurel" for the background scheduler. */
  actor: string;
  actorName?: string;
  action: AuditAction;
  badgeId?: string;
  awardId?: string;
  /** The learner concerned, for award entries. */
  userId?: string;
  /** What changed, in words ("Quiz 1 Mastery, 3 learners", "reason: plagiarism"). */
  detail: string;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

/** An entry's `platform`: the registration (issuer and client id), never the issuer alone, which Canvas cloud institutions share. */
export const registrationKey = (r: { issuer: string; clientId: string }) => `${r.issuer} ${r.clientId}`;

const schema = new Schema<AuditEntry & { _id: string }>({
  _id: { type: String, required: true },
  id: { type: String, required: true },
  courseKey: String,
  platform: String,
  at: { type: Date, required: true },
  actor: { type: String, required: true },
  actorName: String,
  action: { type: String, required: true },
  badgeId: String,
  awardId: String,
  userId: String,
  detail: { type: String, default: '' },
}, { versionKey: false });
schema.index({ courseKey: 1, at: -1 });
schema.index({ platform: 1, at: -1 });

export const AuditEntryModel = mongoose.model('auditEntry', schema);

export async function recordAudit(entries: NewAuditEntry | NewAuditEntry[], at = new Date()): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await AuditEntryModel.insertMany(list.map((e) => {
    const id = randomBytes(12).toString('base64url');
    return { _id: id, id, at, ...e, detail: e.detail.slice(0, 1000) };
  }), { lean: true });
}

/** Newest first. */
export async function auditOfCourse(courseKey: string, limit = 1000): Promise<AuditEntry[]> {
  const found = await AuditEntryModel.find({ courseKey }, { _id: 0 }).sort({ at: -1 }).limit(limit).lean();
  return found as AuditEntry[];
}

export async function auditOfPlatform(platform: string, limit = 1000): Promise<AuditEntry[]> {
  const found = await AuditEntryModel.find({ platform }, { _id: 0 }).sort({ at: -1 }).limit(limit).lean();
  return found as AuditEntry[];
}

/** What the log says of a revocation, from the page, the API or a bulk job alike. */
export function revocationEntry(award: { id: string; badgeId: string; userId: string; recipient?: { name?: string }; revocationReason?: string }): Pick<NewAuditEntry, 'action' | 'badgeId' | 'awardId' | 'userId' | 'detail'> {
  return { action: 'award.revoked', badgeId: award.badgeId, awardId: award.id, userId: award.userId, detail: `${award.recipient?.name ?? award.userId}: ${award.revocationReason}` };
}
