/**
 * Starting a launch: the page a user opens in the course (tool in an iframe), and the OIDC
 * third-party login initiation it sends to the tool (digest §1 step 1). Canvas initiates by a GET
 * redirect carrying `lti_storage_target`; Moodle by an auto-submitted form POST.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { loginHintFor } from './flavours.js';
import { autoSubmitForm, errorPage, escapeHtml, page } from './html.js';
import { signJwt } from './keys.js';
import { findUser, type LaunchSession, type LtiMessageType, type PendingLaunch, type Platform } from './platform.js';
import { STORAGE_FRAME, STORAGE_FRAME_PATH, storageScript } from './platformStorage.js';
import { findTool, toolOrigins } from './tools.js';

export const LAUNCH_PATH = '/emulator/launch';
const PENDING_LAUNCH_SECONDS = 600;

export interface LaunchUrlOptions {
  userId: string;
  clientId: string;
  message?: LtiMessageType;
  resourceLinkId?: string;
  targetLinkUri?: string;
  /** Show the course page with the tool in an iframe (default); false: go straight to login initiation. */
  embed?: boolean;
  /** The user's language as the LMS sends it (Canvas "fr-CA", Moodle "fr_ca"); default "en". */
  locale?: string;
  /** Who is signed in to Canvas in the browser when the tool sends its auth request (default: the launch's user). */
  session?: LaunchSession;
}

export function launchUrl(p: Platform, o: LaunchUrlOptions): string {
  const q = new URLSearchParams({ user: o.userId, client_id: o.clientId, message: o.message ?? 'LtiResourceLinkRequest', embed: o.embed === false ? '0' : '1' });
  if (o.resourceLinkId) q.set('rlid', o.resourceLinkId);
  if (o.targetLinkUri) q.set('target', o.targetLinkUri);
  if (o.locale) q.set('locale', o.locale);
  if (o.session && o.session !== 'user') q.set('session', o.session);
  return `${p.url}${LAUNCH_PATH}?${q}`;
}

export function launchHandler(p: Platform) {
  return async (req: Request, res: Response) => {
    const q = req.query as Record<string, string | undefined>;
    const user = findUser(p, q.user);
    const tool = findTool(p, q.client_id);
    const message = q.message === 'LtiDeepLinkingRequest' ? 'LtiDeepLinkingRequest' : 'LtiResourceLinkRequest';
    if (!user || !tool) {
      res.status(400).type('html').send(errorPage('Cannot launch', !user ? `No user ${q.user} in this course.` : `No tool with client id ${q.client_id}.`));
      return;
    }
    if (q.embed !== '0') {
      const frameUrl = new URL(req.originalUrl, p.url);
      frameUrl.searchParams.set('embed', '0');
      res.type('html').send(coursePage(p, user.name, tool.name, frameUrl.toString()));
      return;
    }

    const launch: PendingLaunch = {
      user,
      tool,
      message,
      resourceLinkId: q.rlid,
      targetLinkUri: q.target ?? (message === 'LtiDeepLinkingRequest' ? tool.deepLinkingUri ?? tool.targetLinkUri : tool.targetLinkUri),
      locale: q.locale || 'en',
      loginHint: loginHintFor(p.flavour, user),
      session: q.session === 'none' || q.session === 'other_user' ? q.session : 'user',
      expiresAt: Date.now() + PENDING_LAUNCH_SECONDS * 1000,
    };
    for (const [hint, pending] of p.pendingLaunches) if (pending.expiresAt < Date.now()) p.pendingLaunches.delete(hint);
    const messageHint = await newMessageHint(p, launch.locale);
    p.pendingLaunches.set(messageHint, launch);

    const params: Record<string, string> = {
      iss: p.issuer,
      login_hint: launch.loginHint,
      target_link_uri: launch.targetLinkUri,
      lti_message_hint: messageHint,
      client_id: tool.clientId,
      lti_deployment_id: tool.deploymentId,
    };
    if (p.flavour === 'canvas') {
      Object.assign(params, { canvas_environment: 'prod', canvas_region: 'not_configured', lti_storage_target: p.storageTarget });
      const target = new URL(tool.initiateLoginUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      res.redirect(302, target.toString());
    } else {
      res.type('html').send(autoSubmitForm(tool.initiateLoginUri, params));
    }
  };
}

/** Canvas's message hint is a short-lived signed JWT; Moodle's a small JSON object. Both are opaque to the tool. */
async function newMessageHint(p: Platform, locale: string): Promise<string> {
  const launchId = randomBytes(8).toString('hex');
  if (p.flavour === 'canvas') {
    const exp = Math.floor(Date.now() / 1000) + PENDING_LAUNCH_SECONDS;
    return signJwt(p.keys, { verifier: launchId, canvas_domain: new URL(p.url).host, context_type: 'Course', context_id: p.course.id, canvas_locale: locale, include_storage_target: true, exp });
  }
  return JSON.stringify({ cmid: Number(p.course.id) * 10, launchid: `ltilaunch_${launchId}` });
}

/** The course page around the tool's iframe; Canvas adds its hidden Platform Storage frame. */
function coursePage(p: Platform, userName: string, toolName: string, frameSrc: string): string {
  const canvas = p.flavour === 'canvas';
  const frameName = canvas ? 'tool_content' : 'contentframe';
  const framed = p.storageTarget === STORAGE_FRAME;
  const storage = !canvas ? ''
    // Cloud Canvas's storage frame lives on the OIDC login host, the origin tools address
    // (canvas-lms app/controllers/lti/platform_storage_controller.rb redirects it there).
    : framed ? `<iframe name="${STORAGE_FRAME}" src="${p.sso}${STORAGE_FRAME_PATH}" title="" hidden></iframe>
<script>${storageScript(toolOrigins(p), false)}</script>`
    // The storage frame off: the course page keeps the values itself.
    : `<script>${storageScript(toolOrigins(p), true)}</script>`;
  const header = `<header style="background:${canvas ? '#394b58' : '#0f47ad'};color:#fff;padding:.6rem 2rem;display:flex;justify-content:space-between">
<strong>${escapeHtml(p.course.label)} · ${escapeHtml(p.course.title)}</strong><span>${escapeHtml(userName)}</span></header>`;
  return page(`${toolName} – ${p.course.label}`, `${header}
<main><h2>${escapeHtml(toolName)}</h2>
<iframe name="${frameName}" id="${frameName}" src="${escapeHtml(frameSrc)}" title="${escapeHtml(toolName)}"
  style="width:100%;height:80vh;border:1px solid #ccc" allow="clipboard-write"></iframe></main>
${storage}`);
}
