/**
 * The one place LMS requests go out: timeouts, the exact media types Moodle insists on, bearer
 * tokens, retries when the LMS throttles or stumbles, paging, and a count of every request.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { LmsError } from './errors.js';
import { processGates, type HostGates } from './hostGate.js';

/** Moodle compares media types literally (digest §9): each resource gets exactly its own, never `*\/*`. */
export const MEDIA_TYPES = {
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  resultContainer: 'application/vnd.ims.lis.v2.resultcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  membershipContainer: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

export interface LoggedRequest {
  method: string;
  url: string;
  /** Absent: no answer (network error or timeout). */
  status?: number;
}

/** Every HTTP request made, retries and token requests included: what a run cost the LMS. */
export class RequestCounter {
  readonly log: LoggedRequest[] = [];
  get count(): number {
    return this.log.length;
  }
}

/** How requests are sent; injectable so tests and the benchmark control time and the network. */
export interface Transport {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  counter: RequestCounter;
  timeoutMs: number;
  /** How many requests may be under way to each LMS host: the process's own, shared by every course read at once. */
  gates: HostGates;
}

/**
 * The real network and clock, a fresh request count, 30 s a request (a timeout is retried like a
 * network error), the process's gates per LMS host; `o` overrides any.
 */
export function newTransport(o: Partial<Transport> = {}): Transport {
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<Transport>;
  return { fetch: (input, init) => fetch(input, init), sleep: (ms) => delay(ms), now: () => new Date(), counter: new RequestCounter(), timeoutMs: 30_000, gates: processGates, ...given };
}

const MAX_ATTEMPTS = 5;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 30_000;
/** Canvas's largest page (its default is 10). */
const CANVAS_MAX_PAGE = 100;
/** Moodle's service URLs; Moodle answers everything at once when no `limit` is asked. */
const MOODLE_SERVICES = /\/mod\/lti\/services\.php\//;

/**
 * One request, retried with exponential backoff (or as `Retry-After` asks) while the LMS throttles
 * (429; Canvas's 403 "Rate Limit Exceeded"), fails (5xx) or cannot be reached. Answers the last
 * response whatever its status; throws `unavailable` only when no response came at all.
 */
export async function send(t: Transport, method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
  const gate = t.gates.of(url);
  for (let attempt = 1; ; attempt++) {
    let res: Response | undefined;
    let failure: unknown;
    let transient = true;
    // A place among the requests under way to this LMS, held until its answer's head has come.
    await gate.enter();
    try {
      res = await t.fetch(url, { method, headers: init.headers, body: init.body, signal: AbortSignal.timeout(t.timeoutMs) });
      transient = await isTransient(res);
    } catch (err) {
      failure = err;
    } finally {
      gate.done(res !== undefined && transient && isThrottled(res));
    }
    t.counter.log.push(res ? { method, url, status: res.status } : { method, url });
    if (res && !transient) return res;
    if (attempt === MAX_ATTEMPTS) {
      if (res) return res;
      throw new LmsError('unavailable', `Laurel could not reach the LMS at ${url} in ${MAX_ATTEMPTS} attempts (${(failure as Error).message}). Check that the LMS is up and reachable from Laurel's server.`, { url, cause: failure });
    }
    await res?.body?.cancel();
    await t.sleep(waitMs(attempt, res?.headers.get('retry-after'), t.now()));
  }
}

/** The LMS refused for going too fast (rather than failing): 429, or Canvas's 403 (a transient 403 is only that). */
function isThrottled(res: Response): boolean {
  return res.status === 429 || res.status === 403;
}

async function isTransient(res: Response): Promise<boolean> {
  if (res.status === 429 || res.status >= 500) return true;
  return res.status === 403 && isRateLimit(await res.clone().text());
}

/** Canvas throttles with 403 and this body, not 429 (digest §8). */
function isRateLimit(body: string): boolean {
  return /rate limit exceeded/i.test(body);
}

function waitMs(attempt: number, retryAfter: string | null | undefined, now: Date): number {
  return Math.min(BACKOFF_CAP_MS, retryAfterMs(retryAfter, now) ?? BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

/** `Retry-After` is either seconds or an HTTP date. */
function retryAfterMs(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/** The next page's URL from a `Link` header. Lenient: Moodle has sent odd quotes around rel values. */
export function nextLink(header: string | null, base: string): string | undefined {
  for (const [, target, params] of (header ?? '').matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /rel\s*=\s*([^;]*)/i.exec(params!)?.[1] ?? '';
    if (rel.split(/[^\w-]+/).some((r) => r.toLowerCase() === 'next')) return new URL(target!, base).toString();
  }
  return undefined;
}

/** The page size to ask for: the largest the LMS serves, or none where none means everything. */
export function largestPage(url: string): number | undefined {
  return MOODLE_SERVICES.test(url) ? undefined : CANVAS_MAX_PAGE;
}

/** `url` with these query parameters set (undefined ones left out), keeping those it has (Moodle's `type_id`). */
export function withQuery(url: string, params: Record<string, string | number | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString();
}

export async function readJson(res: Response, url: string): Promise<unknown> {
  const body = await res.text();
  try {
    return JSON.parse(body);
  } catch {
    throw new LmsError('bad_response', `The LMS answered ${url} with something that is not JSON: ${body.slice(0, 200)}`, { status: res.status, url });
  }
}

/**
 * The LMS's own words from an error answer: Canvas's JSON `errors`, an OAuth `error_description`,
 * Moodle's JSON `reason`, or plain text. Moodle refuses a score with `[]` and its reason in the
 * status line only (mod/lti/service/gradebookservices/classes/local/resources/scores.php).
 */
function lmsMessage(body: string, statusText: string): string {
  try {
    const json = JSON.parse(body) as unknown;
    const said = lmsSaid(json);
    if (said) return said;
    if (json !== null && typeof json === 'object') return statusText; // JSON that says nothing: `[]`
  } catch {
    // not JSON: Moodle and proxies answer in plain text
  }
  return body.trim().slice(0, 300) || statusText;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * What an LMS's JSON error body says, for a person. Canvas answers in several shapes:
 * `{"errors":[{"message":…}]}` (API errors), `{"errors":{"type":…,"message":…}}` (LTI services),
 * `{"errors":{"title":[{"attribute":…,"message":…}]}}` (a record that failed validation, 422),
 * `{"errorMessage":…}` and `{"message":…}`, and a list of `{"attribute":…,"message":…}` (an API argument
 * refused: conversations_controller.rb#render_error); OAuth2 answers `error_description`/`error`, Moodle `reason`.
 */
export function lmsSaid(json: unknown): string | undefined {
  if (Array.isArray(json)) {
    const refused = json.map((e) => (e && typeof e === 'object' ? e as Record<string, unknown> : {})).filter((e) => str(e.message) || str(e.attribute))
      .map((e) => [str(e.attribute), str(e.message)].filter(Boolean).join(': '));
    return refused.length ? refused.slice(0, 3).join('; ').slice(0, 300) : undefined;
  }
  if (json === null || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  const errors = o.errors;
  const messages: string[] = [];
  const take = (e: unknown, field?: string) => {
    const m = typeof e === 'string' ? str(e) : e && typeof e === 'object' ? str((e as Record<string, unknown>).message) : undefined;
    if (m) messages.push(field ? `${field}: ${m}` : m);
  };
  if (Array.isArray(errors)) errors.forEach((e) => take(e));
  else if (errors && typeof errors === 'object') {
    const e = errors as Record<string, unknown>;
    if (str(e.message)) take(e);
    else for (const [field, v] of Object.entries(e)) (Array.isArray(v) ? v : [v]).forEach((x) => take(x, field));
  } else take(errors);
  if (messages.length) return [...new Set(messages)].slice(0, 3).join('; ').slice(0, 300);
  return str(o.errorMessage) ?? str(o.error_description) ?? str(o.message) ?? str(o.error) ?? str(o.reason);
}

/** Turns a final non-2xx answer into an LmsError that says what to do. */
export async function errorFor(res: Response, method: string, url: string): Promise<LmsError> {
  const body = await res.text().catch(() => '');
  const said = lmsMessage(body, res.statusText);
  const what = `${method} ${url} answered ${res.status}${said ? ` (${said})` : ''}`;
  const o = { status: res.status, url };
  if (res.status === 429 || (res.status === 403 && isRateLimit(body))) {
    return new LmsError('throttled', `The LMS kept throttling Laurel for ${MAX_ATTEMPTS} attempts: ${what}. Try again in a few minutes.`, o);
  }
  if (res.status >= 500) return new LmsError('unavailable', `The LMS failed for ${MAX_ATTEMPTS} attempts: ${what}. It may be down or overloaded; try again later.`, o);
  if (res.status === 401 || res.status === 403) {
    return new LmsError('unauthorized', `The LMS refused Laurel: ${what}. An administrator checks that Laurel's registration is still active in this LMS and installed in this course.`, o);
  }
  if (res.status === 404 || res.status === 410) return new LmsError('not_found', `Not found: ${what}. The course, grade column or service no longer exists in the LMS.`, o);
  return new LmsError('bad_response', `The LMS rejected the request: ${what}.`, o);
}

export interface ServiceRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Response media type (GET, and a PUT's answer). */
  accept?: string;
  /** Request media type (POST, PUT). */
  contentType?: string;
  body?: string;
}

export interface TokenSource {
  /** An access token carrying one of `anyOf`. */
  get(anyOf: readonly string[]): Promise<string>;
  /** Forgets `token` (the LMS answered 401 to it). */
  invalidate(token: string): void;
}

export interface HttpOptions {
  /** Runs after each successful answer, before the caller reads it: Canvas REST paces itself by its rate-limit header. */
  afterResponse?: (res: Response) => Promise<void>;
}

/** Service requests (AGS, NRPS, an LMS's own API) with a bearer token. */
export class Http {
  constructor(private readonly transport: Transport, private readonly tokens: TokenSource, private readonly o: HttpOptions = {}) {}

  /**
   * Answers 2xx or throws an LmsError. A 401 means the token expired or was revoked mid-run:
   * one fresh token, one more try.
   */
  async call(scopes: readonly string[], req: ServiceRequest): Promise<Response> {
    for (let renewed = false; ; renewed = true) {
      const token = await this.tokens.get(scopes);
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (req.accept) headers.accept = req.accept;
      if (req.contentType) headers['content-type'] = req.contentType;
      const res = await send(this.transport, req.method, req.url, { headers, body: req.body });
      if (res.ok) {
        await this.o.afterResponse?.(res);
        return res;
      }
      if (res.status === 401 && !renewed) {
        await res.body?.cancel();
        this.tokens.invalidate(token);
        continue;
      }
      throw await errorFor(res, req.method, req.url);
    }
  }

  /** Every page of a list, following `Link: rel="next"` to the end. */
  async getAll<T>(scopes: readonly string[], url: string, accept: string, read: (body: unknown, url: string) => T[]): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    // A next link pointing back to a page already read would loop forever.
    for (let next: string | undefined = url; next && !seen.has(next);) {
      seen.add(next);
      const res = await this.call(scopes, { method: 'GET', url: next, accept });
      items.push(...read(await readJson(res, next), next));
      next = nextLink(res.headers.get('link'), next);
    }
    return items;
  }
}
