/**
 * Assignment and Grade Services 2.0 (digest §4): the course's grade columns (line items), their
 * results, posting a score (one without scoreGiven clears the learner's grade), and a column's
 * renaming and removal.
 */
import type { LineItem, Result } from '../rules/snapshot.js';
import { LmsError } from './errors.js';
import { MEDIA_TYPES, largestPage, readJson, withQuery, type Http } from './http.js';
import { compact, listOf, num, record, text } from './read.js';
import { SCOPES } from './scopes.js';

export interface LineItemFilters {
  resourceLinkId?: string;
  resourceId?: string;
  tag?: string;
  /** Page size; default the largest the LMS serves. */
  limit?: number;
}

export interface ResultFilters {
  /** One learner's results (LTI user id): what a learner's launch needs. */
  userId?: string;
  limit?: number;
}

export interface Score {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  /** ISO 8601; must increase from one score to the next for the same learner and line item. */
  timestamp: string;
  activityProgress: 'Initialized' | 'Started' | 'InProgress' | 'Submitted' | 'Completed';
  gradingProgress: 'FullyGraded' | 'Pending' | 'PendingManual' | 'Failed' | 'NotReady';
}

/** Either scope lets a tool list line items. */
const READ_LINE_ITEMS = [SCOPES.lineItemReadonly, SCOPES.lineItem];

export function listLineItems(http: Http, url: string, f: LineItemFilters = {}): Promise<LineItem[]> {
  const first = withQuery(url, { resource_link_id: f.resourceLinkId, resource_id: f.resourceId, tag: f.tag, limit: f.limit ?? largestPage(url) });
  return http.getAll(READ_LINE_ITEMS, first, MEDIA_TYPES.lineItemContainer, (body, at) => listOf(body, 'line items', at).map((raw) => lineItem(raw, at)));
}

/** `results` of every page of `{lineItem}/results`; `lineItemId` is the line item's URL as given. */
export function listResults(http: Http, lineItemUrl: string, f: ResultFilters = {}): Promise<Result[]> {
  const first = withQuery(serviceUrl(lineItemUrl, 'results'), { user_id: f.userId, limit: f.limit ?? largestPage(lineItemUrl) });
  return http.getAll([SCOPES.resultReadonly], first, MEDIA_TYPES.resultContainer, (body, at) => listOf(body, 'results', at).map((raw) => result(raw, lineItemUrl, at)));
}

export interface NewLineItem { label: string; scoreMaximum: number; resourceId?: string; tag?: string }

/** Creates a grade column in the course (the `lineitem` scope); answers it as the LMS made it. */
export async function createLineItem(http: Http, lineItemsUrl: string, item: NewLineItem): Promise<LineItem> {
  const res = await http.call([SCOPES.lineItem], { method: 'POST', url: lineItemsUrl, contentType: MEDIA_TYPES.lineItem, accept: MEDIA_TYPES.lineItem, body: JSON.stringify(item) });
  return lineItem(await readJson(res, lineItemsUrl), lineItemsUrl);
}

/** Renames a grade column (PUT the line item, with the fields it keeps: AGS replaces it whole). */
export async function updateLineItem(http: Http, item: LineItem, change: Partial<NewLineItem>): Promise<LineItem> {
  const body = compact({ label: item.label, scoreMaximum: item.scoreMaximum, resourceId: item.resourceId, tag: item.tag, resourceLinkId: item.resourceLinkId, ...change });
  const res = await http.call([SCOPES.lineItem], { method: 'PUT', url: item.id, contentType: MEDIA_TYPES.lineItem, accept: MEDIA_TYPES.lineItem, body: JSON.stringify(body) });
  return lineItem(await readJson(res, item.id), item.id);
}

/** Deletes a grade column and its grades; a column already gone answers `not_found`. */
export async function deleteLineItem(http: Http, lineItemUrl: string): Promise<void> {
  const res = await http.call([SCOPES.lineItem], { method: 'DELETE', url: lineItemUrl });
  await res.body?.cancel();
}

/** One line item by its URL. */
export async function getLineItem(http: Http, lineItemUrl: string): Promise<LineItem> {
  const res = await http.call(READ_LINE_ITEMS, { method: 'GET', url: lineItemUrl, accept: MEDIA_TYPES.lineItem });
  return lineItem(await readJson(res, lineItemUrl), lineItemUrl);
}

export async function postScore(http: Http, lineItemUrl: string, score: Score): Promise<void> {
  const res = await http.call([SCOPES.score], { method: 'POST', url: serviceUrl(lineItemUrl, 'scores'), contentType: MEDIA_TYPES.score, body: JSON.stringify(score) });
  // Canvas answers {resultUrl}, Moodle an empty body (digest §4): nothing to read.
  await res.body?.cancel();
}

/** `{lineItem}/results` or `/scores`, inserted before the query: Moodle's line item URLs carry `?type_id=`. */
function serviceUrl(lineItemUrl: string, service: 'results' | 'scores'): string {
  const u = new URL(lineItemUrl);
  u.pathname = `${u.pathname.replace(/\/$/, '')}/${service}`;
  return u.toString();
}

function lineItem(raw: unknown, url: string): LineItem {
  const o = record(raw);
  const id = text(o.id);
  if (!id) throw new LmsError('bad_response', `The LMS listed a line item without an id at ${url}.`, { url });
  return compact({
    id,
    label: text(o.label) ?? '',
    scoreMaximum: num(o.scoreMaximum) ?? 0,
    resourceLinkId: text(o.resourceLinkId),
    resourceId: text(o.resourceId),
    tag: text(o.tag),
    source: 'ags' as const,
  });
}

function result(raw: unknown, lineItemId: string, url: string): Result {
  const o = record(raw);
  const userId = text(o.userId);
  if (!userId) throw new LmsError('bad_response', `The LMS listed a result without a userId at ${url}.`, { url });
  // Built field by field rather than compacted: this runs once per result, tens of thousands of times.
  const r: Result = { lineItemId, userId, source: 'ags' };
  const resultScore = num(o.resultScore);
  const resultMaximum = num(o.resultMaximum);
  const comment = text(o.comment);
  // Moodle says when the score was given; Canvas does not (rules bounded in time need it).
  const timestamp = resultScore === undefined ? undefined : text(o.timestamp);
  if (resultScore !== undefined) r.resultScore = resultScore;
  if (timestamp !== undefined && !Number.isNaN(Date.parse(timestamp))) r.gradedAt = new Date(timestamp).toISOString();
  if (resultMaximum !== undefined) r.resultMaximum = resultMaximum;
  if (comment !== undefined) r.comment = comment;
  return r;
}
