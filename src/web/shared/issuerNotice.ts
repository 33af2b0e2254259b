/**
 * While the administrator has not set the institution's issuer profile, every credential says it
 * was issued by the LMS's host name, and keeps saying it: the pages before an award say so (the
 * admin page, the course page, a bulk award's confirmation). Awarding is not blocked.
 */
import { issuerProfileOf, type Registration } from '../../store/issuerProfile.js';

/** The default the credentials would name, or undefined once an administrator set the profile. */
export async function unsetIssuer(r: Registration): Promise<{ name: string; url: string } | undefined> {
  const profile = await issuerProfileOf(r);
  return profile.updatedAt ? undefined : { name: profile.name, url: profile.url };
}
