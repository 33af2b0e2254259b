/**
 * Binds a login's `state` to the browser that started it. One cookie per login (the state is
 * in its name), so logins in two tabs do not overwrite each other.
 */
import type { CookieOptions, Response } from 'express';

export const stateCookieName = (state: string) => `lti_state_${state}`;

/**
 * Inside an LMS iframe on HTTPS the cookie must be SameSite=None; Secure, and Partitioned (CHIPS):
 * browsers that block third-party cookies (Chrome's setting and incognito, Firefox strict, Brave)
 * still keep a partitioned one for the LMS's site, and the whole login happens under that site.
 * Plain HTTP (local use) gets Lax.
 */
export function stateCookieOptions(secure: boolean): CookieOptions {
  return { httpOnly: true, secure, sameSite: secure ? 'none' : 'lax', partitioned: secure, maxAge: 10 * 60_000, path: '/lti' };
}

/** Forgets the login's cookie once the launch has used it (or the platform refused the login). */
export function clearStateCookie(res: Response, state: string, secure: boolean): void {
  res.clearCookie(stateCookieName(state), { ...stateCookieOptions(secure), maxAge: undefined });
}
