/**
 * Canvas REST throttling (https://canvas.instructure.com/doc/api/file.throttling.html): a leaky
 * bucket per access token. Each request costs something and the bucket drains over time; every
 * answer says the cost and what remains, and an empty bucket answers 403 "Rate Limit Exceeded".
 * Tests shape the bucket with canvasRateLimit and empty it with drainCanvasBuckets.
 */
import type { RequestHandler } from 'express';
import type { Platform } from './platform.js';

export interface CanvasRateLimit {
  /** What a fresh bucket holds (Canvas: 700). */
  capacity: number;
  /** What one request costs (Canvas: a fraction of a second of CPU time, plus a pre-flight charge). */
  cost: number;
  /** How much comes back per second (Canvas: 10). */
  refillPerSecond: number;
}

interface Bucket { remaining: number; at: number }
interface ThrottleState { limit: CanvasRateLimit; buckets: Map<string, Bucket>; drained: boolean }
const states = new WeakMap<Platform, ThrottleState>();

function stateOf(p: Platform): ThrottleState {
  let s = states.get(p);
  if (!s) states.set(p, (s = { limit: { capacity: 700, cost: 1, refillPerSecond: 10 }, buckets: new Map(), drained: false }));
  return s;
}

export function canvasRateLimit(p: Platform, o: Partial<CanvasRateLimit>): void {
  const s = stateOf(p);
  Object.assign(s.limit, o);
  s.buckets.clear();
  s.drained = false;
}

/** Empties every token's bucket, and those of tokens to come, with no refill until canvasRateLimit is called again. */
export function drainCanvasBuckets(p: Platform): void {
  const s = stateOf(p);
  s.limit.refillPerSecond = 0;
  for (const b of s.buckets.values()) b.remaining = 0;
  s.drained = true;
}

/** After requireCanvasToken: charges the token's bucket or answers 403 as Canvas does. */
export function throttleCanvasApi(p: Platform): RequestHandler {
  return (_req, res, next) => {
    const s = stateOf(p);
    const key = (res.locals.canvasToken as { token: string }).token;
    const now = Date.now();
    const b = s.buckets.get(key) ?? { remaining: s.drained ? 0 : s.limit.capacity, at: now };
    b.remaining = Math.min(s.limit.capacity, b.remaining + ((now - b.at) / 1000) * s.limit.refillPerSecond);
    b.at = now;
    s.buckets.set(key, b);
    if (b.remaining < s.limit.cost) {
      res.set({ 'X-Request-Cost': '0', 'X-Rate-Limit-Remaining': b.remaining.toFixed(1) });
      res.status(403).type('text/plain').send('403 Forbidden (Rate Limit Exceeded)\n');
      return;
    }
    b.remaining -= s.limit.cost;
    res.set({ 'X-Request-Cost': String(s.limit.cost), 'X-Rate-Limit-Remaining': b.remaining.toFixed(1) });
    next();
  };
}
