/**
 * Whether the Canvas grant a course is read through cannot send Laurel's messages as conversations:
 * given on a key that enforces scopes without url:POST|/api/v1/conversations (the key lacked it, or
 * the grant is older than Laurel asking for it). The course page then offers "Connect Canvas again",
 * as it does for the edit scope (awards/courseTotal.ts, lacksEditScope): once an administrator ticks
 * the scope on the key, connecting again carries it. The sender decides the same way
 * (messages/throughLms.ts, scopesSendConversations). Where Laurel sends e-mail, messages reach
 * learners anyway: the page then says nothing, rather than ask on every course of a school that
 * chose not to tick the scope.
 */
import type { CourseRecord } from '../../store/course.js';
import { scopesSendConversations } from '../../lms/canvasRest/canvasOAuth.js';
import { sendsEmail } from '../../awards/announce.js';
import { scopedCanvasGrant } from '../../awards/courseTotal.js';

export async function lacksConversationsScope(course: CourseRecord, grant = scopedCanvasGrant(course)): Promise<boolean> {
  // Awaited before anything else: the page shares this read, and it must never be left unawaited.
  const scoped = await grant;
  return !sendsEmail() && Boolean(scoped && !scopesSendConversations(true, scoped.scopes));
}
