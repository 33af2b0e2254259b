/**
 * Assignment and Grade Services 2.0 (digest §4): line items, results, scores. A tool sees only its
 * own links' line items and those it created; the seeded ordinary assignment never shows.
 * Flavour differences, each marked: Moodle's `?type_id=` URLs, its strict media types, results
 * scaled to the line item maximum, score answers with an empty body; Canvas's JSON errors,
 * `{resultUrl}` score answers, raw result scores, and its refusal to delete a link's own line item.
 * A score without scoreGiven clears the learner's grade in both. Moodle refuses a score for anyone
 * who is not a student with 400 and an empty body (seen); `scoreFailures` makes one learner's
 * scores fail with 500 for a while.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { SeedActivity, SeedResult } from './course.js';
import { paginate, linkHeader } from './paging.js';
import { findUser, forgetIndexes, resultsOf, servicesFor, visibleLineItems, type Platform } from './platform.js';
import { AGS_LINEITEM, AGS_LINEITEM_READONLY, AGS_RESULT_READONLY, AGS_SCORE } from './scopes.js';
import { inCourse, logServiceRequests, moodleMediaType, requireScope, serviceError, throttleServiceRequests, type ServiceLocals } from './serviceGuard.js';
import type { RegisteredTool } from './tools.js';

const LINEITEM = 'application/vnd.ims.lis.v2.lineitem+json';
const LINEITEM_CONTAINER = 'application/vnd.ims.lis.v2.lineitemcontainer+json';
const RESULT_CONTAINER = 'application/vnd.ims.lis.v2.resultcontainer+json';
const SCORE = 'application/vnd.ims.lis.v1.score+json';
const ACTIVITY_PROGRESS = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING_PROGRESS = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

export function mountAgs(app: Express, p: Platform): void {
  const base = p.flavour === 'canvas' ? '/api/lti/courses/:courseId/line_items' : '/mod/lti/services.php/:courseId/lineitems';
  const item = p.flavour === 'canvas' ? `${base}/:id` : `${base}/:id/lineitem`;
  const read = [AGS_LINEITEM, AGS_LINEITEM_READONLY];
  const guard = (scopes: string[], mediaType?: string): RequestHandler[] => [
    logServiceRequests(p),
    throttleServiceRequests(p),
    express.json({ type: () => true }),
    requireScope(p, scopes),
    inCourse(p),
    ...(p.flavour === 'moodle' ? [moodleToolType(p), moodleMediaType(p, mediaType)] : []),
  ];

  app.get(base, guard(read, LINEITEM_CONTAINER), listLineItems(p));
  app.post(base, guard([AGS_LINEITEM], LINEITEM), createLineItem(p));
  app.get(item, guard(read, LINEITEM), withLineItem(p, (_req, res, a) => sendJson(res, 200, LINEITEM, lineItemJson(p, tool(res), a))));
  app.put(item, guard([AGS_LINEITEM], LINEITEM), withLineItem(p, updateLineItem(p)));
  app.delete(item, guard([AGS_LINEITEM]), withLineItem(p, deleteLineItem(p)));
  app.get(`${item}/results`, guard([AGS_RESULT_READONLY], RESULT_CONTAINER), withLineItem(p, listResults(p)));
  app.post(`${item}/scores`, guard([AGS_SCORE], SCORE), withLineItem(p, postScore(p)));
}

function tool(res: Response): RegisteredTool {
  return (res.locals as ServiceLocals).tool;
}

function sendJson(res: Response, status: number, mediaType: string, body: unknown): void {
  res.status(status).type(mediaType).send(JSON.stringify(body));
}

/** Moodle: service URLs carry `?type_id=` of the tool the token was issued to. */
function moodleToolType(p: Platform): RequestHandler {
  return (req, res, next) => {
    const typeId = req.query.type_id;
    if (typeId === undefined) return serviceError(p, res, 403, 'Invalid tool proxy specified.');
    if (typeId !== tool(res).typeId) return serviceError(p, res, 403, `This resource does not support ${req.method} requests.`);
    next();
  };
}

type ItemHandler = (req: Request, res: Response, a: SeedActivity) => void;

