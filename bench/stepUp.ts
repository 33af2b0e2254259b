/**
 * Load in steps: `concurrency` clients each repeat one operation back to back for a few seconds,
 * and the concurrency doubles until a step has errors or two steps in a row no longer raise the
 * best rate by 5% (the server is saturated: more clients only wait longer; two, so that one noisy
 * step does not end it early). The rate sustained is the first error-free step
 * within 10% of the best error-free rate: about the most the server gives before requests queue
 * (past it, the rate stays and only the latency grows).
 */
import { readFileSync } from 'node:fs';

export interface Step {
  concurrency: number;
  /** Operations completed a second. */
  rps: number;
  p50ms: number;
  p99ms: number;
  operations: number;
  errors: number;
  firstError?: string;
  /** CPU milliseconds an operation cost each watched process (e.g. Laurel, FerretDB): figures the machine's other load does not change much. */
  cpuMsPerOp?: Record<string, number>;
}

/** A process's CPU time so far, in milliseconds (Linux: user + system from /proc). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in ticks of 1/100 s
}

export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** `workers` clients, each doing `once(i)` (i counts operations across clients) until `seconds` pass. */
export async function runStep(workers: number, seconds: number, once: (i: number) => Promise<unknown>, watch: Record<string, number> = {}): Promise<Step> {
  const cpuBefore = Object.fromEntries(Object.entries(watch).map(([name, pid]) => [name, cpuMs(pid)]));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < deadline) {
      const t = performance.now();
      try {
        await once(next++);
        latencies.push(performance.now() - t);
      } catch (err) {
        errors++;
        firstError ??= (err as Error).message;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const operations = Math.max(1, latencies.length + errors);
  const cpuMsPerOp = Object.fromEntries(Object.entries(watch).map(([name, pid]) => [name, (cpuMs(pid) - cpuBefore[name]!) / operations]));
  return {
    concurrency: workers, rps: (latencies.length + errors) / elapsed, p50ms: percentile(latencies, 0.5), p99ms: percentile(latencies, 0.99),
    operations: latencies.length, errors, ...(firstError ? { firstError } : {}), cpuMsPerOp,
  };
}

export async function stepUp(o: { concurrencies: number[]; seconds: number; once: (i: number) => Promise<unknown>; watch?: Record<string, number>; onStep?: (s: Step) => void }): Promise<{ steps: Step[]; sustained: Step | undefined }> {
  const steps: Step[] = [];
  let flat = 0;
  for (const concurrency of o.concurrencies) {
    const best = Math.max(0, ...steps.map((s) => s.rps));
    const step = await runStep(concurrency, o.seconds, o.once, o.watch);
    steps.push(step);
    o.onStep?.(step);
    flat = steps.length > 1 && step.rps < best * 1.05 ? flat + 1 : 0;
    if (step.errors > 0 || flat === 2) break;
  }
  const clean = steps.filter((s) => s.errors === 0);
  const top = Math.max(0, ...clean.map((s) => s.rps));
  return { steps, sustained: clean.find((s) => s.rps >= top * 0.9) };
}
