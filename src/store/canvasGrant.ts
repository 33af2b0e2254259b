/**
 * An instructor's grant of Canvas API access to Laurel (Canvas OAuth2 with the platform's API
 * developer key), one per person and platform: given once from inside a launch, used by every
 * course of theirs, and by background runs of a course they teach. Tokens are sealed at rest.
 */
import mongoose, { Schema } from 'mongoose';
import { seal, unseal } from '../secrets/sealed.js';
import { personKey } from './lmsUser.js';

/** What Canvas's OAuth token answer gives Laurel (lms/canvasRest/canvasOAuth.ts), and a grant keeps. */
export interface CanvasTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  /** The Canvas user who authorised Laurel: the REST API acts with their permissions. */
  canvasUserId: string;
  userName?: string;
}

export interface CanvasGrant {
  _id: string;
  issuer: string;
  clientId: string;
  /** The instructor's LTI user id (`sub`). */
  userId: string;
  canvasUserId: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  connectedAt: Date;
  /**
   * The scopes Laurel asked for (Canvas's token answer does not say them): absent when it asked
   * none, the developer key not enforcing scopes (canvasOAuth.ts, scopesEditAssignments).
   */
  scopes?: string[];
  /** Set when Canvas refused the grant (revoked, or the key deleted): the instructor connects again. */
  refusedAt?: Date;
}

const schema = new Schema<CanvasGrant>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  userId: { type: String, required: true },
  canvasUserId: { type: String, required: true },
  accessToken: { type: String, required: true },
  refreshToken: { type: String, required: true },
  expiresAt: { type: Date, required: true },
  connectedAt: { type: Date, required: true },
  // Absent, not [], when no scope was asked: mongoose would otherwise store an empty list.
  scopes: { type: [String], default: undefined },
  refusedAt: Date,
});
schema.index({ issuer: 1, clientId: 1 });

export const CanvasGrantModel = mongoose.model<CanvasGrant>('canvasGrant', schema);


/** Stores (or replaces) the person's grant, with the scopes asked for: connecting twice keeps one grant, the newest. */
export async function saveCanvasGrant(issuer: string, clientId: string, userId: string, t: CanvasTokens, scopes?: readonly string[]): Promise<void> {
  const _id = personKey(issuer, clientId, userId);
  await CanvasGrantModel.replaceOne({ _id }, {
    _id, issuer, clientId, userId, canvasUserId: t.canvasUserId, accessToken: seal(t.accessToken), refreshToken: seal(t.refreshToken),
    expiresAt: t.expiresAt, connectedAt: new Date(), ...(scopes ? { scopes: [...scopes] } : {}),
  }, { upsert: true });
}

/** Keeps refreshed tokens (Canvas may send a new refresh token, or keep the old one). */
export async function saveRefreshedTokens(grant: CanvasGrant, t: CanvasTokens): Promise<void> {
  await CanvasGrantModel.updateOne({ _id: grant._id }, { $set: { accessToken: seal(t.accessToken), refreshToken: seal(t.refreshToken), expiresAt: t.expiresAt } });
}

export async function markCanvasGrantRefused(grant: CanvasGrant): Promise<void> {
  await CanvasGrantModel.updateOne({ _id: grant._id }, { $set: { refusedAt: new Date() } });
}

export async function deleteCanvasGrant(issuer: string, clientId: string, userId: string): Promise<boolean> {
  return (await CanvasGrantModel.deleteOne({ _id: personKey(issuer, clientId, userId) })).deletedCount > 0;
}

/** Every grant on the platform goes with its developer key. */
export async function deleteCanvasGrantsOf(issuer: string, clientId: string): Promise<number> {
  return (await CanvasGrantModel.deleteMany({ issuer, clientId })).deletedCount;
}

/** The first of these people's grants, in the order given (looked up by key, one at a time: a handful of instructors). */
export async function canvasGrantOf(issuer: string, clientId: string, userIds: readonly string[]): Promise<CanvasGrant | null> {
  let refused: CanvasGrant | null = null;
  for (const userId of new Set(userIds)) {
    const grant = await CanvasGrantModel.findById(personKey(issuer, clientId, userId)).lean();
    if (grant && !grant.refusedAt) return grant;
    refused ??= grant;
  }
  // Only refused grants: answered so the course can say "connect again" rather than "connect".
  return refused;
}

export function grantTokens(g: CanvasGrant): CanvasTokens {
  return { accessToken: unseal(g.accessToken), refreshToken: unseal(g.refreshToken), expiresAt: g.expiresAt, canvasUserId: g.canvasUserId };
}
