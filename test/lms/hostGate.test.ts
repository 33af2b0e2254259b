/**
 * The bound on requests under way to one LMS (hostGate.ts), over real HTTP: several courses read
 * at once (each its own transport and request count, as each run has) never put more requests in
 * flight at the LMS than the gate allows together; an LMS that answers 429 above what it can take
 * brings the bound down to it, every request still answered; another LMS is not slowed by it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HostGates } from '../../src/lms/hostGate.js';
import { newTransport, send } from '../../src/lms/http.js';

interface Lms { url: string; server: Server; most: number; throttled: number; served: number }

/** An LMS answering after `ms`, with 429 (Retry-After: 0) to any request beyond `capacity` under way. */
async function lms(capacity: number, ms = 15): Promise<Lms> {
  let now = 0;
  const l = { most: 0, throttled: 0, served: 0 } as Lms;
  l.server = createServer((_req, res) => {
    if (now >= capacity) {
      l.throttled++;
      res.writeHead(429, { 'retry-after': '0' }).end('Too Many Requests');
      return;
    }
    l.most = Math.max(l.most, ++now);
    setTimeout(() => { now--; l.served++; res.writeHead(200, { 'content-type': 'application/json' }).end('{}'); }, ms);
  });
  await new Promise<void>((ok) => l.server.listen(0, '127.0.0.1', ok));
  l.url = `http://127.0.0.1:${(l.server.address() as AddressInfo).port}`;
  return l;
}

const servers: Server[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => new Promise((ok) => s.close(ok)))); });

/** `courses` runs at once, each with its own transport over the same gates, each sending `each` requests at once. */
async function readAtOnce(gates: HostGates, url: string, courses: number, each: number): Promise<number[]> {
  const runs = Array.from({ length: courses }, () => newTransport({ gates, sleep: async () => {} }));
  const answers = await Promise.all(runs.flatMap((t) => Array.from({ length: each }, (_, i) => send(t, 'GET', `${url}/results/${i}`))));
  return answers.map((r) => r.status);
}

describe('the bound on requests under way to one LMS', () => {
  it('holds for several courses read at once: the LMS never sees more than the bound', async () => {
    const l = await lms(1000);
    servers.push(l.server);
    const gates = new HostGates({ initial: 8, max: 12, min: 1 });
    const statuses = await readAtOnce(gates, l.url, 4, 40);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(l.served).toBe(160);
    expect(l.most).toBeLessThanOrEqual(12);
    expect(l.most).toBeGreaterThanOrEqual(8);
    expect(gates.of(l.url).active).toBe(0);
  });

  it("comes down to what a throttling LMS takes, and every request is still answered", async () => {
    const l = await lms(5);
    servers.push(l.server);
    const gates = new HostGates({ initial: 32, max: 64, min: 1 });
    const statuses = await readAtOnce(gates, l.url, 4, 50);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(l.served).toBe(200);
    // Halved at each 429: past the first burst (32 at once, 27 refused) the LMS refused few more.
    expect(l.throttled).toBeGreaterThan(0);
    expect(l.throttled).toBeLessThan(60);
    // Near the 5 the LMS takes, far from the 32 it started at.
    expect(gates.of(l.url).limit).toBeLessThanOrEqual(12);
  });

  it('is per LMS: a throttling one does not hold back another', async () => {
    const slow = await lms(2, 30);
    const quick = await lms(1000, 5);
    servers.push(slow.server, quick.server);
    const gates = new HostGates({ initial: 16, max: 32, min: 1 });
    const started = performance.now();
    let quickMs = 0;
    const [, quickStatuses] = await Promise.all([
      readAtOnce(gates, slow.url, 2, 40),
      readAtOnce(gates, quick.url, 2, 40).finally(() => { quickMs = performance.now() - started; }),
    ]);
    expect(quickStatuses.every((s) => s === 200)).toBe(true);
    expect(gates.of(quick.url).limit).toBeGreaterThanOrEqual(16);
    expect(gates.of(slow.url).limit).toBeLessThan(16);
    // 80 requests of 5 ms, 16 at a time: a fraction of the throttled LMS's 80 of 30 ms, 2 at a time.
    expect(quickMs).toBeLessThan(800);
  });
});
