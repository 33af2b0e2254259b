/**
 * The public verification page of an award: what an employer opens from a shared link. The
 * status comes from verifying the stored credential as an outside verifier would (kept a few
 * minutes per award, and checked again at once when its status list changes).
 */
import { Router } from 'express';
import { credentialUrls } from '../../credentials/urls.js';
import { verifyAwardCached } from '../../awards/verificationCache.js';
import { noteEngagement } from '../../store/engagement.js';
import { sendProblem } from '../shared/errorPage.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { pageTranslator } from '../shared/pageLanguage.js';
import { issuedAmong } from '../../store/issuedCredential.js';
import { removalNote } from '../../privacy/removal/removalNote.js';

export function verifyPage(base: string): Router {
  const router = Router();
  router.get('/verify/:id', asyncRoute(async (req, res) => {
    const found = await verifyAwardCached(base, req.params.id);
    if (!found) return sendProblem(req, res, { status: 404, reason: 'unknown_credential', title: 'No such badge', detail: 'This link names no badge Laurel issued. Check that it was copied whole.' });
    const { issued, verification, award } = found;
    if (req.query.via === 'share' && award) await noteEngagement('shared', [award]);
    const { achievement, issuer, recipient, award: facts } = issued.facts;
    const urls = credentialUrls(base, issued.publicId);
    // A credential since renewed: the page says so and links the latest (once it is signed).
    const latest = award?.renewal && award.renewal.publicId !== issued.publicId && (await issuedAmong([award.renewal.publicId])).length ? award.renewal : undefined;
    // The page is in the reader's language (Accept-Language); the credential itself stays as signed.
    const tr = pageTranslator(res);
    const { date } = tr;
    res.set('Cache-Control', 'no-cache');
    res.set('Vary', 'Accept-Language');
    res.render('public/verify', {
      achievement, issuer, urls,
      status: verification.status,
      errors: verification.errors,
      revocationReason: verification.status === 'revoked' ? award?.revocationReason : undefined,
      // The learner's data was erased at their request: the credential stays theirs, as the page says.
      erasedOn: award?.erasedAt ? date(award.erasedAt) : undefined,
      recipientName: award?.showName ? recipient.name ?? award.recipient?.name : undefined,
      awardedAt: date(facts.awardedAt), awardedAtIso: facts.awardedAt.toISOString(),
      validUntil: facts.validUntil ? date(facts.validUntil) : '',
      renewedOn: facts.validFrom ? date(facts.validFrom) : '',
      removed: await removalNote(award, issued.issuerKey, verification.status, tr),
      latest: latest && { page: credentialUrls(base, latest.publicId).page, renewedOn: date(latest.renewedAt), validUntil: date(latest.validUntil) },
      og: { title: `${achievement.name} — ${issuer.name}`, description: achievement.description, image: achievement.imageUrl, url: urls.page },
    });
  }));
  return router;
}
