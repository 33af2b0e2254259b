/**
 * Canvas's Conversations API, `POST /api/v1/conversations`, as canvas-lms
 * app/controllers/conversations_controller.rb#create answers it: `recipients[]` (Canvas user ids,
 * which the sender's address book must know: the people of a course they share, or themselves;
 * unknown ones are dropped by normalize_recipients), `subject`, `body`, `force_new`,
 * `group_conversation`, `context_code`. Refusals as render_error words them, 400 with
 * `[{"attribute":…,"message":…}]`: no recipients ("blank"), none known ("invalid"), no body
 * ("blank"), a context that is not the course ("invalid"). Success is 201 with the list of the
 * conversations made. A token of a key that enforces scopes needs `url:POST|/api/v1/conversations`
 * (401 otherwise, canvasOAuth.ts). What was sent is kept for tests to read.
 */
import express, { type Express, type RequestHandler, type Response } from 'express';
import { requireCanvasScope, requireCanvasToken, type CanvasToken } from './canvasOAuth.js';
import { throttleCanvasApi } from './canvasThrottle.js';
import type { SeedUser } from './course.js';
import type { Platform } from './platform.js';
import { logServiceRequests } from './serviceGuard.js';

export const CONVERSATIONS_SCOPE = 'url:POST|/api/v1/conversations';

export interface SentConversation {
  id: number;
  /** Canvas user ids. */
  senderId: string;
  recipientIds: string[];
  subject: string;
  body: string;
  contextCode?: string;
  forceNew: boolean;
  groupConversation: boolean;
  at: string;
}

const sent = new WeakMap<Platform, SentConversation[]>();

export function canvasConversationsOf(p: Platform): SentConversation[] {
  let list = sent.get(p);
  if (!list) sent.set(p, (list = []));
  return list;
}

export function mountCanvasConversations(app: Express, p: Platform): void {
  app.post('/api/v1/conversations', express.json(), logServiceRequests(p), requireCanvasToken(p), throttleCanvasApi(p), requireCanvasScope(p, CONVERSATIONS_SCOPE), createConversation(p));
}

/** Rails's value_to_boolean, near enough: "1", "true", "on", "yes" and true. */
const truthy = (v: unknown) => v === true || (typeof v === 'string' && ['1', 'true', 'on', 'yes'].includes(v.toLowerCase()));

/** A form's `name[]` (one value or several) or JSON's `name`. */
function listField(body: Record<string, unknown>, name: string): string[] {
  const v = body[`${name}[]`] ?? body[name];
  return (Array.isArray(v) ? v : v === undefined || v === '' ? [] : [v]).map(String).flatMap((s) => s.split(','));
}

function refuse(res: Response, attribute: string, message: string): void {
  res.status(400).json([{ attribute, message }]);
}

function createConversation(p: Platform): RequestHandler {
  return (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const sender = (res.locals.canvasToken as CanvasToken).user;
    const asked = listField(body, 'recipients');
    if (!asked.length) return refuse(res, 'recipients', 'blank');
    const known = addressBook(p, sender);
    let recipients = [...new Set(asked)].map((id) => known.get(id)).filter((u): u is SeedUser => Boolean(u));
    // Nobody writes to themselves among others; alone, it is a note to self (a monologue).
    if (!(recipients.length === 1 && recipients[0] === sender)) recipients = recipients.filter((u) => u !== sender);
    if (!recipients.length) return refuse(res, 'recipients', 'invalid');
    const text = typeof body.body === 'string' ? body.body : '';
    if (!text.trim()) return refuse(res, 'body', 'blank');
    const contextCode = typeof body.context_code === 'string' && body.context_code ? body.context_code : undefined;
    if (contextCode && contextCode !== `course_${p.course.id}`) return refuse(res, 'context_code', 'invalid');
    const subject = typeof body.subject === 'string' ? body.subject.slice(0, 255) : '';
    const list = canvasConversationsOf(p);
    const groupConversation = truthy(body.group_conversation);
    // Private messages to several are a batch: one conversation each (ConversationBatch).
    const made = (groupConversation ? [recipients] : recipients.map((r) => [r])).map((audience) => {
      const c: SentConversation = {
        id: 7000 + list.length, senderId: sender.lmsId, recipientIds: audience.map((u) => u.lmsId), subject, body: text, ...(contextCode ? { contextCode } : {}),
        forceNew: truthy(body.force_new), groupConversation, at: new Date().toISOString(),
      };
      list.push(c);
      return conversationJson(p, c, sender, audience);
    });
    res.status(201).json(made);
  };
}

/** Whom the sender may write to: the people of the course, when they are in it themselves (AddressBook#known_users), and themselves. */
function addressBook(p: Platform, sender: SeedUser): Map<string, SeedUser> {
  const inCourse = p.course.users.some((u) => u === sender && u.status !== 'Deleted' && u.enrolled !== false);
  const people = inCourse ? p.course.users.filter((u) => u.status !== 'Deleted' && u.enrolled !== false) : [sender];
  return new Map([...people, sender].map((u) => [u.lmsId, u]));
}

/** conversation_json as the sender sees it (lib/api/v1/conversation.rb). */
function conversationJson(p: Platform, c: SentConversation, sender: SeedUser, audience: SeedUser[]) {
  return {
    id: c.id,
    subject: c.subject,
    workflow_state: 'read',
    last_message: c.body.slice(0, 100),
    last_message_at: c.at,
    last_authored_message: c.body.slice(0, 100),
    last_authored_message_at: c.at,
    message_count: 1,
    subscribed: true,
    private: audience.length === 1,
    starred: false,
    properties: ['last_author'],
    audience: audience.map((u) => Number(u.lmsId)),
    audience_contexts: { courses: { [p.course.id]: [] }, groups: {} },
    avatar_url: `${p.url}/images/messages/avatar-50.png`,
    participants: [sender, ...audience.filter((u) => u !== sender)].map((u) => ({ id: Number(u.lmsId), name: u.name, full_name: u.name })),
    visible: true,
    context_name: p.course.title,
  };
}