/** Finds the line item in the URL among those this tool may see. */
function withLineItem(p: Platform, handler: ItemHandler): RequestHandler {
  return (req, res) => {
    const a = p.course.activities.find((x) => x.id === req.params.id);
    const mine = a && visibleLineItems(p, tool(res)).includes(a);
    if (mine) return handler(req, res, a);
    if (p.flavour === 'moodle') return serviceError(p, res, a ? 403 : 404, a ? 'Line item does not exist.' : `Not Found: Grade item ${req.params.id} doesn't exist`);
    // Canvas: an ordinary assignment has no LTI line item at all; another tool's item is refused.
    if (a?.ags) return serviceError(p, res, 412, 'Tool does not have permission to view line_item');
    serviceError(p, res, 404, 'The specified resource does not exist.');
  };
}

function lineItemJson(p: Platform, t: RegisteredTool, a: SeedActivity): Record<string, unknown> {
  const json: Record<string, unknown> = { id: servicesFor(p, t).lineItem(a.id), scoreMaximum: a.scoreMaximum, label: a.label };
  if (p.flavour === 'moodle') {
    // Moodle always sends resourceId and tag, as empty strings when unset.
    Object.assign(json, { resourceId: a.resourceId ?? '', tag: a.tag ?? '' });
  } else {
    if (a.resourceId !== undefined) json.resourceId = a.resourceId;
    if (a.tag !== undefined) json.tag = a.tag;
  }
  if (a.resourceLinkId !== undefined) json.resourceLinkId = a.resourceLinkId;
  // Moodle names the link a second time, under the draft spec's name (gradebookservices.php, item_for_json).
  if (p.flavour === 'moodle' && a.resourceLinkId !== undefined) json.ltiLinkId = a.resourceLinkId;
  return json;
}

function listLineItems(p: Platform): RequestHandler {
  return (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const linkFilter = q.resource_link_id ?? (p.flavour === 'moodle' ? q.lti_link_id : undefined);
    const items = visibleLineItems(p, tool(res)).filter((a) =>
      (linkFilter === undefined || a.resourceLinkId === linkFilter) &&
      (q.resource_id === undefined || a.resourceId === q.resource_id) &&
      (q.tag === undefined || a.tag === q.tag));
    const page = paginate(p, req, items);
    if (page.links.length) res.set('Link', linkHeader(page.links));
    sendJson(res, 200, LINEITEM_CONTAINER, page.items.map((a) => lineItemJson(p, tool(res), a)));
  };
}

/** Checks label and scoreMaximum of a line item body; returns what is wrong. */
function invalidLineItem(body: Record<string, unknown>, partial: boolean): string | undefined {
  if (!(partial && body.label === undefined) && (typeof body.label !== 'string' || body.label.trim() === '')) return 'label is required and must be a non-empty string';
  if (!(partial && body.scoreMaximum === undefined) && !(typeof body.scoreMaximum === 'number' && body.scoreMaximum > 0)) return 'scoreMaximum is required and must be a number greater than 0';
  return undefined;
}

function createLineItem(p: Platform): RequestHandler {
  return (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const invalid = invalidLineItem(body, false);
    if (invalid) return serviceError(p, res, 400, invalid);
    const linkId = typeof body.resourceLinkId === 'string' ? body.resourceLinkId : undefined;
    if (linkId !== undefined && !visibleLineItems(p, tool(res)).some((a) => a.resourceLinkId === linkId)) {
      return serviceError(p, res, p.flavour === 'canvas' ? 404 : 403, `No resource link ${linkId} of this tool in the course`);
    }
    const a: SeedActivity = {
      id: String(Math.max(0, ...p.course.activities.map((x) => Number(x.id))) + 1),
      label: body.label as string,
      scoreMaximum: body.scoreMaximum as number,
      ...(typeof body.tag === 'string' ? { tag: body.tag } : {}),
      ...(typeof body.resourceId === 'string' ? { resourceId: body.resourceId } : {}),
      ...(linkId !== undefined ? { resourceLinkId: linkId } : {}),
      ags: true,
      clientId: tool(res).clientId,
      // Canvas makes an assignment for the line item, with an id of its own (Lti::LineItem.create_line_item!).
      ...(p.flavour === 'canvas' ? { assignmentId: nextAssignmentId(p) } : {}),
    };
    p.course.activities.push(a);
    sendJson(res, 201, LINEITEM, lineItemJson(p, tool(res), a));
  };
}

