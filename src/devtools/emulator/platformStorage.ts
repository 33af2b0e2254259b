/**
 * LTI Platform Storage (digest §7), as Canvas offers it: a hidden frame named
 * `post_message_forwarding` on the platform's origin keeps `lti.put_data` values per tool origin,
 * so a tool in a third-party iframe can bind `state` without cookies. The course page itself
 * answers `lti.capabilities`, telling the tool which frame to talk to.
 */
import type { Request, Response } from 'express';
import { page } from './html.js';
import type { Platform } from './platform.js';
import { toolOrigins } from './tools.js';

export const STORAGE_FRAME = 'post_message_forwarding';
export const STORAGE_FRAME_PATH = '/post_message_forwarding';

/** The storage frame's page. */
export function storageFrame(p: Platform) {
  return (_req: Request, res: Response) => {
    res.type('html').send(page('Platform storage', `<script>${storageScript(toolOrigins(p), true)}</script>`));
  };
}

/**
 * The postMessage handler. Answers only the registered tools' origins and keeps each origin's
 * data apart; `withStorage` false answers capabilities only (the course page).
 */
export function storageScript(allowedOrigins: string[], withStorage: boolean): string {
  return `(function () {
  var allowed = ${JSON.stringify(allowedOrigins)};
  var withStorage = ${withStorage};
  var store = {};
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || typeof data !== 'object' || typeof data.subject !== 'string') return;
    if (allowed.indexOf(event.origin) < 0) return;
    function reply(body) {
      var answer = { subject: data.subject + '.response', message_id: data.message_id };
      for (var k in body) answer[k] = body[k];
      event.source.postMessage(answer, event.origin);
    }
    var own = store[event.origin] || (store[event.origin] = {});
    if (data.subject === 'lti.capabilities') {
      reply({ supported_messages: [
        { subject: 'lti.capabilities' },
        { subject: 'lti.put_data', frame: '${STORAGE_FRAME}' },
        { subject: 'lti.get_data', frame: '${STORAGE_FRAME}' }
      ] });
    } else if (withStorage && (data.subject === 'lti.put_data' || data.subject === 'lti.get_data')) {
      if (typeof data.key !== 'string' || data.key === '') {
        reply({ error: { code: 'bad_request', message: 'key is required' } });
      } else if (data.subject === 'lti.put_data') {
        own[data.key] = data.value;
        reply({ key: data.key, value: data.value });
      } else {
        reply({ key: data.key, value: own[data.key] });
      }
    } else if (/^lti\\./.test(data.subject) && !/\\.response$/.test(data.subject)) {
      reply({ error: { code: 'unsupported_subject', message: 'Unsupported subject: ' + data.subject } });
    }
  });
})();`;
}
