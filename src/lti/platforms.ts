/**
 * Registered platforms (an LMS: issuer + Laurel's client id there) and their deployments.
 * ltijs keeps the platform and Laurel's key pair for it; Laurel keeps the deployment ids.
 */
import { lti } from './provider.js';
import { isHttpUrl } from '../httpUrl.js';
import { addDeployment, ANY_DEPLOYMENT, DeploymentModel } from '../store/deployment.js';
import type { PlatformForLaunch } from './idToken.js';

export interface PlatformRegistration {
  issuer: string;
  clientId: string;
  name: string;
  authEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  deploymentIds: string[];
  /** Learn deployment ids from the platform's signed launches (Canvas dynamic registration names none). */
  learnsDeployments?: boolean;
  active: boolean;
}

export interface PlatformSummary extends PlatformRegistration {
  platformId: string;
}

export class PlatformInputError extends Error {}

function requireUrl(name: string, value: string): void {
  if (!isHttpUrl(value)) throw new PlatformInputError(`${name} must be an absolute http(s) URL (got "${value}")`);
}

/** Idempotent: registering the same issuer + client id again updates it and adds deployments. */
export async function registerPlatform(p: PlatformRegistration): Promise<PlatformSummary> {
  for (const [name, value] of [['issuer', p.issuer], ['auth endpoint', p.authEndpoint], ['token endpoint', p.tokenEndpoint], ['JWKS URL', p.jwksUri]] as const) requireUrl(name, value);
  if (!p.clientId) throw new PlatformInputError('client id is required');
  if (p.deploymentIds.some((d) => !d || d === ANY_DEPLOYMENT)) throw new PlatformInputError('deployment ids must not be empty or "*"');
  const platform = await lti.registerPlatform({
    url: p.issuer,
    name: p.name,
    clientId: p.clientId,
    authenticationEndpoint: p.authEndpoint,
    accesstokenEndpoint: p.tokenEndpoint,
    authorizationServer: p.tokenEndpoint,
    authConfig: { method: 'JWK_SET', key: p.jwksUri },
  });
  await platform.platformActive(p.active);
  const platformId = await platform.platformKid();
  const deploymentIds = p.learnsDeployments ? [...p.deploymentIds, ANY_DEPLOYMENT] : p.deploymentIds;
  for (const deploymentId of deploymentIds) await addDeployment({ platformId, issuer: p.issuer, clientId: p.clientId, deploymentId });
  return { ...p, learnsDeployments: Boolean(p.learnsDeployments), platformId };
}

export async function findPlatformForLaunch(issuer: string, clientId: string): Promise<PlatformForLaunch | null> {
  const platform = await lti.getPlatform(issuer, clientId);
  if (!platform) return null;
  const auth = await platform.platformAuthConfig();
  if (auth.method !== 'JWK_SET') return null;
  return { clientId, jwksUri: auth.key, active: await platform.platformActive() };
}

export async function listPlatforms(): Promise<PlatformSummary[]> {
  const platforms = await lti.getAllPlatforms();
  return Promise.all(platforms.map(async (platform) => {
    const platformId = await platform.platformKid();
    const deployments = await DeploymentModel.find({ platformId }).lean();
    return {
      platformId,
      issuer: await platform.platformUrl(),
      clientId: await platform.platformClientId(),
      name: await platform.platformName(),
      authEndpoint: await platform.platformAuthEndpoint(),
      tokenEndpoint: await platform.platformAccessTokenEndpoint(),
      jwksUri: (await platform.platformAuthConfig()).key,
      deploymentIds: deployments.map((d) => d.deploymentId).filter((d) => d !== ANY_DEPLOYMENT),
      learnsDeployments: deployments.some((d) => d.deploymentId === ANY_DEPLOYMENT),
      active: await platform.platformActive(),
    };
  }));
}

export async function setPlatformActive(platformId: string, active: boolean): Promise<boolean> {
  const platform = await lti.getPlatformById(platformId);
  if (!platform) return false;
  await platform.platformActive(active);
  return true;
}

export async function addPlatformDeployment(platformId: string, deploymentId: string): Promise<boolean> {
  const platform = await lti.getPlatformById(platformId);
  if (!platform) return false;
  await addDeployment({ platformId, issuer: await platform.platformUrl(), clientId: await platform.platformClientId(), deploymentId });
  return true;
}
