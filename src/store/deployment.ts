/**
 * A deployment of Laurel on a registered platform. ltijs stores the platform (issuer,
 * client id, endpoints, keys) but not its deployment ids, and accepts any: Laurel checks.
 *
 * Canvas's dynamic registration names no deployment (Canvas creates one when an admin installs
 * the key), so such a platform gets the record ANY_DEPLOYMENT: it learns each deployment from
 * the first launch that the platform itself signed for it.
 */
import mongoose, { Schema } from 'mongoose';

export interface Deployment {
  /** ltijs's platform id (its kid for that platform). */
  platformId: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  createdAt: Date;
}

const schema = new Schema<Deployment>({
  platformId: { type: String, required: true },
  issuer: { type: String, required: true },
  clientId: { type: String, required: true },
  deploymentId: { type: String, required: true },
  createdAt: { type: Date, default: () => new Date() },
});
schema.index({ issuer: 1, clientId: 1, deploymentId: 1 }, { unique: true });
schema.index({ platformId: 1 });

export const DeploymentModel = mongoose.model<Deployment>('deployment', schema);

/** Idempotent: adding a deployment twice keeps one record. */
export async function addDeployment(d: Omit<Deployment, 'createdAt'>): Promise<void> {
  await DeploymentModel.updateOne(
    { issuer: d.issuer, clientId: d.clientId, deploymentId: d.deploymentId },
    { $setOnInsert: { ...d, createdAt: new Date() } },
    { upsert: true },
  );
}

export const ANY_DEPLOYMENT = '*';

/** True when the deployment is registered, or the platform learns deployments (then it is recorded). */
export async function acceptDeployment(issuer: string, clientId: string, deploymentId: string): Promise<boolean> {
  if (deploymentId === ANY_DEPLOYMENT) return false;
  if ((await DeploymentModel.exists({ issuer, clientId, deploymentId })) !== null) return true;
  const learner = await DeploymentModel.findOne({ issuer, clientId, deploymentId: ANY_DEPLOYMENT }).lean();
  if (!learner) return false;
  await addDeployment({ platformId: learner.platformId, issuer, clientId, deploymentId });
  return true;
}
