/**
 * One consistent picture of a course from its LTI services (see rules/snapshot.ts): the roster
 * from NRPS, the grade columns from AGS and each column's results.
 *
 * Without NRPS nobody can be evaluated, so a missing roster endpoint is an error. Without AGS the
 * rules that read no grades (prerequisites, approvals, dates) still work, so it is a warning.
 */
import type { CourseSnapshot, LineItem, Result } from '../rules/snapshot.js';
import type { LmsClient } from './client.js';
import { LmsError } from './errors.js';
import { SCOPES, howToGrant } from './scopes.js';
import { mapLimit } from './mapLimit.js';

export interface SnapshotEndpoints {
  lineItemsUrl?: string;
  membershipsUrl?: string;
}

export interface SnapshotOptions {
  /** Only this learner (a learner's launch): results are asked with the `user_id` filter. */
  userId?: string;
  now?: () => Date;
}

/** Line items whose results are read at once: quick for the course, gentle on the LMS. */
const CONCURRENCY = 32;

export async function takeSnapshot(client: LmsClient, endpoints: SnapshotEndpoints, o: SnapshotOptions = {}): Promise<{ snapshot: CourseSnapshot; warnings: string[] }> {
  const takenAt = (o.now?.() ?? new Date()).toISOString();
  const { lineItemsUrl, membershipsUrl } = endpoints;
  if (!membershipsUrl) {
    throw new LmsError('scope_not_granted', `The LMS did not offer Names and Role Provisioning in this course, so Laurel cannot read the roster. ${howToGrant([SCOPES.memberships])}`);
  }
  const warnings: string[] = [];
  if (!lineItemsUrl) {
    warnings.push(`The LMS did not offer Assignment and Grade Services in this course: Laurel sees no grades, so only rules without grades can be met. ${howToGrant([SCOPES.resultReadonly])}`);
  }

  // Results are read as soon as the columns are listed, while the roster's pages still come in.
  const columns = (lineItemsUrl ? client.lineItems(lineItemsUrl) : Promise.resolve([])).then((listed) => uniqueBy(listed, (i) => i.id));
  // Any failure fails the snapshot: start no more result reads then, and answer only once nothing
  // is under way, so no request outlives the snapshot.
  const stop = new AbortController();
  const halt = (err: unknown): never => { stop.abort(); throw err; };
  const [roster, lineItems, perItem] = await allOrFirstFailure([
    client.members(membershipsUrl).catch(halt),
    columns.catch(halt),
    columns.then((items) => mapLimit(items, CONCURRENCY, (item) => resultsOf(client, item, o.userId, warnings), stop.signal)).catch(halt),
  ] as const);
  // Offset paging can repeat an entry when the list changes between pages: keep each once.
  const members = uniqueBy(roster.filter((m) => !o.userId || m.userId === o.userId), (m) => m.userId);
  if (o.userId && members.length === 0) warnings.push(`The LMS's roster does not list user ${o.userId} as a member of this course.`);
  return {
    snapshot: {
      takenAt,
      members,
      lineItems: lineItems.filter((_, i) => perItem[i] !== undefined),
      // Each column's results are that column's (its id is theirs): a learner once per column, without a key string per result.
      results: perItem.flatMap((r) => (r ? uniqueBy(r, (x) => x.userId) : [])),
    },
    warnings,
  };
}

/** A line item's results; undefined when it was deleted since it was listed. */
async function resultsOf(client: LmsClient, item: LineItem, userId: string | undefined, warnings: string[]): Promise<Result[] | undefined> {
  try {
    return await client.results(item.id, { userId });
  } catch (err) {
    if (!(err instanceof LmsError && err.kind === 'not_found')) throw err;
    warnings.push(`The grade column "${item.label}" was deleted in the LMS while Laurel read the course; it is left out of this run.`);
    return undefined;
  }
}

/** Like Promise.all, but settles only once every promise has: then answers, or throws the first failure in the list. */
async function allOrFirstFailure<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    return !seen.has(k) && seen.add(k);
  });
}
