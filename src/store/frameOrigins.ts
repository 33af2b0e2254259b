/**
 * The sites a platform really shows Laurel from, kept so those sites may frame Laurel's pages
 * (CSP frame-ancestors). Cloud Canvas signs launches as its issuer and logs in on its sso host,
 * but shows the course on the school's host or the school's own domain, which no registration
 * names. Two sources, never an unknown site:
 *  - learned: origins read from launches whose id_token Laurel validated (launchOrigins.ts);
 *  - configured: origins an administrator added (`npm run platform -- add-frame-origin`).
 * One document per platform (issuer + Laurel's client id), bounded: the most recently seen
 * learned origins are kept, the oldest dropped.
 */
import mongoose, { Schema } from 'mongoose';

export const MAX_LEARNED_FRAME_ORIGINS = 20;
export const MAX_CONFIGURED_FRAME_ORIGINS = 50;

interface LearnedOrigin { origin: string; seenAt: Date }

export interface PlatformFrameOrigins {
  issuer: string;
  clientId: string;
  learned: LearnedOrigin[];
  configured: string[];
}

const schema = new Schema<PlatformFrameOrigins>({
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  learned: [{ _id: false, origin: String, seenAt: Date }],
  configured: [String],
});
schema.index({ issuer: 1, clientId: 1 }, { unique: true });

export const PlatformFrameOriginsModel = mongoose.model<PlatformFrameOrigins>('platformFrameOrigins', schema);

/** An origin as a browser compares it in frame-ancestors: http(s) scheme, host, port; nothing else. */
export function frameOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}

const A_DAY = 24 * 60 * 60 * 1000;

/**
 * Remembers the origins of one validated launch. Writes only when an origin is new or was last
 * seen more than a day ago, so a launch usually costs one read.
 */
export async function learnFrameOrigins(issuer: string, clientId: string, origins: string[], now = new Date()): Promise<void> {
  if (origins.length === 0) return;
  const doc = await PlatformFrameOriginsModel.findOne({ issuer, clientId }).lean();
  const learned = new Map((doc?.learned ?? []).map((l) => [l.origin, new Date(l.seenAt)]));
  const stale = origins.some((o) => !learned.has(o) || now.getTime() - learned.get(o)!.getTime() > A_DAY);
  if (!stale) return;
  for (const o of origins) learned.set(o, now);
  const kept = [...learned].sort((a, b) => b[1].getTime() - a[1].getTime()).slice(0, MAX_LEARNED_FRAME_ORIGINS)
    .map(([origin, seenAt]) => ({ origin, seenAt }));
  await PlatformFrameOriginsModel.updateOne({ issuer, clientId }, { $set: { learned: kept } }, { upsert: true });
}

export class FrameOriginError extends Error {}

/** An administrator's origin for a platform; refuses anything but a bare http(s) origin. */
export async function addConfiguredFrameOrigin(issuer: string, clientId: string, value: string): Promise<string> {
  const origin = frameOrigin(value.trim());
  if (!origin || origin !== value.trim().replace(/\/$/, '')) {
    throw new FrameOriginError(`"${value}" is not a site's origin: give the scheme and host only, like https://school.example.edu`);
  }
  const doc = await PlatformFrameOriginsModel.findOne({ issuer, clientId }).lean();
  const configured = new Set(doc?.configured ?? []);
  if (!configured.has(origin) && configured.size >= MAX_CONFIGURED_FRAME_ORIGINS) {
    throw new FrameOriginError(`this platform already has ${MAX_CONFIGURED_FRAME_ORIGINS} configured origins: remove one first`);
  }
  configured.add(origin);
  await PlatformFrameOriginsModel.updateOne({ issuer, clientId }, { $set: { configured: [...configured].sort() } }, { upsert: true });
  return origin;
}

export async function removeConfiguredFrameOrigin(issuer: string, clientId: string, value: string): Promise<boolean> {
  const origin = frameOrigin(value.trim()) ?? value.trim();
  const res = await PlatformFrameOriginsModel.updateOne({ issuer, clientId }, { $pull: { configured: origin } });
  return res.modifiedCount > 0;
}

/** Every platform's frame origins, learned and configured, keyed by issuer + client id. */
export async function allFrameOrigins(): Promise<Map<string, string[]>> {
  const docs = await PlatformFrameOriginsModel.find({}, { _id: 0, __v: 0 }).lean();
  return new Map(docs.map((d) => [platformKey(d.issuer, d.clientId), [...(d.configured ?? []), ...(d.learned ?? []).map((l) => l.origin)]]));
}

export const platformKey = (issuer: string, clientId: string): string => `${issuer}\n${clientId}`;
