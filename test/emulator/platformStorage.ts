/**
 * LTI Platform Storage (digest §7), as Canvas offers it: a hidden frame named
 * `post_message_forwarding` on the platform's origin keeps `lti.put_data` values per tool origin,
 * so a tool in a third-party iframe can bind `state` without cookies. The course page itself
 * answers `lti.capabilities`, telling the tool which frame to talk to. With Canvas's storage
 * frame off, the launch says `lti_storage_target=_parent` and the course page stores (Canvas's
 * ui/shared/lti/jquery/messages.ts runs the same put/get handlers in the page).
 *
 * The budget is Canvas's (ui/shared/lti/jquery/platform_storage.ts): per tool and page, 500 keys
 * and 4,096 characters (key plus value), every put counted, a put of a key already there
 * included; a put without a value clears the key and gives its share back
 * (subjects/lti.put_data.ts → clearData); past the budget, error `storage_exhaustion`.
 */
import type { Request, Response } from 'express';
import { page } from './html.js';
import type { Platform } from './platform.js';
import { toolOrigins } from './tools.js';

export const STORAGE_FRAME = 'post_message_forwarding';
export const STORAGE_FRAME_PATH = '/post_message_forwarding';
/** Where Canvas keeps a tool's values: its forwarding frame, or (frame off) the course page itself. */
export type StorageTarget = typeof STORAGE_FRAME | '_parent';
export const STORAGE_KEY_LIMIT = 500;
export const STORAGE_CHAR_LIMIT = 4096;

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
  var limits = {};
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
    var limit = limits[event.origin] || (limits[event.origin] = { keys: 0, chars: 0 });
    if (data.subject === 'lti.capabilities') {
      reply({ supported_messages: [
        { subject: 'lti.capabilities' },
        { subject: 'lti.put_data', frame: '${STORAGE_FRAME}' },
        { subject: 'lti.get_data', frame: '${STORAGE_FRAME}' }
      ] });
    } else if (withStorage && (data.subject === 'lti.put_data' || data.subject === 'lti.get_data')) {
      if (typeof data.key !== 'string' || data.key === '') {
        reply({ error: { code: 'bad_request', message: 'key is required' } });
      } else if (data.subject === 'lti.put_data' && !data.value) {
        if (own[data.key]) {
          limit.keys = Math.max(0, limit.keys - 1);
          limit.chars = Math.max(0, limit.chars - data.key.length - String(own[data.key]).length);
          delete own[data.key];
        }
        reply({ key: data.key });
      } else if (data.subject === 'lti.put_data') {
        var length = data.key.length + String(data.value).length;
        if (limit.keys >= ${STORAGE_KEY_LIMIT}) {
          reply({ error: { code: 'storage_exhaustion', message: 'Reached key limit for tool' } });
        } else if (limit.chars + length > ${STORAGE_CHAR_LIMIT}) {
          reply({ error: { code: 'storage_exhaustion', message: 'Reached byte limit for tool' } });
        } else {
          limit.keys++;
          limit.chars += length;
          own[data.key] = data.value;
          reply({ key: data.key, value: data.value });
        }
      } else {
        reply({ key: data.key, value: own[data.key] === undefined ? null : own[data.key] });
      }
    } else if (/^lti\\./.test(data.subject) && !/\\.response$/.test(data.subject)) {
      reply({ error: { code: 'unsupported_subject', message: 'Unsupported subject: ' + data.subject } });
    }
  });
})();`;
}