/** Canvas assignment ids for tool-made line items: apart from the seeded ones, never reused. */
function nextAssignmentId(p: Platform): string {
  return String(Math.max(9000, ...p.course.activities.map((x) => Number(x.assignmentId ?? 0))) + 1);
}

function updateLineItem(p: Platform): ItemHandler {
  return (req, res, a) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const invalid = invalidLineItem(body, true);
    if (invalid) return serviceError(p, res, 400, invalid);
    if (typeof body.label === 'string') a.label = body.label;
    if (typeof body.scoreMaximum === 'number') a.scoreMaximum = body.scoreMaximum;
    if (typeof body.tag === 'string') a.tag = body.tag;
    if (typeof body.resourceId === 'string') a.resourceId = body.resourceId;
    sendJson(res, 200, LINEITEM, lineItemJson(p, tool(res), a));
  };
}

function deleteLineItem(p: Platform): ItemHandler {
  return (_req, res, a) => {
    // The line item a link was created with belongs to Canvas: it answers 401 (it is "coupled").
    // Moodle deletes it (204), grade column and all: a 1.3 link's item is recorded as the service's
    // too (gradebookservices/classes/local/resources/lineitem.php, process_delete_request; checked against 4.5).
    if (a.clientId === undefined && p.flavour === 'canvas') return serviceError(p, res, 401, 'This line item belongs to an activity and cannot be deleted through AGS');
    p.course.activities.splice(p.course.activities.indexOf(a), 1);
    p.course.results = p.course.results.filter((r) => r.lineItemId !== a.id);
    forgetIndexes(p);
    res.status(204).end();
  };
}

function listResults(p: Platform): ItemHandler {
  return (req, res, a) => {
    const t = tool(res);
    const userFilter = req.query.user_id === undefined ? undefined : findUser(p, req.query.user_id);
    if (req.query.user_id !== undefined && !userFilter) return sendJson(res, 200, RESULT_CONTAINER, []);
    const results = resultsOf(p, a.id).filter((r) => !userFilter || r.userId === userFilter.id);
    const page = paginate(p, req, results);
    if (page.links.length) res.set('Link', linkHeader(page.links));
    sendJson(res, 200, RESULT_CONTAINER, page.items.map((r) => resultJson(p, t, a, r)));
  };
}

function resultJson(p: Platform, t: RegisteredTool, a: SeedActivity, r: SeedResult): Record<string, unknown> {
  const services = servicesFor(p, t);
  const user = findUser(p, r.userId)!;
  const json: Record<string, unknown> = { id: services.result(a.id, user), scoreOf: services.lineItem(a.id), userId: user.id };
  const outOf = r.scoreMaximum ?? a.scoreMaximum;
  if (p.flavour === 'moodle') {
    // Moodle keeps grades on the grade item's scale and reports them so (seen).
    if (r.score !== undefined) Object.assign(json, { resultScore: round(r.score / outOf * a.scoreMaximum), resultMaximum: a.scoreMaximum });
    json.timestamp = moodleTime(r.timestamp);
  } else if (r.score !== undefined) {
    // Canvas reports the score and maximum exactly as the tool posted them.
    Object.assign(json, { resultScore: r.score, resultMaximum: outOf });
  }
  if (r.comment) json.comment = r.comment;
  return json;
}

