/**
 * What each message says, in its reader's language: a subject, a plain-text body (what the LMS's
 * messages and the e-mail's text part carry) and a simple HTML body for e-mail. Pure: the facts
 * come in, the words go out, from the catalogues (i18n/), every value escaped in the HTML.
 */
import { escapeHtml, type Translator } from '../i18n/translate.js';
import type { MessageKey } from '../i18n/en.js';

/** What a message is about, as the sender found it when sending. */
export type MessageFacts =
  /** No link while the badge waits for the learner's evidence: its credential is signed once they add some. */
  | { kind: 'awarded'; badge: string; course: string; link?: string }
  | { kind: 'pending'; badge: string; course: string }
  /** No link when it was revoked before its credential was signed. */
  | { kind: 'revoked'; badge: string; course: string; link?: string; reason: string; at: Date }
  | { kind: 'expiring'; badge: string; course: string; link: string; until: Date }
  | { kind: 'digest'; course: string; waiting: { badge: string; learner: string }[] };

export interface ComposedMessage { subject: string; text: string; html: string }

/** One paragraph: its words, and the link it ends with (made a link in HTML). */
interface Paragraph { key: MessageKey; params?: Record<string, string | number>; link?: string; list?: string[] }

export function composeMessage(facts: MessageFacts, tr: Translator): ComposedMessage {
  const { subject, paragraphs } = wordsOf(facts, tr);
  const footer: Paragraph = { key: facts.kind === 'digest' ? 'message.footer.staff' : 'message.footer.learner' };
  const all: Paragraph[] = [{ key: 'message.greeting' }, ...paragraphs, footer];
  const text = all.map((p) => [tr.t(p.key, p.params), ...(p.list ?? []).map((item) => `- ${item}`)].join('\n')).join('\n\n');
  const html = [
    `<!DOCTYPE html><html lang="${tr.locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
    ...all.map((p) => htmlOf(p, tr)),
    '</body></html>',
  ].join('\n');
  return { subject, text: `${text}\n`, html };
}

function wordsOf(f: MessageFacts, tr: Translator): { subject: string; paragraphs: Paragraph[] } {
  switch (f.kind) {
    case 'awarded':
      return {
        subject: tr.t('message.awarded.subject', { badge: f.badge }),
        paragraphs: [
          { key: 'message.awarded.body', params: { badge: f.badge, course: f.course } },
          ...(f.link ? [{ key: 'message.awarded.link', params: { link: f.link }, link: f.link }, { key: 'message.awarded.more' }] as Paragraph[] : [{ key: 'message.awarded.evidence' } as Paragraph]),
        ],
      };
    case 'pending':
      return {
        subject: tr.t('message.pending.subject', { badge: f.badge }),
        paragraphs: [{ key: 'message.pending.body', params: { badge: f.badge, course: f.course } }],
      };
    case 'revoked':
      return {
        subject: tr.t('message.revoked.subject', { badge: f.badge }),
        paragraphs: [
          { key: 'message.revoked.body', params: { badge: f.badge, course: f.course, date: tr.date(f.at) } },
          { key: 'message.revoked.reason', params: { reason: f.reason } },
          ...(f.link ? [{ key: 'message.revoked.link', params: { link: f.link }, link: f.link } as Paragraph] : []),
        ],
      };
    case 'expiring':
      return {
        subject: tr.t('message.expiring.subject', { badge: f.badge, date: tr.date(f.until) }),
        paragraphs: [
          { key: 'message.expiring.body', params: { badge: f.badge, course: f.course, date: tr.date(f.until) } },
          { key: 'message.expiring.link', params: { link: f.link }, link: f.link },
        ],
      };
    case 'digest':
      return {
        subject: tr.tn('message.digest.subject', f.waiting.length, { course: f.course }),
        paragraphs: [
          { key: 'message.digest.body', params: { course: f.course }, list: f.waiting.map((w) => tr.t('message.digest.item', w)) },
          { key: 'message.digest.todo' },
        ],
      };
  }
}

/** A paragraph in HTML: the text escaped, its link (the last thing it says) made a link, its list a list. */
function htmlOf(p: Paragraph, tr: Translator): string {
  const text = tr.t(p.key, p.params);
  let body = escapeHtml(text);
  if (p.link && text.endsWith(p.link)) {
    body = `${escapeHtml(text.slice(0, text.length - p.link.length))}<a href="${escapeHtml(p.link)}">${escapeHtml(p.link)}</a>`;
  }
  const list = p.list?.length ? `\n<ul>${p.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>` : '';
  return `<p>${body}</p>${list}`;
}
