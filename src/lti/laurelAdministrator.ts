/**
 * Who administers Laurel for a whole platform (issuer profile, signing keys, LMS API, the admin
 * page). Canvas sends institution/person#Administrator for every account-level role, sub-account
 * admins and custom limited roles included, so on Canvas the role is not enough: Canvas must also
 * say the person administers the root account ($Canvas.user.isRootAccountAdmin, asked as a custom
 * parameter in customParameters.ts), or a Laurel administrator must have granted it
 * (store/platformAdministrators.ts). Moodle sends the institution and system Administrator roles
 * to site administrators only: those stay administrators.
 */
import type { LtijsToken } from 'ltijs';
import { isPlatformAdmin } from './roles.js';
import { canvasUserIdOf } from './courseOfLaunch.js';
import { ROOT_ADMIN_PARAMETER } from './customParameters.js';
import { grantedAdministrators } from '../store/platformAdministrators.js';

const isCanvas = (token: LtijsToken) => token.platformInfo?.product_family_code === 'canvas';

/** The id a Laurel administrator grants by: Canvas's own user id there, the LTI user id elsewhere (Moodle's user id). */
export function lmsUserIdOf(token: LtijsToken): string | undefined {
  return isCanvas(token) ? canvasUserIdOf(token) : token.user;
}

/** What the launch itself says, without the grant list: a Canvas root account admin, or an LMS administrator elsewhere. */
export function administersByLaunch(token: LtijsToken): boolean {
  const roles = token.platformContext?.roles ?? [];
  if (!isCanvas(token)) return isPlatformAdmin(roles);
  // Canvas answers "true" or "false"; an old registration without the parameter leaves the literal variable.
  return isPlatformAdmin(roles) && token.platformContext?.custom?.[ROOT_ADMIN_PARAMETER] === 'true';
}

export async function isLaurelAdministrator(token: LtijsToken): Promise<boolean> {
  if (administersByLaunch(token)) return true;
  const id = lmsUserIdOf(token);
  return id !== undefined && (await grantedAdministrators({ issuer: token.iss, clientId: token.clientId })).includes(id);
}
