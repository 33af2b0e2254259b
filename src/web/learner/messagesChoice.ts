/**
 * The learner's choice of Laurel's messages, from their page: on (the default) or off, kept per
 * person and registration (store/messageRecipient.ts), so it holds in every course of theirs on
 * that LMS. The sender reads it before each message.
 */
import type { Request, Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { messageRecipientOf, setMessagesOff } from '../../store/messageRecipient.js';
import { expiryReminderDays } from '../../awards/announce.js';
import { courseOf } from '../shared/courseContext.js';
import { pageView } from '../shared/pageView.js';

const personOf = (token: LtijsToken) => ({ issuer: token.iss, clientId: token.clientId, userId: token.user });

/** What the page's "Messages from Laurel" section shows. */
export async function messagesChoiceView(token: LtijsToken): Promise<{ off: boolean; reminderDays: number }> {
  return { off: Boolean((await messageRecipientOf(personOf(token)))?.messagesOff), reminderDays: expiryReminderDays() };
}

/** POST /me/messages `messages=off|on`: anything but "off" turns them on. */
export async function chooseMessages(req: Request, res: Response): Promise<void> {
  const { token } = courseOf(res);
  const off = (req.body as Record<string, string | undefined>).messages === 'off';
  await setMessagesOff(personOf(token), off);
  req.log.info({ courseKey: courseOf(res).course.courseKey, messagesOff: off }, 'message choice saved');
  res.redirect(303, `/me?${pageView(res).q}&note=${off ? 'messagesOff' : 'messagesOn'}`);
}
