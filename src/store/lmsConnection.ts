/**
 * A platform's connection to its LMS's own API (issue 8), set by the platform's administrator on
 * the admin page or with `npm run platform -- connect`: a Canvas API developer key, or a Moodle
 * web-service token. One per platform (issuer + Laurel's client id there), under the platform's
 * registration key (a course page finds it by `_id`). Secrets are sealed (secrets/sealed.ts) and
 * never leave this module unsealed except to call the LMS.
 */
import mongoose, { Schema } from 'mongoose';
import { registrationKey } from './auditLog.js';
import type { LmsApiSource } from '../rules/snapshot.js';
import type { InputProblem } from '../inputProblem.js';
import { seal, unseal } from '../secrets/sealed.js';

/** What the last check of a Moodle token found on a real course (connectLms.ts): nothing to fix, or what to grant. */
export interface LmsCheckRecord {
  at: Date;
  /** The LMS's course id the functions were called on. */
  courseId: string;
  /** Each a problem in Laurel's words (code and values, so a page says it in its language); none: every call worked. */
  problems: InputProblem[];
}

/** The last time reading a course through the API failed, for the admin page. */
export interface LmsFailureRecord {
  at: Date;
  courseId?: string;
  courseTitle?: string;
  /** What failed, in Laurel's words. */
  problem: InputProblem;
}

export interface LmsConnection {
  issuer: string;
  clientId: string;
  kind: LmsApiSource;
  /** The LMS's address its API answers at: https://school.instructure.com, https://moodle.school.edu. */
  baseUrl: string;
  /** Canvas: the API developer key's client id, and its secret (sealed). */
  apiClientId?: string;
  apiClientSecret?: string;
  /** Canvas: the developer key enforces scopes, so Laurel names the ones it uses in its authorize request (canvasOAuth.ts). */
  enforcesScopes?: boolean;
  /** Moodle: the web-service token (sealed). */
  token?: string;
  updatedAt: Date;
  updatedBy: string;
  /** Moodle: the last check of the token on a course. */
  check?: LmsCheckRecord;
  /** The last failed reading of a course: kept on the connection, so the admin page finds it by key. */
  lastFailure?: LmsFailureRecord;
}

const problemSchema = { code: String, params: Schema.Types.Mixed, message: String };

const schema = new Schema<LmsConnection & { _id: string }>({
  _id: String,
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
  check: { type: new Schema({ at: Date, courseId: String, problems: [problemSchema] }, { _id: false }), default: undefined },
  lastFailure: { type: new Schema({ at: Date, courseId: String, courseTitle: String, problem: problemSchema }, { _id: false }), default: undefined },
});
schema.pre('validate', function keyed() { this._id ??= registrationKey(this); });

export const LmsConnectionModel = mongoose.model<LmsConnection & { _id: string }>('lmsConnection', schema);

const byPlatform = (issuer: string, clientId: string) => ({ _id: registrationKey({ issuer, clientId }) });

export type CanvasKeyInput = { baseUrl: string; apiClientId: string; apiClientSecret: string; enforcesScopes: boolean };

/** Replaces the platform's connection (idempotent: the same input twice stores the same thing). */
export async function connectCanvas(issuer: string, clientId: string, key: CanvasKeyInput, by: string): Promise<void> {
  await LmsConnectionModel.replaceOne(byPlatform(issuer, clientId), {
    issuer, clientId, kind: 'canvas-rest', baseUrl: key.baseUrl, apiClientId: key.apiClientId,
    apiClientSecret: seal(key.apiClientSecret), enforcesScopes: key.enforcesScopes, updatedAt: new Date(), updatedBy: by,
  }, { upsert: true });
}

export async function connectMoodle(issuer: string, clientId: string, o: { baseUrl: string; token: string; check?: LmsCheckRecord }, by: string): Promise<void> {
  await LmsConnectionModel.replaceOne(byPlatform(issuer, clientId), {
    issuer, clientId, kind: 'moodle-ws', baseUrl: o.baseUrl, token: seal(o.token), updatedAt: new Date(), updatedBy: by, ...(o.check ? { check: o.check } : {}),
  }, { upsert: true });
}

/** Records a check of the stored token (the connection itself unchanged). */
export async function recordLmsCheck(issuer: string, clientId: string, check: LmsCheckRecord): Promise<void> {
  await LmsConnectionModel.updateOne(byPlatform(issuer, clientId), { $set: { check } });
}

/** Records a failed reading, replacing the previous one: one document write, found again by the platform's key. */
export async function recordLmsFailure(issuer: string, clientId: string, failure: LmsFailureRecord): Promise<void> {
  await LmsConnectionModel.updateOne(byPlatform(issuer, clientId), { $set: { lastFailure: failure } });
}

export async function disconnectLms(issuer: string, clientId: string): Promise<boolean> {
  return (await LmsConnectionModel.deleteOne(byPlatform(issuer, clientId))).deletedCount > 0;
}

/** The connection as stored, secrets still sealed (what pages show: never the secrets). */
export async function lmsConnectionOf(issuer: string, clientId: string): Promise<LmsConnection | null> {
  return LmsConnectionModel.findOne(byPlatform(issuer, clientId), { _id: 0, __v: 0 }).lean();
}

/** The secrets, unsealed, for a call to the LMS. */
export function connectionSecrets(c: LmsConnection): { apiClientSecret?: string; token?: string } {
  return { apiClientSecret: c.apiClientSecret && unseal(c.apiClientSecret), token: c.token && unseal(c.token) };
}
