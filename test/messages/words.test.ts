/**
 * What Laurel's messages say, and what it says when one fails, in both languages: each kind of
 * message has a subject, a text and an HTML part that escapes what instructors and learners typed;
 * each failure's English sentence is the catalogue's, and French says it in French. What an LMS or
 * an SMTP server said is kept without the person's address or name.
 */
import { describe, expect, it } from 'vitest';
import { composeMessage, type MessageFacts } from '../../src/messages/compose.js';
import { failures, withoutPerson } from '../../src/messages/failures.js';
import { translator } from '../../src/i18n/translate.js';
import { en } from '../../src/i18n/en.js';

const english = translator('en');
const french = translator('fr');
const link = 'https://badges.school.test/verify/abc';
const at = new Date('2027-03-01T10:00:00Z');

const every: MessageFacts[] = [
  { kind: 'awarded', badge: 'Safety <Star>', course: 'Chemistry & Co', link },
  { kind: 'awarded', badge: 'Field notes', course: 'Biology' },
  { kind: 'pending', badge: 'Honours', course: 'Biology' },
  { kind: 'revoked', badge: 'Honours', course: 'Biology', reason: 'Copied <b>work</b>', at, link },
  { kind: 'expiring', badge: 'Honours', course: 'Biology', link, until: at },
  { kind: 'digest', course: 'Biology', waiting: [{ badge: 'Honours', learner: 'Ada Lovelace' }, { badge: 'Honours', learner: 'Alan Turing' }] },
];

describe('the messages', () => {
  it('each kind has a subject, a text part and an HTML part in English and French, the same link in both parts', () => {
    for (const facts of every) {
      for (const tr of [english, french]) {
        const m = composeMessage(facts, tr);
        expect(m.subject).not.toMatch(/^message\./);
        expect(m.text).not.toMatch(/message\.\w/); // no key left unsaid
        expect(m.html).toContain(`<html lang="${tr.locale}">`);
        if ('link' in facts && facts.link) {
          expect(m.text).toContain(facts.link);
          expect(m.html).toContain(`<a href="${facts.link}">${facts.link}</a>`);
        }
      }
      expect(composeMessage(facts, french).text).not.toBe(composeMessage(facts, english).text);
    }
  });

  it('says each in the reader\'s words: the award, its wait, its revocation with the reason, its end, the digest\'s count', () => {
    expect(composeMessage(every[0]!, english).subject).toBe('You earned the badge “Safety <Star>”');
    expect(composeMessage(every[0]!, french).subject).toBe('Vous avez obtenu le badge « Safety <Star> »');
    expect(composeMessage(every[1]!, english).text).toContain('It asks for evidence of your work');
    expect(composeMessage(every[2]!, french).subject).toBe('« Honours » attend l\'approbation de votre enseignant');
    expect(composeMessage(every[3]!, english).text).toContain('The reason given: Copied <b>work</b>');
    expect(composeMessage(every[4]!, french).subject).toBe('Votre badge « Honours » expire le 1 mars 2027');
    expect(composeMessage(every[5]!, english).subject).toBe('2 awards wait for your approval in Biology');
    expect(composeMessage({ kind: 'digest', course: 'Biology', waiting: [{ badge: 'Honours', learner: 'Ada' }] }, french).subject).toBe('1 attribution attend votre approbation dans Biology');
    expect(composeMessage(every[5]!, english).text).toContain('- Honours: Ada Lovelace\n- Honours: Alan Turing');
  });

  it('escapes in the HTML part what people typed', () => {
    const html = composeMessage(every[3]!, english).html;
    expect(html).toContain('Copied &lt;b&gt;work&lt;/b&gt;');
    expect(html).not.toContain('<b>work</b>');
    expect(composeMessage(every[0]!, english).html).toContain('Safety &lt;Star&gt;');
  });
});

describe('why a message failed', () => {
  const all = [
    failures.moodleCapability('moodle/site:sendmessage'), failures.moodleFunction(), failures.moodleMessagingOff(),
    failures.moodleRecipient('12', 'You can\'t message this user.'), failures.canvasScope(), failures.canvasNoGrant(), failures.canvasNoId(),
    failures.canvasRecipient('recipients: invalid'), failures.lmsFailed('down'), failures.emailFailed('550 no such user'), failures.noAddress(), failures.nowhere(),
  ];

  it('is said in English exactly as the catalogue says it, and in French from the catalogue', () => {
    for (const p of all) {
      expect(english.t(`messageFailure.${p.code}` as keyof typeof en, p.params)).toBe(p.message);
      expect(french.has(`messageFailure.${p.code}`)).toBe(true);
      expect(french.tOr(`messageFailure.${p.code}`, p.message, p.params)).not.toBe(p.message);
    }
    const keys = Object.keys(en).filter((k) => k.startsWith('messageFailure.')).map((k) => k.slice('messageFailure.'.length)).sort();
    expect([...new Set(all.map((p) => p.code))].sort()).toEqual(keys);
  });

  it('keeps what a server said without the person\'s address or name, on one line', () => {
    expect(withoutPerson('550 5.1.1 <ada.lovelace@school.test>: Recipient\n address rejected (Ada Lovelace)', ['ada.lovelace@school.test', 'Ada Lovelace']))
      .toBe('550 5.1.1 <[recipient]>: Recipient address rejected ([recipient])');
    expect(withoutPerson('relay bounce@relay.test refused', [])).toBe('relay [recipient] refused');
  });
});
