/**
 * A badge's image for its staff: shown in the dashboard and editor, uploaded (PNG or SVG, up
 * to 1 MB, checked and cleaned before it is stored), or set back to the image Laurel draws.
 * Credentials already signed keep the image they name: images are stored by hash, never changed.
 */
import { Router, type Request, type Response, type NextFunction } from 'express';
import multer from 'multer';
import { BadgeImageError, checkBadgeImage, MAX_BADGE_IMAGE_BYTES } from '../../credentials/badgeImageUpload.js';
import { defaultBadgeImage } from '../../credentials/badgeImage.js';
import { badgeImageBySha, storeBadgeImage } from '../../store/badgeImage.js';
import { getBadge, setBadgeImage } from '../../store/badge.js';
import { courseOf, editorsOnly, staffOnly } from '../shared/courseContext.js';
import { asyncRoute } from '../shared/asyncRoute.js';
import { auditInCourse } from '../shared/audit.js';
import { pageView } from '../shared/pageView.js';
import { editor } from './badgeEditorPage.js';
import { sendProblem } from '../shared/errorPage.js';
import { sendUploadedImage } from '../shared/uploadedImage.js';
import { pageTranslator } from '../shared/pageLanguage.js';

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_BADGE_IMAGE_BYTES, files: 1, fields: 5 } });

async function currentImage(req: Request, res: Response) {
  const badge = await getBadge(courseOf(res).course.courseKey, String(req.params.id));
  if (!badge) return sendProblem(req, res, { status: 404, reason: 'badge_not_found', title: 'No such badge in this course', detail: 'It may have been deleted.' });
  const uploaded = badge.image ? await badgeImageBySha(badge.image) : null;
  res.set('Cache-Control', 'private, no-cache');
  if (uploaded) return sendUploadedImage(res, uploaded);
  res.type('image/png').send((await defaultBadgeImage({ name: badge.name, level: badge.level })).png);
}

/** Multer's own refusals (too large, too many files) as the editor's problems. */
function receiveFile(req: Request, res: Response, next: NextFunction) {
  upload.single('image')(req, res, (err: unknown) => {
    if (!err) return next();
    const tooLarge = (err as { code?: string }).code === 'LIMIT_FILE_SIZE';
    const { t } = pageTranslator(res);
    editor(req, res, String(req.params.id), { problems: [tooLarge ? t('image.tooLarge') : t('image.unreadable', { error: (err as Error).message })] }).catch(next);
  });
}

async function uploadImage(req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const id = String(req.params.id);
  if (!(await getBadge(course.courseKey, id))) return editor(req, res, id);
  if (!req.file) return editor(req, res, id, { problems: [pageTranslator(res).t('image.choose')] });
  try {
    const image = await checkBadgeImage(req.file.buffer, req.file.mimetype);
    const sha256 = await storeBadgeImage(image, token.user);
    await setBadgeImage(course.courseKey, id, sha256, token.user);
    await auditInCourse(res, { action: 'badge.image', badgeId: id, detail: `uploaded ${req.file.originalname.slice(0, 100)} (${image.mediaType}, ${image.width}×${image.height})` });
  } catch (err) {
    if (!(err instanceof BadgeImageError)) throw err;
    return editor(req, res, id, { problems: [err.in(pageTranslator(res))] });
  }
  res.redirect(303, `/course/badges/${encodeURIComponent(id)}?${pageView(res).q}`);
}

async function useDrawnImage(req: Request, res: Response) {
  const { course, token } = courseOf(res);
  const id = String(req.params.id);
  if (!(await setBadgeImage(course.courseKey, id, undefined, token.user))) return editor(req, res, id);
  await auditInCourse(res, { action: 'badge.image', badgeId: id, detail: 'set back to the drawn image' });
  res.redirect(303, `/course/badges/${encodeURIComponent(id)}?${pageView(res).q}`);
}

export function badgeImageRoutes(): Router {
  const router = Router();
  router.get('/course/badges/:id/image', staffOnly, asyncRoute(currentImage));
  router.post('/course/badges/:id/image', editorsOnly, receiveFile, asyncRoute(uploadImage));
  router.post('/course/badges/:id/image/delete', editorsOnly, asyncRoute(useDrawnImage));
  return router;
}
