/**
 * The issuer profile of an institution: one per registration of Laurel in an LMS (platform
 * issuer and client id), set by its administrator on the admin page, with a default until then.
 * Not per issuer alone: every Canvas cloud institution has the same issuer, and each must sign
 * in its own name. Every credential names its issuer by this profile's key, so the key never
 * changes for a registration; it is also the profile's `_id`, so pages find it by key.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from './insertNew.js';
import { isHttpUrl } from '../httpUrl.js';
import { inputProblem, type InputProblem } from '../inputProblem.js';

/** Laurel's registration in an LMS: the institution that signs. */
export interface Registration { issuer: string; clientId: string }

export interface IssuerProfile {
  /** Derived from the registration: stable, short, safe in URLs. */
  key: string;
  platformIssuer: string;
  clientId: string;
  name: string;
  url: string;
  email?: string;
  description?: string;
  imageUrl?: string;
  /** The institution's LinkedIn page (linkedin.com/company/<id>): LinkedIn shows its logo on a learner's certification. */
  linkedInOrganizationId?: string;
  updatedAt?: Date;
  updatedBy?: string;
}

const schema = new Schema<IssuerProfile & { _id: string }>({
  _id: String,
  key: { type: String, required: true },
  platformIssuer: { type: String, required: true },
  clientId: { type: String, required: true },
  name: { type: String, required: true },
  url: { type: String, required: true },
  email: String,
  description: String,
  imageUrl: String,
  linkedInOrganizationId: String,
  updatedAt: Date,
  updatedBy: String,
});
schema.pre('validate', function keyed() { this._id ??= this.key; });

export const IssuerProfileModel = mongoose.model<IssuerProfile & { _id: string }>('issuerProfile', schema);

export function issuerKeyOf(r: Registration): string {
  return createHash('sha256').update(JSON.stringify([r.issuer, r.clientId])).digest('base64url').slice(0, 16);
}

/** What an institution is called until its administrator says otherwise: the LMS's host. */
export function defaultProfile(r: Registration): IssuerProfile {
  const host = new URL(r.issuer).host;
  return { key: issuerKeyOf(r), platformIssuer: r.issuer, clientId: r.clientId, name: host, url: r.issuer };
}

/** The registration's profile, stored with the default on first use so that its key always leads back to it. */
export async function issuerProfileOf(r: Registration): Promise<IssuerProfile> {
  const key = issuerKeyOf(r);
  const found = await IssuerProfileModel.findById(key, { _id: 0, __v: 0 }).lean();
  if (found) return found;
  await IssuerProfileModel.updateOne({ _id: key }, { $setOnInsert: defaultProfile(r) }, { upsert: true }).catch((err) => {
    if (!isDuplicateKey(err)) throw err; // made by another instance meanwhile
  });
  return (await IssuerProfileModel.findById(key, { _id: 0, __v: 0 }).lean())!;
}

export async function issuerProfileByKey(key: string): Promise<IssuerProfile | null> {
  return IssuerProfileModel.findById(key, { _id: 0, __v: 0 }).lean();
}

export type IssuerProfileInput = Pick<IssuerProfile, 'name' | 'url' | 'email' | 'description' | 'imageUrl' | 'linkedInOrganizationId'>;

export class IssuerProfileError extends Error {
  constructor(readonly problems: InputProblem[]) { super(problems.map((p) => p.message).join('; ')); }
}

/** Problems a person can fix, field by field; none when the input is good. */
export function checkIssuerProfile(p: Partial<IssuerProfileInput>): InputProblem[] {
  const problems: InputProblem[] = [];
  if (!p.name?.trim()) problems.push(inputProblem('issuer.nameRequired', 'name: give the institution\'s name as learners and employers know it'));
  else if (p.name.length > 200) problems.push(inputProblem('issuer.nameTooLong', 'name: at most 200 characters'));
  if (!p.url || !isHttpUrl(p.url)) problems.push(inputProblem('issuer.url', 'url: give the institution\'s web site as an absolute https:// URL'));
  if (p.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(p.email)) problems.push(inputProblem('issuer.email', `email: "${p.email}" is not an email address`, { email: p.email }));
  if (p.imageUrl && !isHttpUrl(p.imageUrl)) problems.push(inputProblem('issuer.image', 'image: give the logo as an absolute https:// URL'));
  if (p.description && p.description.length > 2000) problems.push(inputProblem('issuer.descriptionTooLong', 'description: at most 2,000 characters'));
  const linkedIn = p.linkedInOrganizationId?.trim();
  if (linkedIn && !/^\d{1,20}$/.test(linkedIn)) problems.push(inputProblem('issuer.linkedInOrganization', `LinkedIn organization id: "${linkedIn}" is not one; it is the number in the address of the institution's LinkedIn admin page (linkedin.com/company/12345678/admin), digits only`, { value: linkedIn }));
  return problems;
}

export async function saveIssuerProfile(r: Registration, input: IssuerProfileInput, by: string): Promise<IssuerProfile> {
  const problems = checkIssuerProfile(input);
  if (problems.length) throw new IssuerProfileError(problems);
  const key = issuerKeyOf(r);
  const clean = (v?: string) => v?.trim() || undefined;
  const profile: IssuerProfile = {
    key, platformIssuer: r.issuer, clientId: r.clientId, name: input.name.trim(), url: input.url.trim(),
    email: clean(input.email), description: clean(input.description), imageUrl: clean(input.imageUrl),
    linkedInOrganizationId: clean(input.linkedInOrganizationId),
    updatedAt: new Date(), updatedBy: by,
  };
  await IssuerProfileModel.replaceOne({ _id: key }, profile, { upsert: true });
  return profile;
}
