/**
 * What the admin page shows of the administrator's own platform: its registration with Laurel,
 * its deployments and their courses. Read by the launch's issuer AND client id, never by
 * issuer alone: Canvas cloud gives every institution the same issuer.
 */
import type { LtijsToken } from 'ltijs';
import { lti } from '../../lti/provider.js';
import { ANY_DEPLOYMENT, DeploymentModel } from '../../store/deployment.js';
import { CourseModel } from '../../store/course.js';

export type RegistrationMethod = 'dynamic' | 'manual' | 'unknown';

export interface PlatformOverview {
  issuer: string;
  clientId: string;
  name: string;
  /** ltijs's id for the platform: the kid of Laurel's key for it in /lti/keys. */
  platformId: string;
  authEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  active: boolean;
  method: RegistrationMethod;
  /** Canvas's dynamic registration names no deployment: Laurel learns them from signed launches. */
  learnsDeployments: boolean;
  /** As the launch's tool_platform claim says, e.g. "Moodle (moodle) 2024100700". */
  product?: string;
  /** When Laurel first recorded a deployment of it, which registration does. */
  registeredAt?: Date;
  deployments: DeploymentRow[];
}

export interface DeploymentRow {
  deploymentId: string;
  /** When Laurel recorded it: at registration, or at its first launch when learnt. */
  firstSeenAt?: Date;
  courses: number;
  lastLaunchAt?: Date;
}

/**
 * Laurel does not record how a platform was registered; the stored data tells in two cases:
 * only dynamic registration makes a platform learn deployments or names it "<family> <host>",
 * and `npm run platform -- add` without --name names it by its issuer.
 */
export function registrationMethod(p: { issuer: string; name: string; learnsDeployments: boolean }): RegistrationMethod {
  if (p.learnsDeployments) return 'dynamic';
  const host = URL.canParse(p.issuer) ? new URL(p.issuer).host : '';
  if (host && p.name.endsWith(` ${host}`) && /^[\w-]+$/.test(p.name.slice(0, -host.length - 1))) return 'dynamic';
  if (p.name === p.issuer) return 'manual';
  return 'unknown';
}

function productOf(token: LtijsToken): string | undefined {
  const info = token.platformInfo as (LtijsToken['platformInfo'] & { version?: string }) | undefined;
  if (!info?.name && !info?.product_family_code) return undefined;
  const family = info.product_family_code && info.product_family_code !== info.name ? ` (${info.product_family_code})` : '';
  return [`${info.name ?? info.product_family_code}${family}`, info.version].filter(Boolean).join(' ');
}

async function deploymentsOf(issuer: string, clientId: string): Promise<{ rows: DeploymentRow[]; learns: boolean; registeredAt?: Date }> {
  const records = await DeploymentModel.find({ issuer, clientId }).sort({ createdAt: 1 }).lean();
  // FerretDB 1.24's $group knows $sum but not $max or $first: the last launch is read per deployment.
  const grouped = await CourseModel.aggregate<{ _id: string; courses: number }>([
    { $match: { issuer, clientId } },
    { $group: { _id: '$deploymentId', courses: { $sum: 1 } } },
  ]);
  const counts = await Promise.all(grouped.map(async (g) => {
    const last = await CourseModel.findOne({ issuer, clientId, deploymentId: g._id }, { lastLaunchAt: 1 }).sort({ lastLaunchAt: -1 }).lean();
    return { ...g, lastLaunchAt: last?.lastLaunchAt };
  }));
  const byId = new Map(counts.map((c) => [c._id, c]));
  const rows: DeploymentRow[] = records.filter((d) => d.deploymentId !== ANY_DEPLOYMENT).map((d) => ({
    deploymentId: d.deploymentId, firstSeenAt: d.createdAt, courses: byId.get(d.deploymentId)?.courses ?? 0, lastLaunchAt: byId.get(d.deploymentId)?.lastLaunchAt,
  }));
  // Courses of a deployment with no record (should not happen) are shown rather than hidden.
  for (const c of counts) if (!rows.some((r) => r.deploymentId === c._id)) rows.push({ deploymentId: c._id, courses: c.courses, lastLaunchAt: c.lastLaunchAt });
  return { rows, learns: records.some((d) => d.deploymentId === ANY_DEPLOYMENT), registeredAt: records[0]?.createdAt };
}

/** The launch's own platform, or null when it is no longer registered (deleted after the launch). */
export async function platformOverview(token: LtijsToken): Promise<PlatformOverview | null> {
  const platform = await lti.getPlatform(token.iss, token.clientId);
  if (!platform) return null;
  const [name, platformId, authEndpoint, tokenEndpoint, auth, active, deployments] = await Promise.all([
    platform.platformName(), platform.platformKid(), platform.platformAuthEndpoint(), platform.platformAccessTokenEndpoint(),
    platform.platformAuthConfig(), platform.platformActive(), deploymentsOf(token.iss, token.clientId),
  ]);
  return {
    issuer: token.iss, clientId: token.clientId, name, platformId, authEndpoint, tokenEndpoint, jwksUri: auth.key, active,
    method: registrationMethod({ issuer: token.iss, name, learnsDeployments: deployments.learns }),
    learnsDeployments: deployments.learns,
    product: productOf(token),
    registeredAt: deployments.registeredAt,
    deployments: deployments.rows,
  };
}
