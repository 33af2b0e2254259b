/**
 * The sites a platform really shows Laurel from, kept so those sites may frame Laurel's pages
 * (CSP frame-ancestors). Cloud Canvas signs launches as its issuer and logs in on its sso host,
 * but shows the course on the school's host or the school's own domain, which no registration
 * names. Two sources, never an unknown site:
 *  - learned: origins read from launches whose id_token Laurel validated (launchOrigins.ts);
 *  - configured: origins an administrator added (`npm run platform -- add-frame-origin`, or the
 *    admin page's "Sites that show Laurel").
 * One document per platform (issuer + Laurel's client id), under the platform's key (a launch
 * finds it by `_id`), bounded: the most recently seen learned origins are kept, the oldest dropped.
 */
import mongoose, { Schema } from 'mongoose';
import { inputProblem, type InputProblem } from '../inputProblem.js';
import { registrationKey } from './auditLog.js';
import { upsertOnce } from './insertNew.js';

export const MAX_LEARNED_FRAME_ORIGINS = 20;
export const MAX_CONFIGURED_FRAME_ORIGINS = 50;

/** seenAt: the last launch that named it (to the day); firstSeenAt: the first (absent on origins learned before it was kept). */
interface LearnedOrigin { origin: string; seenAt: Date; firstSeenAt?: Date }

export interface PlatformFrameOrigins {
  issuer: string;
  clientId: string;
  learned: LearnedOrigin[];
  configured: string[];
}

const schema = new Schema<PlatformFrameOrigins & { _id: string }>({
  _id: String,
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  learned: [{ _id: false, origin: String, seenAt: Date, firstSeenAt: Date }],
  configured: [String],
});
schema.pre('validate', function keyed() { this._id ??= registrationKey(this); });

export const PlatformFrameOriginsModel = mongoose.model<PlatformFrameOrigins & { _id: string }>('platformFrameOrigins', schema);

const byPlatform = (issuer: string, clientId: string) => ({ _id: registrationKey({ issuer, clientId }) });

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
  const doc = await PlatformFrameOriginsModel.findOne(byPlatform(issuer, clientId)).lean();
  const learned = new Map((doc?.learned ?? []).map((l) => [l.origin, { origin: l.origin, seenAt: new Date(l.seenAt), firstSeenAt: l.firstSeenAt }]));
  const stale = origins.some((o) => !learned.has(o) || now.getTime() - learned.get(o)!.seenAt.getTime() > A_DAY);
  if (!stale) return;
  for (const o of origins) learned.set(o, { origin: o, seenAt: now, firstSeenAt: learned.has(o) ? learned.get(o)!.firstSeenAt : now });
  const kept = [...learned.values()].sort((a, b) => b.seenAt.getTime() - a.seenAt.getTime()).slice(0, MAX_LEARNED_FRAME_ORIGINS);
  await upsertOnce(() => PlatformFrameOriginsModel.updateOne(byPlatform(issuer, clientId), { $set: { issuer, clientId, learned: kept } }, { upsert: true }));
}

export class FrameOriginError extends Error {
  constructor(readonly problems: InputProblem[]) { super(problems.map((p) => p.message).join('; ')); }
}

const EXAMPLE = 'https://school.example.edu';

/**
 * An origin an administrator typed, as frame-ancestors compares it: https, a host (and a port if
 * any), nothing after it. One exact site: no wildcard, which would let every subdomain frame Laurel.
 */
export function checkFrameOrigin(raw: string | undefined): { origin: string; problem?: undefined } | { origin?: undefined; problem: InputProblem } {
  const value = (raw ?? '').trim();
  let url: URL | undefined;
  try { url = new URL(value); } catch { /* said below */ }
  if (!url || !url.host) {
    return { problem: inputProblem('frameOrigin.invalid', `site: "${value}" is not a web address; give the site's scheme and host, like ${EXAMPLE}`, { value, example: EXAMPLE }) };
  }
  if (url.protocol !== 'https:') {
    return { problem: inputProblem('frameOrigin.notHttps', `site: "${value}" does not start with https://; the LMS shows its pages over https, so give it as https://${url.host}`, { value, host: url.host }) };
  }
  if (url.host.includes('*')) {
    return { problem: inputProblem('frameOrigin.wildcard', `site: "${value}" names many sites at once; give each site on its own, like ${EXAMPLE}`, { value, example: EXAMPLE }) };
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || /[?#]$/.test(value)) {
    return { problem: inputProblem('frameOrigin.notOrigin', `site: "${value}" is not a site's origin: give the scheme and host only, like ${url.origin}, without a path`, { value, origin: url.origin }) };
  }
  return { origin: url.origin };
}

export const tooManyFrameOrigins = (): InputProblem =>
  inputProblem('frameOrigin.tooMany', `this platform already has ${MAX_CONFIGURED_FRAME_ORIGINS} sites added by hand: remove one first`, { max: MAX_CONFIGURED_FRAME_ORIGINS });

/** An administrator's origin for a platform; refuses anything but a bare https origin. `added` is false when it was there already. */
export async function addConfiguredFrameOrigin(issuer: string, clientId: string, value: string): Promise<{ origin: string; added: boolean }> {
  const { origin, problem } = checkFrameOrigin(value);
  if (problem) throw new FrameOriginError([problem]);
  const doc = await PlatformFrameOriginsModel.findOne(byPlatform(issuer, clientId)).lean();
  const configured = new Set(doc?.configured ?? []);
  if (configured.has(origin)) return { origin, added: false };
  if (configured.size >= MAX_CONFIGURED_FRAME_ORIGINS) {
    throw new FrameOriginError([tooManyFrameOrigins()]);
  }
  configured.add(origin);
  await PlatformFrameOriginsModel.updateOne(byPlatform(issuer, clientId), { $set: { issuer, clientId, configured: [...configured].sort() } }, { upsert: true });
  return { origin, added: true };
}

export async function removeConfiguredFrameOrigin(issuer: string, clientId: string, value: string): Promise<boolean> {
  const origin = frameOrigin(value.trim()) ?? value.trim();
  const res = await PlatformFrameOriginsModel.updateOne(byPlatform(issuer, clientId), { $pull: { configured: origin } });
  return res.modifiedCount > 0;
}

export interface FrameOriginsOfPlatform {
  /** Most recently seen first. */
  learned: LearnedOrigin[];
  configured: string[];
}

/** One platform's origins, as the admin page lists them. */
export async function frameOriginsOf(issuer: string, clientId: string): Promise<FrameOriginsOfPlatform> {
  const doc = await PlatformFrameOriginsModel.findOne(byPlatform(issuer, clientId), { _id: 0, __v: 0 }).lean();
  const learned = [...(doc?.learned ?? [])].sort((a, b) => new Date(b.seenAt).getTime() - new Date(a.seenAt).getTime());
  return { learned, configured: doc?.configured ?? [] };
}

/** Every platform's frame origins, learned and configured, keyed by issuer + client id. */
export async function allFrameOrigins(): Promise<Map<string, string[]>> {
  const docs = await PlatformFrameOriginsModel.find({}, { _id: 0, __v: 0 }).lean();
  return new Map(docs.map((d) => [platformKey(d.issuer, d.clientId), [...(d.configured ?? []), ...(d.learned ?? []).map((l) => l.origin)]]));
}

export const platformKey = (issuer: string, clientId: string): string => `${issuer}\n${clientId}`;
