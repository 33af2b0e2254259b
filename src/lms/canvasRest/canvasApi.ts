/**
 * Lists from the Canvas REST API (`/api/v1/...`), the one edit Laurel makes (an assignment of
 * its own left out of the final grade) and the messages it sends (conversations), with a bearer
 * token from an API developer key:
 * every page at Canvas's largest page size, paced by Canvas's throttling bucket so a big course
 * slows down before Canvas starts refusing (digest §8, §10).
 */
import { LmsError } from '../errors.js';
import { Http, readJson, type TokenSource, type Transport } from '../http.js';
import { listOf, num } from '../read.js';

/** Query parameters; a list is sent as Canvas's repeated `name[]=…` (the name given with its brackets). */
export type CanvasQuery = Record<string, string | readonly string[]>;

/** Canvas's largest page (its default is 10). */
const PER_PAGE = 100;
/**
 * A token may spend 700 units of Canvas's bucket, which gives back about 10 a second. Below this
 * many left, Laurel pauses about as long as the bucket takes to climb back to it, so that Canvas
 * need not answer 403.
 */
const LOW_WATER = 100;
const REFILL_PER_SECOND = 10;
const MAX_PAUSE_MS = 3_000;
/** Developer-key tokens carry the key's scopes: Http asks the bearer for none in particular. */
const NO_SCOPES: readonly string[] = [];

export class CanvasApi {
  private readonly http: Http;

  constructor(readonly baseUrl: string, bearer: TokenSource, private readonly transport: Transport) {
    this.http = new Http(transport, bearer, { afterResponse: (res) => this.pace(res) });
  }

  /** Every item of every page of `path` (e.g. `/api/v1/courses/7/assignments`). */
  async list(path: string, query: CanvasQuery = {}): Promise<unknown[]> {
    const items: unknown[] = [];
    await this.each(path, query, (item) => items.push(item));
    return items;
  }

  /**
   * Every item of every page of `path`, each handed to `visit` as its page arrives: a page is
   * dropped once visited, so a course's 60,000 submissions are never all held as Canvas sent them.
   */
  async each(path: string, query: CanvasQuery, visit: (item: unknown) => void): Promise<void> {
    const u = new URL(path, this.baseUrl);
    for (const [name, v] of Object.entries(query)) for (const one of typeof v === 'string' ? [v] : v) u.searchParams.append(name, one);
    u.searchParams.set('per_page', String(PER_PAGE));
    const what = path.split('/').at(-1)!;
    try {
      await this.http.getAll(NO_SCOPES, u.toString(), 'application/json', (body, at) => {
        for (const item of listOf(body, what, at)) visit(item);
        return [];
      });
    } catch (err) {
      throw reconnectIfRefused(err);
    }
  }

  /** A PUT of a JSON body (Canvas takes JSON as it takes form fields); answers Canvas's JSON. */
  async put(path: string, body: object): Promise<unknown> {
    const url = new URL(path, this.baseUrl).toString();
    try {
      const res = await this.http.call(NO_SCOPES, { method: 'PUT', url, contentType: 'application/json', accept: 'application/json', body: JSON.stringify(body) });
      return await readJson(res, url);
    } catch (err) {
      throw reconnectIfRefused(err);
    }
  }

  /**
   * A POST of form fields (Canvas's `name[]` lists repeated); answers Canvas's JSON. A refusal is
   * thrown as it came (401 included): what it means depends on what was posted.
   */
  async post(path: string, fields: CanvasQuery): Promise<unknown> {
    const url = new URL(path, this.baseUrl).toString();
    const form = new URLSearchParams();
    for (const [name, v] of Object.entries(fields)) for (const one of typeof v === 'string' ? [v] : v) form.append(name, one);
    const res = await this.http.call(NO_SCOPES, { method: 'POST', url, contentType: 'application/x-www-form-urlencoded', accept: 'application/json', body: form.toString() });
    return readJson(res, url);
  }

  private async pace(res: Response): Promise<void> {
    const remaining = num(res.headers.get('x-rate-limit-remaining'));
    if (remaining === undefined || remaining >= LOW_WATER) return;
    await this.transport.sleep(Math.min(MAX_PAUSE_MS, ((LOW_WATER - remaining) / REFILL_PER_SECOND) * 1000));
  }
}

/**
 * Http has already fetched a fresh token and tried again: a 401 now means the grant was revoked
 * or its Canvas user may no longer read the course. Only an instructor connecting again cures that.
 */
function reconnectIfRefused(err: unknown): unknown {
  if (!(err instanceof LmsError && err.kind === 'unauthorized' && err.status === 401)) return err;
  return new LmsError('reconnect', `Canvas refused Laurel's connection to its REST API (${err.url} answered 401 even to a fresh access token): ` +
    `the connection was revoked, or the Canvas user who connected Laurel no longer teaches this course. An instructor connects Canvas again from Laurel's course page.`, { status: 401, url: err.url, cause: err });
}
