/**
 * Signing credentials on worker threads, one per core (at most four), so issuing thousands uses
 * the whole machine. Jobs go to the least busy worker; a worker that dies fails its jobs and is
 * replaced. Where the compiled worker is missing, signing happens on this thread instead.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SigningKeys } from '../store/issuerKeys.js';
import { createDocumentLoader } from '../credentials/documentLoader.js';
import { signDataIntegrity } from '../credentials/dataIntegrity.js';
import { signVcJwt } from '../credentials/vcJwt.js';

export interface SigningJob { unsigned: object; keys: SigningKeys; did: string }
export interface SigningResult { credential: Record<string, unknown>; jwt: string }

type Pending = { resolve: (r: SigningResult) => void; reject: (e: Error) => void };
interface Slot { worker: Worker; pending: Map<number, Pending>; answered: boolean }

/** The compiled worker: beside this file in dist/, or in dist/ when running from the sources (tests build first). */
function workerFile(): string | undefined {
  const here = fileURLToPath(new URL('./signingWorker.js', import.meta.url));
  const fromSources = here.replace(/\/src\/awards\/signingWorker\.js$/, '/dist/src/awards/signingWorker.js');
  return [here, fromSources].find((f) => existsSync(f));
}

const SIZE = Math.min(4, Math.max(1, availableParallelism()));
/**
 * A signing thread holds one credential at a time: a small heap is plenty, and without a limit
 * each thread's heap grows to V8's default before it collects, doubling the process's memory.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 };
let slots: Slot[] | undefined;
let nextId = 0;
/** Set when a worker fails before its first answer (it cannot load): sign on this thread from then on. */
let unusable = false;

function start(file: string): Slot {
  // The flags this process was started with, less those a worker refuses (--input-type).
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const slot: Slot = { worker: new Worker(file, { execArgv, resourceLimits: WORKER_HEAP }), pending: new Map(), answered: false };
  slot.worker.unref(); // an idle pool never keeps the process alive
  slot.worker.on('message', (m: SigningResult & { id: number; error?: string }) => {
    slot.answered = true;
    const job = slot.pending.get(m.id);
    slot.pending.delete(m.id);
    if (m.error) job?.reject(new Error(`signing failed: ${m.error}`));
    else job?.resolve({ credential: m.credential, jwt: m.jwt });
  });
  // A worker that fails or exits fails its jobs (they are signed again by the next pass) and is replaced.
  const lost = (err: Error) => {
    if (!slots?.includes(slot)) return;
    for (const job of slot.pending.values()) job.reject(err);
    slot.pending.clear();
    if (!slot.answered) unusable = true;
    slots = unusable ? undefined : slots.map((s) => (s === slot ? start(file) : s));
  };
  slot.worker.on('error', lost);
  slot.worker.on('exit', (code) => lost(new Error(`a signing thread exited (code ${code})`)));
  return slot;
}

const localLoader = createDocumentLoader({ resolveDid: async () => undefined });

export async function signCredential(job: SigningJob): Promise<SigningResult> {
  const file = unusable ? undefined : workerFile();
  if (!file) {
    const credential = await signDataIntegrity(job.unsigned, job.keys.ed25519, job.did, localLoader);
    return { credential: credential as Record<string, unknown>, jwt: await signVcJwt(credential as never, job.keys.rsa, job.did) };
  }
  slots ??= Array.from({ length: SIZE }, () => start(file));
  const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    slot.pending.set(id, { resolve, reject });
    slot.worker.ref(); // busy: keep the process alive until the answer comes
    slot.worker.postMessage({ id, ...job });
  }).finally(() => { if (slot.pending.size === 0) slot.worker.unref(); }) as Promise<SigningResult>;
}

/** Stops the workers (at shutdown). */
export async function closeSigningPool(): Promise<void> {
  const running = slots ?? [];
  slots = undefined; // first, so their exits are not taken for failures
  await Promise.all(running.map((s) => s.worker.terminate()));
}
