/**
 * Deep Linking 2.0: an instructor adding Laurel to a module (Canvas link selection, Moodle's
 * "select content") gets a link to Laurel's course page back in the LMS, signed with
 * Laurel's key for that platform.
 */
import type { Request, Response } from 'express';
import type { LtijsToken } from 'ltijs';
import { lti } from '../../lti/provider.js';
import { audienceOf } from '../../lti/roles.js';
import { ROUTES } from '../../lti/scopes.js';
import { sendProblem } from '../shared/errorPage.js';

export function courseLinkItem(publicUrl: string) {
  return {
    type: 'ltiResourceLink',
    title: 'Badges',
    text: 'Badges you can earn in this course, and your progress toward them.',
    url: publicUrl + ROUTES.launch,
    custom: { laurel_page: 'course' },
  };
}

export function deepLinkingHandler(publicUrl: string) {
  return async (token: LtijsToken, req: Request, res: Response) => {
    const settings = token.platformContext.deepLinkingSettings;
    if (audienceOf(token.platformContext.roles) !== 'staff') {
      return sendProblem(req, res, { status: 403, reason: 'not_staff', key: 'deep_linking_not_staff', title: 'Only course staff add Laurel to a course', detail: 'Adding content needs an instructor, teaching assistant or content developer role.' });
    }
    if (!settings?.deep_link_return_url || !settings.accept_types?.includes('ltiResourceLink')) {
      return sendProblem(req, res, { status: 400, reason: 'deep_linking_unsupported', title: 'Laurel cannot be added here', detail: 'This placement does not accept LTI resource links.' });
    }
    let jwt: string;
    try {
      jwt = await lti.DeepLinking.createDeepLinkingMessage(token, [courseLinkItem(publicUrl)], { message: 'Laurel badges were added to your course.' });
    } catch (err) {
      // ltijs calls this handler without catching: an error here would leave the request hanging.
      req.log.error({ err }, 'could not sign the deep linking response');
      return sendProblem(req, res, { status: 500, reason: 'deep_linking_failed', title: 'Laurel could not answer the LMS', detail: 'The link could not be signed; the error was logged.', todo: 'Try adding Laurel again; if it persists, tell your administrator.' });
    }
    res.render('lti/deep-link-response', { jwt, returnUrl: settings.deep_link_return_url });
  };
}
