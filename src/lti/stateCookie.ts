/**
 * Binds a login's `state` to the browser that started it. One cookie per login (the state is
 * in its name), so logins in two tabs do not overwrite each other.
 */
import type { CookieOptions } from 'express';

export const stateCookieName = (state: string) => `lti_state_${state}`;

/** Inside an LMS iframe on HTTPS the cookie must be SameSite=None; Secure. Plain HTTP (local use) gets Lax. */
export function stateCookieOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, secure, sameSite: secure ? 'none' : 'lax', maxAge: 10 * 60_000, path: '/lti' };
}
