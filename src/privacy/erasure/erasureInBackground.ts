/**
 * An erasure runs outside the administrator's request, as a platform's removal does: it visits
 * every course of the platform (18 to 29 s at 504 courses, measured), longer than a proxy may let a
 * request wait as platforms grow. The request waits for it a while (WAIT_MS), so on most
 * platforms the administrator reads what was erased at once; past that the page says it goes on.
 *
 * One instance runs an erasure at a time, under a lease on its record (store/lease.ts), so a second
 * confirmation or a start does not run it twice at once; one that a stop or a crash cut is finished
 * at the next start. Logged by its record's id, never the person.
 */
import type { Logger } from 'pino';
import { underLease } from '../../store/lease.js';
import { erasureRequestById, unfinishedErasureRequests, type ErasureRequest } from '../../store/erasureRequest.js';
import type { ErasureRecord } from '../../store/erasure.js';
import { finishErasure, startErasure, type Admin } from './confirmErasure.js';

const LEASE_MS = 2 * 60_000;
/** How long the administrator's request waits for the erasure before answering that it goes on. */
export const WAIT_MS = 20_000;

type Finished = ErasureRecord | 'elsewhere' | 'gone';

/** The runs of this instance: a lease is held per instance, so a second confirmation here joins the first. */
const inFlight = new Map<string, { confirmed: Promise<void>; done: Promise<Finished> }>();

/**
 * Confirms the request when `confirm` is given (once: confirming is a read then a write on
 * FerretDB, so two at once would open two records), then finishes its erasure under its lease:
 * done is its record, 'elsewhere' when another instance runs it, 'gone' when it was done
 * meanwhile. Rejects on an error (the request stays confirmed: the next start, or a
 * confirmation, finishes it).
 */
function eraseOnce(request: ErasureRequest, log: Logger, confirm?: Admin) {
  const running = inFlight.get(request._id);
  if (running) return running;
  const confirmed = confirm ? startErasure(request, confirm).then(() => {}) : Promise.resolve();
  const done = confirmed.then(() => finishUnderLease(request._id, log)).finally(() => inFlight.delete(request._id));
  const run = { confirmed, done };
  inFlight.set(request._id, run);
  return run;
}

async function finishUnderLease(requestId: string, log: Logger): Promise<Finished> {
  const request = await erasureRequestById(requestId);
  if (!request?.erasureId) return 'gone';
  const erasureId = request.erasureId;
  const where = { platform: request.issuer, clientId: request.clientId, erasure: erasureId };
  const held = await underLease(`erasure ${erasureId}`, LEASE_MS, async () => {
    // Read again under the lease: a run that held it before may have finished and forgotten it.
    const now = await erasureRequestById(requestId);
    if (!now?.erasureId) return 'gone' as const;
    const admin: Admin = now.confirmedBy ?? { userId: 'administrator', name: 'an administrator' };
    const record = await finishErasure({ ...now, erasureId: now.erasureId }, admin);
    log.info({ ...where, choice: record.choice, by: now.by }, now.by === 'learner' ? 'learner erased on their request' : 'person erased on a request to the institution');
    return record;
  }, (err) => log.warn({ err, ...where }, 'could not renew or release the erasure\'s lease'));
  return held.ran ? held.value : 'elsewhere';
}

/**
 * The administrator confirms: the request is confirmed at once, the erasure starts, and this
 * answers its record if it ends within `waitMs`, else 'running' (it goes on; the admin page lists
 * it as unfinished until done). An error within the wait is thrown; after it, logged.
 */
export async function confirmInBackground(request: ErasureRequest, admin: Admin, log: Logger, waitMs = WAIT_MS): Promise<ErasureRecord | 'running'> {
  const { confirmed, done: run } = eraseOnce(request, log, admin);
  let waiting = true;
  run.catch((err) => { if (!waiting) log.error({ err, platform: request.issuer, clientId: request.clientId }, 'erasure failed: it is finished at the next start, or when an administrator confirms it again'); });
  let timer: NodeJS.Timeout | undefined;
  try {
    await confirmed;
    const done = await Promise.race([run, new Promise<'running'>((ok) => { timer = setTimeout(() => ok('running'), waitMs); })]);
    return typeof done === 'string' ? 'running' : done;
  } finally {
    waiting = false;
    clearTimeout(timer);
  }
}

/** At start: every erasure confirmed and not finished is run to its end, one after the other. Never rejects. */
export async function resumeErasures(log: Logger): Promise<void> {
  let unfinished: ErasureRequest[];
  try {
    unfinished = await unfinishedErasureRequests();
  } catch (err) {
    log.error({ err }, 'could not read the unfinished erasures');
    return;
  }
  for (const r of unfinished) {
    try {
      log.info({ platform: r.issuer, clientId: r.clientId, erasure: r.erasureId }, 'unfinished erasure resumed');
      await eraseOnce(r, log).done;
    } catch (err) {
      log.error({ err, platform: r.issuer, clientId: r.clientId, erasure: r.erasureId }, 'erasure failed: it is finished at the next start, or when an administrator confirms it again');
    }
  }
}
