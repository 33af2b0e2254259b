/**
 * A learner's public page of badges, at the unguessable address they published (store/
 * publicProfile.ts), with the verification page's privacy: their name only if they chose to show
 * it, no grades nor reasons, no course, and a revoked badge shown as revoked with its reason.
 * Each badge links to its verification page, where it is checked as an outsider would. A page
 * its learner withdrew is gone (410), whatever it showed. Every read is by key.
 */
import { Router } from 'express';
import { credentialUrls } from '../../credentials/urls.js';
import { badgeState } from '../../awards/badgeState.js';
import { awardOf } from '../../store/award.js';
import { credentialsOfAwards } from '../../store/issuedCredential.js';
import { issuerKeyOf } from '../../store/issuerProfile.js';
import { publicProfileById } from '../../store/publicProfile.js';
import { sendProblem } from '../shared/errorPage.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { pageTranslator } from '../shared/pageLanguage.js';

export const PROFILE_PATH = '/profiles';

export function profilePage(base: string): Router {
  const router = Router();
  router.get(`${PROFILE_PATH}/:id`, asyncRoute(async (req, res) => {
    const profile = await publicProfileById(req.params.id!);
    if (!profile) return sendProblem(req, res, { status: 404, reason: 'unknown_profile', title: 'No such page of badges', detail: 'This link names no page of badges. Check that it was copied whole.' });
    if (profile.withdrawnAt) return sendProblem(req, res, { status: 410, reason: 'profile_withdrawn', title: 'This page of badges was withdrawn', detail: 'Its owner stopped publishing it.', todo: 'Ask them for a link to their badges.' });
    // Only the profile owner's own credentials, from their registration's issuer: whatever the document holds.
    const issuerKey = issuerKeyOf({ issuer: profile.issuer, clientId: profile.clientId });
    const credentials = (await credentialsOfAwards(profile.awardIds)).filter((c) => c.userId === profile.userId && c.issuerKey === issuerKey);
    const awards = await Promise.all(credentials.map((c) => awardOf(c.courseKey, c.badgeId, c.userId)));
    const { date } = pageTranslator(res);
    const now = new Date();
    const badges = credentials.map((c, i) => {
      const award = awards[i];
      const { achievement, issuer, award: facts } = c.facts;
      const state = badgeState(award?.status === 'revoked' ? 'revoked' : 'awarded', facts.validUntil, now);
      return {
        id: c.publicId, achievement, issuer, state,
        awardedAt: date(facts.awardedAt), awardedAtIso: facts.awardedAt.toISOString(),
        validUntil: facts.validUntil ? date(facts.validUntil) : '',
        revocationReason: state === 'revoked' ? award?.revocationReason : undefined,
        page: credentialUrls(base, c.publicId).page,
      };
    });
    res.set('Cache-Control', 'no-cache');
    res.set('Vary', 'Accept-Language');
    // Found by its address only: search engines leave it out, as the learner shares it by hand.
    res.set('X-Robots-Tag', 'noindex');
    res.render('public/profile', { name: profile.showName ? profile.name : undefined, badges });
  }));
  return router;
}
