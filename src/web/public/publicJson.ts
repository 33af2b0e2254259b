/**
 * How public documents are sent: readable by verifiers on any origin (they fetch from browsers
 * too), shown by any site (an <img> of a badge on a portfolio, the logo in the LMS), never cached
 * where a revocation must show at once.
 */
import type { Response } from 'express';

/**
 * What anyone may read or embed from another site: CORS for fetch(), and a resource policy that
 * lets another site's page load it (helmet's default, same-origin, stays on the private pages).
 */
export function sharePublicly(res: Pick<Response, 'setHeader'>): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
}

export function sendPublicJson(res: Response, body: unknown, o: { type?: string; cache?: 'revalidate' | 'stable' } = {}): void {
  sharePublicly(res);
  res.set('Cache-Control', o.cache === 'stable' ? 'public, max-age=300' : 'no-cache');
  res.type(o.type ?? 'application/json').send(JSON.stringify(body, null, 2));
}

export function sendPublicFile(res: Response, body: Buffer | string, type: string, downloadName?: string): void {
  sharePublicly(res);
  res.set('Cache-Control', 'no-cache');
  if (downloadName) res.attachment(downloadName);
  res.type(type).send(body);
}
