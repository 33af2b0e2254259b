/**
 * Laurel's client of one LMS registration: credentials, service tokens, HTTP and the request
 * count together. It needs only stored credentials and endpoint URLs, never a launch, so
 * scheduled runs use it as well as launches.
 */
import type { LineItem, Member, Result } from '../rules/snapshot.js';
import { AccessTokens } from './accessToken.js';
import { createLineItem, deleteLineItem, getLineItem, listLineItems, listResults, postScore, updateLineItem, type LineItemFilters, type NewLineItem, type ResultFilters, type Score } from './ags.js';
import type { ToolCredentials } from './credentials.js';
import { Http, newTransport, type LoggedRequest, type RequestCounter, type Transport } from './http.js';
import { listMembers, type MemberFilters } from './nrps.js';

/** Pass a `counter` to count several clients together; the rest as newTransport's defaults. */
export type LmsClientOptions = Partial<Transport>;

export class LmsClient {
  private readonly counter: RequestCounter;
  private readonly http: Http;
  /** How this client reaches the LMS: the LMS's own APIs go the same way, counted with it. */
  readonly transport: Transport;

  constructor(credentials: ToolCredentials, o: LmsClientOptions = {}) {
    const transport = newTransport(o);
    this.counter = transport.counter;
    this.transport = transport;
    this.http = new Http(transport, new AccessTokens(credentials, transport));
  }

  /** HTTP requests made so far, retries and token requests included. */
  get requests(): number {
    return this.counter.count;
  }

  get requestLog(): readonly LoggedRequest[] {
    return this.counter.log;
  }

  lineItems(url: string, filters?: LineItemFilters): Promise<LineItem[]> {
    return listLineItems(this.http, url, filters);
  }

  results(lineItemUrl: string, filters?: ResultFilters): Promise<Result[]> {
    return listResults(this.http, lineItemUrl, filters);
  }

  createLineItem(lineItemsUrl: string, item: NewLineItem): Promise<LineItem> {
    return createLineItem(this.http, lineItemsUrl, item);
  }

  lineItem(lineItemUrl: string): Promise<LineItem> {
    return getLineItem(this.http, lineItemUrl);
  }

  updateLineItem(item: LineItem, change: Partial<NewLineItem>): Promise<LineItem> {
    return updateLineItem(this.http, item, change);
  }

  deleteLineItem(lineItemUrl: string): Promise<void> {
    return deleteLineItem(this.http, lineItemUrl);
  }

  postScore(lineItemUrl: string, score: Score): Promise<void> {
    return postScore(this.http, lineItemUrl, score);
  }

  members(url: string, filters?: MemberFilters): Promise<Member[]> {
    return listMembers(this.http, url, filters);
  }
}
