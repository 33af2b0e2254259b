/**
 * Sends an instructor's uploaded badge image, wherever it is served (the staff's editor, the
 * public /images URL): an SVG opened on its own is a document, so it gets no power to run anything.
 */
import type { Response } from 'express';
import type { StoredBadgeImage } from '../../store/badgeImage.js';

const SVG_DOCUMENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

export function sendUploadedImage(res: Response, image: StoredBadgeImage): void {
  if (image.mediaType === 'image/svg+xml') res.set('Content-Security-Policy', SVG_DOCUMENT_POLICY);
  res.type(image.mediaType).send(image.bytes);
}
