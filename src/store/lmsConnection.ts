/**
 * A platform's connection to its LMS's own API (issue 8), set by the platform's administrator on
 * the admin page or with `npm run platform -- connect`: a Canvas API developer key, or a Moodle
 * web-service token. One per platform (issuer + Laurel's client id there). Secrets are sealed
 * (secrets/sealed.ts) and never leave this module unsealed except to call the LMS.
 */
import mongoose, { Schema } from 'mongoose';
import type { LmsApiSource } from '../rules/snapshot.js';
import { seal, unseal } from '../secrets/sealed.js';

export interface LmsConnection {
  issuer: string;
  clientId: string;
  kind: LmsApiSource;
  /** The LMS's address its API answers at: https://school.instructure.com, https://moodle.school.edu. */
  baseUrl: string;
  /** Canvas: the API developer key's client id, and its secret (sealed). */
  apiClientId?: string;
  apiClientSecret?: string;
  /** Canvas: the developer key enforces scopes, so Laurel asks for exactly the ones it uses. */
  enforcesScopes?: boolean;
  /** Moodle: the web-service token (sealed). */
  token?: string;
  updatedAt: Date;
  updatedBy: string;
}

const schema = new Schema<LmsConnection>({
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  kind: { type: String, required: true },
  baseUrl: { type: String, required: true },
  apiClientId: String,
  apiClientSecret: String,
  enforcesScopes: Boolean,
  token: String,
  updatedAt: { type: Date, required: true },
  updatedBy: { type: String, required: true },
});
schema.index({ issuer: 1, clientId: 1 }, { unique: true });

export const LmsConnectionModel = mongoose.model<LmsConnection>('lmsConnection', schema);

export type CanvasKeyInput = { baseUrl: string; apiClientId: string; apiClientSecret: string; enforcesScopes: boolean };

/** Replaces the platform's connection (idempotent: the same input twice stores the same thing). */
export async function connectCanvas(issuer: string, clientId: string, key: CanvasKeyInput, by: string): Promise<void> {
  await LmsConnectionModel.replaceOne({ issuer, clientId }, {
    issuer, clientId, kind: 'canvas-rest', baseUrl: key.baseUrl, apiClientId: key.apiClientId,
    apiClientSecret: seal(key.apiClientSecret), enforcesScopes: key.enforcesScopes, updatedAt: new Date(), updatedBy: by,
  }, { upsert: true });
}

export async function connectMoodle(issuer: string, clientId: string, o: { baseUrl: string; token: string }, by: string): Promise<void> {
  await LmsConnectionModel.replaceOne({ issuer, clientId }, {
    issuer, clientId, kind: 'moodle-ws', baseUrl: o.baseUrl, token: seal(o.token), updatedAt: new Date(), updatedBy: by,
  }, { upsert: true });
}

export async function disconnectLms(issuer: string, clientId: string): Promise<boolean> {
  return (await LmsConnectionModel.deleteOne({ issuer, clientId })).deletedCount > 0;
}

/** The connection as stored, secrets still sealed (what pages show: never the secrets). */
export async function lmsConnectionOf(issuer: string, clientId: string): Promise<LmsConnection | null> {
  return LmsConnectionModel.findOne({ issuer, clientId }, { _id: 0, __v: 0 }).lean();
}

/** The secrets, unsealed, for a call to the LMS. */
export function connectionSecrets(c: LmsConnection): { apiClientSecret?: string; token?: string } {
  return { apiClientSecret: c.apiClientSecret && unseal(c.apiClientSecret), token: c.token && unseal(c.token) };
}
