/**
 * "Add to a wallet", for one of the learner's signed badges: an OpenID4VCI credential offer (the
 * protocol of most wallets) and a VC-API exchange (the DCC Learner Credential Wallet), each as a
 * QR code that a phone scans from this screen and as a link that a phone's browser opens. Made
 * when the learner asks (a POST), each for this award and this learner only, single-use, and
 * expiring in minutes: a page left open hands nothing to whoever passes by later.
 *
 * The badge is the session's learner's own: of the session's course, or of another course of
 * theirs on the same platform (all their badges, /me/all): one they launched as a learner, by
 * their person key, whose record names the session's registration. The same LTI user id on
 * another registration is another person.
 */
import type { Request, Response } from 'express';
import QRCode from 'qrcode';
import { awardOf } from '../../store/award.js';
import { credentialByPublicId } from '../../store/issuedCredential.js';
import { createCredentialOffer } from '../../wallets/oid4vci/offer.js';
import { createExchange } from '../../wallets/vcApi/exchange.js';
import { findCourse } from '../../store/course.js';
import { isLearnerCourse } from '../../store/learnerCourse.js';
import { latestCredential } from '../../awards/renewal.js';
import { courseOf } from '../shared/courseContext.js';
import { pageView } from '../shared/pageView.js';
import { ALL_BADGES, personOf } from './allBadgesPage.js';

/** A QR code as inline SVG: no image request, nothing for the CSP to allow. */
function qrSvg(text: string): Promise<string> {
  // Level L: the offers are long, and a screen shows them sharp; a larger code scans less well.
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
}

/** Whether a course other than the session's is one of this learner's, on the session's registration. */
async function anotherCourseOfTheirs(res: Response, courseKey: string): Promise<boolean> {
  const person = personOf(res);
  if (!(await isLearnerCourse(person, courseKey))) return false;
  const other = await findCourse(courseKey);
  return other?.issuer === person.issuer && other.clientId === person.clientId;
}

export async function walletPage(req: Request, res: Response): Promise<void> {
  const { course, token } = courseOf(res);
  const named = await credentialByPublicId(String(req.params.id));
  const theirs = named !== null && named.userId === token.user
    && (named.courseKey === course.courseKey || await anotherCourseOfTheirs(res, named.courseKey));
  const award = named && theirs ? await awardOf(named.courseKey, named.badgeId, named.userId) : null;
  // A renewed badge goes to the wallet as its latest credential.
  const issued = award && (await latestCredential(award));
  if (!issued || award?.status !== 'awarded') {
    res.status(404).render('error', { problem: { status: 404, reason: 'award_not_found', title: 'No such badge of yours', detail: 'It may have been revoked.' } });
    return;
  }
  const [offer, exchange] = await Promise.all([createCredentialOffer(issued, { txCode: true }), createExchange(issued)]);
  res.set('Cache-Control', 'no-store');
  res.render('course/wallet', {
    ...pageView(res),
    // Back where the learner asked: all their badges, or the course's page.
    back: (req.body as Record<string, unknown> | undefined)?.from === 'all' ? ALL_BADGES : '/me',
    badgeName: issued.facts.achievement.name,
    image: issued.facts.achievement.imageUrl,
    oid4vci: { link: offer.offerUri, qr: await qrSvg(offer.offerUri), txCode: offer.txCode, expiresAt: offer.expiresAt },
    lcw: { link: exchange.walletUrl, qr: await qrSvg(exchange.walletUrl), expiresAt: exchange.expiresAt },
  });
}
