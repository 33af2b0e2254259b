/**
 * The course staff's room: every page under /course, each behind the course the session names
 * (shared/courseContext.ts), composed here so that no page module mounts another.
 */
import { Router } from 'express';
import { loadCourse } from '../shared/courseContext.js';
import { PAGES } from '../shared/pageView.js';
import { auditPages } from './auditPage.js';
import { badgeImageRoutes } from './badgeImageRoutes.js';
import { canvasConnect } from './canvasConnect.js';
import { coursePages } from './coursePages.js';
import { learnersPages } from './learnersPages.js';
import { nextTermPages } from './nextTermPages.js';

export function courseStaffPages(publicUrl: string): Router {
  const router = Router();
  router.use(PAGES.staff, loadCourse);
  router.use(coursePages(), auditPages(), nextTermPages(), learnersPages(), badgeImageRoutes(), canvasConnect(publicUrl));
  return router;
}
