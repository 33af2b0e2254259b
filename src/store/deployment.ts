/**
 * A deployment of Laurel on a registered platform. ltijs stores the platform (issuer,
 * client id, endpoints, keys) but not its deployment ids, and accepts any: Laurel checks.
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

export async function isDeploymentKnown(issuer: string, clientId: string, deploymentId: string): Promise<boolean> {
  return (await DeploymentModel.exists({ issuer, clientId, deploymentId })) !== null;
}
