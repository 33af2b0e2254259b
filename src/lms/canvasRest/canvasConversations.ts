/**
 * A private message in Canvas: a new conversation from the Canvas user whose grant Laurel holds
 * (an instructor of the course) to one person, through `POST /api/v1/conversations`
 * (instructure/canvas-lms app/controllers/conversations_controller.rb#create): `recipients[]` the
 * person's Canvas user id (whom the sender's address book must know: someone of a course they share,
 * or themselves, else 400 `[{"attribute":"recipients","message":"invalid"}]`), `subject`, `body`,
 * `force_new` (a conversation of its own rather than the thread they already share),
 * `group_conversation` false, and `context_code` the course. Canvas answers 201 with the list of
 * conversations it made. Through a developer key that enforces scopes the grant needs
 * `url:POST|/api/v1/conversations`, else Canvas answers 401 "Insufficient scopes on access token.":
 * Laurel asks it as an optional scope (canvasOAuth.ts) and sends only with a grant that carries it.
 */
import { listOf, record, text } from '../read.js';
import { LmsError } from '../errors.js';
import type { CanvasApi } from './canvasApi.js';

/** The refusal of a scoped key without the conversations scope, as Canvas words it (application_controller.rb). */
export const isInsufficientScope = (err: unknown) => err instanceof LmsError && err.status === 401 && /insufficient scopes/i.test(err.message);

/** Sends the message; answers the new conversation's id. Canvas's refusals throw as LmsErrors. */
export async function sendCanvasConversation(api: CanvasApi, o: { recipient: string; subject: string; body: string; courseId?: string }): Promise<string> {
  const answer = await api.post('/api/v1/conversations', {
    'recipients[]': [o.recipient], subject: o.subject.slice(0, 255), body: o.body, force_new: 'true', group_conversation: 'false',
    ...(o.courseId ? { context_code: `course_${o.courseId}` } : {}),
  });
  const made = record(listOf(answer, 'conversations', `${api.baseUrl}/api/v1/conversations`)[0]);
  const id = text(made.id);
  if (!id) throw new LmsError('bad_response', `Canvas answered the new conversation at ${api.baseUrl}/api/v1/conversations without its id.`);
  return id;
}
