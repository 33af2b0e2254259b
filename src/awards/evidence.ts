/**
 * Evidence for an award, as an instructor or the learner gives it: a link (http or https), a
 * text, or both, checked before anything is stored.
 */
import { isHttpUrl } from '../httpUrl.js';
import type { AwardEvidence } from '../store/award.js';

/** Which problem an error is, for pages that say it in their own language. */
export type EvidenceProblem = 'missing' | 'not_http' | 'too_long';

/** Evidence from a body: a URL (http or https) and/or a text, at least one. */
export function evidenceFrom(body: Record<string, unknown>, by: string): { evidence?: AwardEvidence; error?: string; code?: EvidenceProblem; values?: Record<string, string> } {
  const url = typeof body.url === 'string' ? body.url.trim() : '';
  const text = typeof body.text === 'string' ? body.text.trim() : '';
  const name = typeof body.name === 'string' ? body.name.trim().slice(0, 200) : '';
  if (!url && !text) return { error: 'Give the evidence as a "url", a "text", or both.', code: 'missing' };
  if (url && !isHttpUrl(url)) return { error: `"url" must be an absolute http(s) URL (got "${url.slice(0, 100)}").`, code: 'not_http', values: { url: url.slice(0, 100) } };
  if (text.length > 5000) return { error: '"text" may be at most 5,000 characters.', code: 'too_long' };
  return { evidence: { ...(url ? { url } : {}), ...(text ? { text } : {}), ...(name ? { name } : {}), addedBy: by, addedAt: new Date() } };
}
