/**
 * The deep-linking return endpoint (digest §6): verifies the tool's LtiDeepLinkingResponse with the
 * tool's JWKS, records the content items, and, like the LMSs, turns an item's `lineItem` into a
 * grade column tied to a new link, which AGS then lists for that tool.
 */
import type { Request, Response } from 'express';
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { uuid } from './course.js';
import { errorPage, escapeHtml, page } from './html.js';
import type { Platform } from './platform.js';
import { findTool, toolKeys, type RegisteredTool } from './tools.js';

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';

export function deepLinkReturn(p: Platform) {
  return async (req: Request, res: Response) => {
    const refuse = (message: string) => res.status(400).type('html').send(errorPage('Deep linking response refused', message));
    const jwt = (req.body as Record<string, unknown> | undefined)?.JWT;
    if (typeof jwt !== 'string') return refuse('The form field JWT is missing.');

    let tool: RegisteredTool | undefined;
    try {
      tool = findTool(p, decodeJwt(jwt).iss);
    } catch {
      return refuse('The form field JWT is not a JWT.');
    }
    if (!tool) return refuse('iss must be the client id of a registered tool.');
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(jwt, toolKeys(tool), { algorithms: ['RS256'], issuer: tool.clientId, audience: p.issuer }));
    } catch (e) {
      return refuse(`The JWT did not verify: ${(e as Error).message} (RS256 with a key from the tool's JWKS; iss = client id; aud = ${p.url}).`);
    }
    const problem = responseProblem(p, tool, claims);
    if (problem) return refuse(problem);

    p.deepLinkData.delete(claims[`${DL}data`] as string);
    const contentItems = (claims[`${DL}content_items`] ?? []) as Record<string, unknown>[];
    contentItems.forEach((item) => addGradeColumn(p, tool, item));
    p.deepLinks.push({ clientId: tool.clientId, contentItems });

    const list = contentItems.map((i) => `<li>${escapeHtml(String(i.title ?? i.type))}</li>`).join('');
    const msg = claims[`${DL}msg`] ?? claims[`${DL}errormsg`];
    res.type('html').send(page('Content added', `<main><h1>${contentItems.length} item(s) added to ${escapeHtml(p.course.title)}</h1>
${msg ? `<p>${escapeHtml(String(msg))}</p>` : ''}<ul>${list}</ul></main>`));
  };
}

function responseProblem(p: Platform, tool: RegisteredTool, claims: JWTPayload): string | undefined {
  if (claims[`${LTI}message_type`] !== 'LtiDeepLinkingResponse') return 'message_type must be LtiDeepLinkingResponse.';
  if (claims[`${LTI}version`] !== '1.3.0') return 'version must be 1.3.0.';
  if (claims[`${LTI}deployment_id`] !== tool.deploymentId) return `deployment_id must be ${tool.deploymentId}.`;
  const data = claims[`${DL}data`];
  if (typeof data !== 'string' || p.deepLinkData.get(data) !== tool.clientId) return 'data must echo, unchanged, the data of a deep-linking request sent to this tool.';
  const items = claims[`${DL}content_items`];
  if (items !== undefined && !Array.isArray(items)) return 'content_items must be an array.';
  return undefined;
}

/** An ltiResourceLink with a lineItem becomes a new link with its own grade column. */
function addGradeColumn(p: Platform, tool: RegisteredTool, item: Record<string, unknown>): void {
  const lineItem = item.lineItem as Record<string, unknown> | undefined;
  if (item.type !== 'ltiResourceLink' || !lineItem || typeof lineItem.scoreMaximum !== 'number') return;
  const id = String(Math.max(0, ...p.course.activities.map((a) => Number(a.id))) + 1);
  p.course.activities.push({
    id,
    label: String(lineItem.label ?? item.title ?? 'Untitled'),
    scoreMaximum: lineItem.scoreMaximum,
    ...(typeof lineItem.tag === 'string' ? { tag: lineItem.tag } : {}),
    ...(typeof lineItem.resourceId === 'string' ? { resourceId: lineItem.resourceId } : {}),
    resourceLinkId: p.flavour === 'canvas' ? uuid(`link:${p.course.id}:dl:${id}`) : String(1000 + Number(id)),
    ags: true,
    clientId: tool.clientId,
  });
}
