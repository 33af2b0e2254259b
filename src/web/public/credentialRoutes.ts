/**
 * An award's public documents: the OB 3.0 credential (JSON with its proof, and its VC-JWTs:
 * RS256 at `.jwt`, EdDSA at `.eddsa.jwt`), the award's latest credential (its refresh service), the
 * OB 2.0 hosted Assertion, and both baked into PNG and SVG for download; the badge definition
 * (Achievement, as JSON-LD or as a page for people; BadgeClass) and its image. Ids are
 * unguessable; nothing here needs a session.
 */
import { Router, type Request, type Response } from 'express';
import { credentialUrls, issuerUrls } from '../../credentials/urls.js';
import { achievementDocument } from '../../credentials/achievementDocument.js';
import { ob2Assertion, ob2BadgeClass } from '../../credentials/ob2.js';
import { bakePng } from '../../credentials/baking/png.js';
import { bakeSvg } from '../../credentials/baking/svg.js';
import { achievementImage } from '../../awards/achievementImage.js';
import { eddsaVcJwt } from '../../awards/eddsaVcJwt.js';
import { credentialByPublicId, latestOfAchievement, type IssuedCredential } from '../../store/issuedCredential.js';
import { awardById, awardOf } from '../../store/award.js';
import { latestCredential } from '../../awards/renewal.js';
import { noteEngagement } from '../../store/engagement.js';
import { badgeImageBySha } from '../../store/badgeImage.js';
import { sendProblem } from '../shared/errorPage.js';
import { sendUploadedImage } from '../shared/uploadedImage.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { sendPublicFile, sendPublicJson, sharePublicly } from './publicJson.js';

/** `abc.png` → ['abc', 'png']; ids themselves never hold a dot. */
function splitFile(file: string): [string, string] {
  const dot = file.indexOf('.');
  return dot < 0 ? [file, ''] : [file.slice(0, dot), file.slice(dot + 1)];
}

async function ob2AssertionOf(base: string, issued: IssuedCredential) {
  const award = await awardOf(issued.courseKey, issued.badgeId, issued.userId);
  const { issuer, achievement, recipient, award: facts } = issued.facts;
  return ob2Assertion({ base, issuer, achievement, recipient, award: facts, ...(award?.status === 'revoked' ? { revoked: { reason: award.revocationReason ?? 'Revoked by the issuer' } } : {}) });
}

