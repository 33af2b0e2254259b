/**
 * LinkedIn's "Add to profile" link for a badge, filled in so the learner only confirms: the
 * certification's name, the issuer, the dates, and the verification page as its URL.
 */
export interface LinkedInCertification {
  name: string;
  organizationName: string;
  /** The issuer's LinkedIn organization (set on the admin page): LinkedIn then links it and shows its logo. */
  organizationId?: string;
  issued: Date;
  expires?: Date;
  /** The public verification page. */
  certUrl: string;
  certId: string;
}

export function linkedInAddToProfile(c: LinkedInCertification): string {
  const url = new URL('https://www.linkedin.com/profile/add');
  const set = (k: string, v: string | number | undefined) => { if (v !== undefined) url.searchParams.set(k, String(v)); };
  set('startTask', 'CERTIFICATION_NAME');
  set('name', c.name);
  // With an id LinkedIn takes the organization, its name and logo, from its own page.
  if (c.organizationId) set('organizationId', c.organizationId);
  else set('organizationName', c.organizationName);
  set('issueYear', c.issued.getUTCFullYear());
  set('issueMonth', c.issued.getUTCMonth() + 1);
  set('expirationYear', c.expires?.getUTCFullYear());
  set('expirationMonth', c.expires ? c.expires.getUTCMonth() + 1 : undefined);
  set('certUrl', c.certUrl);
  set('certId', c.certId);
  return url.toString();
}