function postScore(p: Platform): ItemHandler {
  return (req, res, a) => {
    const s = (req.body ?? {}) as Record<string, unknown>;
    const canvas = p.flavour === 'canvas';
    // Moodle refuses a score inside the resource, after it has set its answer to `[]`: the reason
    // goes in the status line only (gradebookservices/classes/local/resources/scores.php; checked against 4.5).
    const refuse = (status: number, message: string) => {
      if (canvas) return serviceError(p, res, status, message);
      // Moodle's reason for a refused score ends with the score as it was posted.
      const reason = status === 400 ? `Incorrect score received${JSON.stringify(req.body ?? {})}` : message;
      res.statusMessage = reason.replace(/[^\x20-\x7e]/g, '?');
      res.status(status).send('[]');
    };
    const missing = ['userId', 'activityProgress', 'gradingProgress', 'timestamp'].find((k) => s[k] === undefined || s[k] === '');
    if (missing) return refuse(400, canvas ? `param is missing or the value is empty: ${missing}` : `Incorrect score received: ${missing} is missing`);
    const timestamp = Date.parse(String(s.timestamp));
    if (Number.isNaN(timestamp)) return refuse(400, `Provided timestamp of ${s.timestamp} not a valid timestamp`);
    if (!ACTIVITY_PROGRESS.includes(String(s.activityProgress))) return refuse(canvas ? 422 : 400, `activityProgress must be one of ${ACTIVITY_PROGRESS.join(', ')}`);
    if (!GRADING_PROGRESS.includes(String(s.gradingProgress))) return refuse(canvas ? 422 : 400, `gradingProgress must be one of ${GRADING_PROGRESS.join(', ')}`);
    for (const k of ['scoreGiven', 'scoreMaximum']) {
      if (s[k] !== undefined && !(typeof s[k] === 'number' && s[k] >= 0)) return refuse(canvas ? 422 : 400, `${k} must be a number >= 0`);
    }
    if (canvas && s.scoreGiven !== undefined && s.scoreMaximum === undefined) return refuse(422, 'ScoreMaximum not supplied when ScoreGiven present.');

    // Both take scores only for students: Canvas 422 with its reason; Moodle 400 with an empty body
    // (seen in 4.5 for editing and non-editing teachers alike, though its NRPS lists the latter as Learner).
    const user = findUser(p, s.userId);
    if (!user || user.role !== 'Learner' || user.status === 'Deleted' || user.gradable === false) {
      return refuse(canvas ? 422 : 400, canvas ? 'User not found in course or is not a student' : 'Incorrect score received');
    }
    const failures = p.scoreFailures.get(user.id) ?? 0;
    if (failures > 0) {
      p.scoreFailures.set(user.id, failures - 1);
      return refuse(500, 'Internal error while saving the grade');
    }
    const existing = resultsOf(p, a.id).find((r) => r.userId === user.id);
    const previous = existing ? Date.parse(existing.timestamp) : -Infinity;
    // Canvas refuses an older timestamp (400); Moodle an older or equal one (409).
    if (canvas ? timestamp < previous : timestamp <= previous) {
      return refuse(canvas ? 400 : 409, canvas
        ? `Provided timestamp of ${s.timestamp} before last updated timestamp of ${existing!.timestamp}`
        : `Refusing score with an earlier timestamp for item ${a.id} and user ${user.id}`);
    }

    // Moodle drops the score unless FullyGraded and assumes a maximum of 1 when none is sent.
    const keepScore = canvas || s.gradingProgress === 'FullyGraded';
    const result: SeedResult = {
      userId: user.id,
      lineItemId: a.id,
      ...(keepScore && typeof s.scoreGiven === 'number' ? { score: s.scoreGiven, scoreMaximum: (s.scoreMaximum as number | undefined) ?? 1 } : {}),
      ...(typeof s.comment === 'string' ? { comment: s.comment } : {}),
      timestamp: new Date(timestamp).toISOString(),
      activityProgress: String(s.activityProgress),
      gradingProgress: String(s.gradingProgress),
    };
    if (existing) p.course.results.splice(p.course.results.indexOf(existing), 1, result);
    else p.course.results.push(result);
    forgetIndexes(p);

    if (canvas) sendJson(res, 200, SCORE, { resultUrl: servicesFor(p, tool(res)).result(a.id, user) });
    else res.status(200).type(SCORE).end(); // empty body (seen)
  };
}

/** Moodle writes times as PHP's date('c'): seconds, and +00:00 for UTC. */
function moodleTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function round(n: number): number {
  return Math.round(n * 100000) / 100000;
}
