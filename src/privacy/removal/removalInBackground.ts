/**
 * A platform's removal run to its end outside the admin's request, and resumed when Laurel
 * starts. Rewriting 150,000 credentials takes minutes, longer than a proxy lets a request run:
 * the admin page takes the steps that must happen at once (the record, ltijs's records) and
 * leaves the rest to run here; a removal that a stop or a crash cut is finished at the next
 * start, without anyone running the command line.
 *
 * One instance runs a removal at a time: it holds a lease on the registration, renewed while it
 * runs (store/lease.ts underLease), so instances starting together, or the command line beside
 * them, do not both rewrite the same awards.
 * Errors are logged (the record stays unfinished, `npm run platform -- list` says so, and the
 * next start or the command finishes it), never thrown where nobody waits.
 */
import type { Logger } from 'pino';
import { underLease } from '../../store/lease.js';
import { allRemovals, type PlatformRemoval } from '../../store/platformRemoval.js';
import { issuerKeyOf } from '../../store/issuerProfile.js';
import { removePlatform, type RemovalTarget } from './removePlatform.js';
import type { RemovalFacts } from './removalSummary.js';

const LEASE_MS = 2 * 60_000;

/**
 * Runs the removal to its end under the registration's lease (the admin page's background, a
 * start, the command line): its outcome, or null when another instance is running it now.
 */
export async function removeUnderLease(t: RemovalTarget, by: PlatformRemoval['by'], log?: Logger, o: { facts?: RemovalFacts } = {}): Promise<PlatformRemoval | null> {
  const where = { platformId: t.platformId, platform: t.issuer, clientId: t.clientId };
  const held = await underLease(`platform-removal ${issuerKeyOf(t)}`, LEASE_MS, () => removePlatform(t, by, o),
    (err) => log?.warn({ err, ...where }, 'could not renew or release the platform removal\'s lease'));
  return held.ran ? held.value : null;
}

/** The same in the background: resolves once done, refused or failed, never rejects. */
export async function removeInBackground(t: RemovalTarget, by: PlatformRemoval['by'], log: Logger, o: { resumed?: boolean } = {}): Promise<void> {
  const where = { platformId: t.platformId, platform: t.issuer, clientId: t.clientId };
  try {
    if (o.resumed) log.info(where, 'unfinished platform removal resumed');
    const removal = await removeUnderLease(t, by, log);
    if (removal) log.info({ ...where, deleted: removal.deleted, kept: removal.kept }, 'platform removed from Laurel');
    else log.info(where, 'platform removal left to the instance already running it');
  } catch (err) {
    log.error({ err, ...where }, 'platform removal failed: it stays unfinished until the next start or "npm run platform -- remove"');
  }
}

/** At start: every removal left unfinished is run to its end, one after the other. */
export async function resumeRemovals(log: Logger): Promise<void> {
  let unfinished: PlatformRemoval[];
  try {
    unfinished = (await allRemovals()).filter((r) => r.state === 'removing');
  } catch (err) {
    log.error({ err }, 'could not read the unfinished platform removals');
    return;
  }
  for (const r of unfinished) {
    await removeInBackground({ issuer: r.issuer, clientId: r.clientId, platformId: r.platformId, platformName: r.platformName }, r.by, log, { resumed: true });
  }
}
