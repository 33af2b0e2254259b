/**
 * The picture of a badge as its credentials show it, as both SVG and PNG (baking needs either):
 * the instructor's upload when the achievement names one, else the image Laurel draws from the
 * name and level. Kept in memory: rendering costs far more than serving.
 */
import sharp from 'sharp';
import type { Achievement } from '../credentials/model.js';
import { defaultBadgeImage } from '../credentials/badgeImage.js';
import { uploadedImageSha } from '../credentials/urls.js';
import { badgeImageBySha, type StoredBadgeImage } from '../store/badgeImage.js';

export interface BadgePicture { svg: string; png: Buffer }

const SIZE = 400;
const kept = new Map<string, Promise<BadgePicture>>();
const KEPT = 500;

/** An uploaded PNG inside an SVG, so the SVG download can carry the baked credential too. */
function svgAround(png: StoredBadgeImage): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${png.width}" height="${png.height}" viewBox="0 0 ${png.width} ${png.height}">`
    + `<image width="${png.width}" height="${png.height}" href="data:image/png;base64,${png.bytes.toString('base64')}"/></svg>`;
}

async function uploaded(sha256: string): Promise<BadgePicture | undefined> {
  const image = await badgeImageBySha(sha256);
  if (!image) return undefined;
  if (image.mediaType === 'image/png') return { png: image.bytes, svg: svgAround(image) };
  const png = await sharp(image.bytes).resize(SIZE, SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } }).png().toBuffer();
  return { svg: image.bytes.toString('utf8'), png };
}

export function achievementImage(base: string, a: Pick<Achievement, 'name' | 'level' | 'imageUrl'>): Promise<BadgePicture> {
  const sha = uploadedImageSha(base, a.imageUrl);
  const key = sha ?? JSON.stringify([a.name, a.level]);
  let picture = kept.get(key);
  if (!picture) {
    if (kept.size >= KEPT) kept.delete(kept.keys().next().value!);
    // An upload that cannot be found (should never happen: images are never deleted) falls back to the drawn image.
    picture = (sha ? uploaded(sha) : Promise.resolve(undefined)).then((p) => p ?? defaultBadgeImage({ name: a.name, level: a.level }));
    picture.catch(() => kept.delete(key));
    kept.set(key, picture);
  }
  return picture;
}
