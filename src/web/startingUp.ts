import type { IncomingMessage, ServerResponse } from 'node:http';
import { pingDatabase } from '../store/connect.js';

/**
 * What Laurel answers while it starts (waiting for its database, setting up ltijs): 503 to
 * everything, and on /healthz the same JSON as once running, so that a load balancer or an
 * orchestrator sees "not ready yet" rather than a refused connection.
 */
export async function startingUp(req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.statusCode = 503;
  res.setHeader('Retry-After', '5');
  res.setHeader('Cache-Control', 'no-store');
  if (req.url?.split('?')[0] === '/healthz') {
    const database = await pingDatabase();
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ status: 'starting', database: database ? 'ok' : 'unreachable' }));
    return;
  }
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('Laurel is starting and is not ready yet (it may be waiting for its database). Try again in a moment.\n');
}
