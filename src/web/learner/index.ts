/**
 * The learner's room: their page under /me (their badges beside the grades that earned them,
 * their progress, sharing, evidence, adding a badge to a wallet, and whether Laurel sends them
 * messages), behind the course the session names; and /me/all, every badge they hold from every
 * course of the platform, with their public page of badges.
 */
import { Router } from 'express';
import { asyncRoute } from '../shared/asyncRoute.js';
import { loadCourse } from '../shared/courseContext.js';
import { PAGES } from '../shared/pageView.js';
import { learnerPage, shareName, submitEvidence } from './learnerPage.js';
import { walletPage } from './walletPage.js';
import { ALL_BADGES, allBadgesPage, saveProfile, unpublishProfile } from './allBadgesPage.js';
import { chooseMessages } from './messagesChoice.js';
import { myDataRoutes } from './myData.js';

export function learnerPages(): Router {
  const router = Router();
  router.use(PAGES.learner, loadCourse);
  router.get(PAGES.learner, asyncRoute(learnerPage));
  router.get(ALL_BADGES, asyncRoute(allBadgesPage));
  router.post(`${ALL_BADGES}/profile`, asyncRoute(saveProfile));
  router.post(`${ALL_BADGES}/profile/withdraw`, asyncRoute(unpublishProfile));
  router.post('/me/awards/:id/sharing', asyncRoute(shareName));
  router.post('/me/awards/:id/evidence', asyncRoute(submitEvidence));
  router.post('/me/awards/:id/wallet', asyncRoute(walletPage));
  router.post('/me/messages', asyncRoute(chooseMessages));
  router.use(myDataRoutes());
  return router;
}
