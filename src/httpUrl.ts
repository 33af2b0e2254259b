/**
 * Whether a value is an absolute http(s) URL: what Laurel asks of every URL a person or an LMS
 * gives it (platform endpoints, registration, issuer sites, evidence links).
 */
export function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
