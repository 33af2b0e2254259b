/**
 * How public JSON documents are sent: readable by verifiers on any origin (they fetch from
 * browsers too), never cached where a revocation must show at once.
 */
import type { Response } from 'express';

export function sendPublicJson(res: Response, body: unknown, o: { type?: string; cache?: 'revalidate' | 'stable' } = {}): void {
  res.set('Access-Control-Allow-Origin', '*');
  res.set('Cache-Control', o.cache === 'stable' ? 'public, max-age=300' : 'no-cache');
  res.type(o.type ?? 'application/json').send(JSON.stringify(body, null, 2));
}

export function sendPublicFile(res: Response, body: Buffer | string, type: string, downloadName?: string): void {
  res.set('Access-Control-Allow-Origin', '*');
  res.set('Cache-Control', 'no-cache');
  if (downloadName) res.attachment(downloadName);
  res.type(type).send(body);
}
