/**
 * A deployment of Laurel on a registered platform. ltijs stores the platform (issuer,
 * client id, endpoints, keys) but not its deployment ids, and accepts any: Laurel checks.
 *
 * Canvas's dynamic registration names no deployment (Canvas creates one when an admin installs
 * the key), so such a platform gets the record ANY_DEPLOYMENT: it learns each deployment from
 * the first launch that the platform itself signed for it.
 *
 * Each is kept under a key made of issuer, client id and deployment id: a launch checks its
 * deployment with one lookup.
 */
import { createHash } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { upsertOnce } from './insertNew.js';

export interface Deployment {
  /** ltijs's platform id (its kid for that platform). */
  platformId: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  createdAt: Date;
}

const schema = new Schema<Deployment & { _id: string }>({
  _id: String,
  platformId: { type: String, required: true },
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  deploymentId: { type: String, required: true },
  createdAt: { type: Date, default: () => new Date() },
});
schema.index({ issuer: 1, clientId: 1 });
schema.index({ platformId: 1 });

export const deploymentKey = (issuer: string, clientId: string, deploymentId: string): string =>
  createHash('sha256').update(JSON.stringify([issuer, clientId, deploymentId])).digest('base64url').slice(0, 32);

schema.pre('validate', function keyed() { this._id ??= deploymentKey(this.issuer, this.clientId, this.deploymentId); });

export const DeploymentModel = mongoose.model<Deployment & { _id: string }>('deployment', schema);

/** Idempotent: adding a deployment twice keeps one record. */
export async function addDeployment(d: Omit<Deployment, 'createdAt'>): Promise<void> {
  await upsertOnce(() => DeploymentModel.updateOne(
    { _id: deploymentKey(d.issuer, d.clientId, d.deploymentId) },
    { $setOnInsert: { ...d, createdAt: new Date() } },
    { upsert: true },
  ));
}

export const ANY_DEPLOYMENT = '*';

/** True when the deployment is registered, or the platform learns deployments (then it is recorded). */
export async function acceptDeployment(issuer: string, clientId: string, deploymentId: string): Promise<boolean> {
  if (deploymentId === ANY_DEPLOYMENT) return false;
  if ((await DeploymentModel.exists({ _id: deploymentKey(issuer, clientId, deploymentId) })) !== null) return true;
  const learner = await DeploymentModel.findById(deploymentKey(issuer, clientId, ANY_DEPLOYMENT)).lean();
  if (!learner) return false;
  await addDeployment({ platformId: learner.platformId, issuer, clientId, deploymentId });
  return true;
}