export function credentialRoutes(base: string): Router {
  const router = Router();
  const notFound = (req: Request, res: Response) => sendProblem(req, res, { status: 404, reason: 'unknown_credential', title: 'No such badge', detail: 'This link names no badge Laurel issued. Check that it was copied whole.' });

  router.get('/credentials/:file', asyncRoute(async (req, res) => {
    const [id, ext] = splitFile(req.params.file!);
    const issued = await credentialByPublicId(id);
    if (!issued) return notFound(req, res);
    const name = issued.facts.achievement.name.replace(/[^\w -]+/g, '').trim() || 'badge';
    // The learner page's download links say so: what the instructor's figures count as downloaded.
    const download = req.query.download !== undefined;
    if (download && ['json', 'jwt', 'eddsa.jwt', 'png', 'svg'].includes(ext)) await noteEngagement('downloaded', [{ id: issued.publicId, courseKey: issued.courseKey, badgeId: issued.badgeId }]);
    switch (ext) {
      case '': case 'json':
        if (download) res.attachment(`${name}.json`);
        return sendPublicJson(res, issued.credential, { type: 'application/vc+ld+json' });
      case 'jwt':
        return sendPublicFile(res, issued.jwt, 'application/vc+jwt', download ? `${name}.jwt` : undefined);
      case 'eddsa.jwt':
        return sendPublicFile(res, await eddsaVcJwt(issued), 'application/vc+jwt', download ? `${name}.eddsa.jwt` : undefined);
      case 'png':
        return sendPublicFile(res, bakePng((await achievementImage(base, issued.facts.achievement)).png, 'openbadgecredential', JSON.stringify(issued.credential)), 'image/png', `${name}.png`);
      case 'svg':
        return sendPublicFile(res, bakeSvg((await achievementImage(base, issued.facts.achievement)).svg, { version: 3, credential: issued.credential }), 'image/svg+xml', `${name}.svg`);
      default:
        return notFound(req, res);
    }
  }));

  /**
   * The refresh service (1EdTechCredentialRefresh) that credentials of a badge that is renewed
   * name: the award's latest credential, by the award's public id (or any of its credentials'),
   * the renewed one once it is renewed and signed. JSON with its proof, or the VC-JWT when asked
   * for (Accept: application/vc+jwt); Content-Location says which credential it is.
   */
  router.get('/credentials/:id/latest', asyncRoute(async (req, res) => {
    const id = req.params.id!;
    let award = await awardById(id);
    if (!award) {
      const issued = await credentialByPublicId(id);
      award = issued && (await awardOf(issued.courseKey, issued.badgeId, issued.userId));
    }
    const latest = award && (await latestCredential(award));
    if (!latest) return notFound(req, res);
    const urls = credentialUrls(base, latest.publicId);
    res.vary('Accept');
    res.set({ 'Content-Location': urls.credential, 'Access-Control-Expose-Headers': 'Content-Location' });
    if (req.accepts(['application/vc+ld+json', 'application/json', 'application/vc+jwt']) === 'application/vc+jwt') {
      res.set('Content-Location', urls.jwt);
      return sendPublicFile(res, latest.jwt, 'application/vc+jwt');
    }
    sendPublicJson(res, latest.credential, { type: 'application/vc+ld+json' });
  }));

  router.get('/ob2/assertions/:file', asyncRoute(async (req, res) => {
    const [id, ext] = splitFile(req.params.file!);
    const issued = await credentialByPublicId(id);
    if (!issued) return notFound(req, res);
    const assertionUrl = credentialUrls(base, id).ob2Assertion;
    switch (ext) {
      case '': case 'json': {
        const assertion = await ob2AssertionOf(base, issued);
        // Hosted verification's own signal: a revoked assertion's URL answers 410 Gone, with the
        // assertion (revoked: true and its reason) as the body, so displayers that only read the
        // status and verifiers that read the document both see it.
        if (assertion.revoked) res.status(410);
        return sendPublicJson(res, assertion, { type: 'application/ld+json' });
      }
      case 'png':
        // Hosted verification: the baked text is the assertion's URL, which the verifier fetches.
        return sendPublicFile(res, bakePng((await achievementImage(base, issued.facts.achievement)).png, 'openbadges', assertionUrl), 'image/png');
      case 'svg':
        return sendPublicFile(res, bakeSvg((await achievementImage(base, issued.facts.achievement)).svg, { version: 2, assertionUrl, assertion: await ob2AssertionOf(base, issued) }), 'image/svg+xml');
      default:
        return notFound(req, res);
    }
  }));

  router.get('/achievements/:key', asyncRoute(async (req, res) => {
    const latest = await latestOfAchievement(req.params.key);
    if (!latest) return notFound(req, res);
    // The Achievement as last issued, exactly as the credentials carry it; `criteria.id` points
    // here, so a person following it gets a page and a verifier gets JSON-LD. JSON unless the
    // client prefers HTML (no Accept, or */*, is a program).
    const achievement = achievementDocument(latest.credential as Parameters<typeof achievementDocument>[0]);
    res.vary('Accept');
    if (req.accepts(['application/ld+json', 'application/json', 'text/html']) === 'text/html') {
      sharePublicly(res);
      res.vary('Accept-Language');
      res.set('Cache-Control', 'public, max-age=300');
      return res.render('public/achievement', {
        achievement,
        issuerProfileUrl: issuerUrls(base, latest.issuerKey).profile,
        og: { title: `${achievement.name} — ${achievement.creator.name}`, description: achievement.description, image: achievement.image.id, url: achievement.id },
      });
    }
    sendPublicJson(res, achievement, { type: 'application/ld+json', cache: 'stable' });
  }));

  router.get('/achievements/:key/image', asyncRoute(async (req, res) => {
    const latest = await latestOfAchievement(req.params.key);
    if (!latest) return notFound(req, res);
    const image = await achievementImage(base, latest.facts.achievement);
    sharePublicly(res);
    res.set('Cache-Control', 'public, max-age=300');
    if (req.accepts(['image/png', 'image/svg+xml']) === 'image/svg+xml') return res.type('image/svg+xml').send(image.svg);
    res.type('image/png').send(image.png);
  }));

  /** An uploaded badge image, by its hash: the same bytes for good, so cached for good. */
  router.get('/images/:sha', asyncRoute(async (req, res) => {
    const image = await badgeImageBySha(req.params.sha!);
    if (!image) return notFound(req, res);
    sharePublicly(res);
    res.set({ 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' });
    sendUploadedImage(res, image);
  }));

  router.get('/ob2/badges/:key', asyncRoute(async (req, res) => {
    const latest = await latestOfAchievement(req.params.key);
    if (!latest) return notFound(req, res);
    sendPublicJson(res, ob2BadgeClass({ base, issuer: latest.facts.issuer, achievement: latest.facts.achievement }), { type: 'application/ld+json', cache: 'stable' });
  }));
  return router;
}

