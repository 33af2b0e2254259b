/**
 * An instructor's uploaded badge image, checked and cleaned before it is stored: a real PNG or
 * SVG of at most 1 MB, whatever its name or declared type says.
 *
 * - The content decides what a file is (PNG signature, or XML whose root is an SVG <svg>). A
 *   declared type that contradicts the content is refused rather than overruled: a file that
 *   lies about itself is either misnamed or hostile, and the instructor should know which.
 *   No declared type, or application/octet-stream (what browsers send when they do not know),
 *   leaves the content to speak alone.
 * - PNG: the header's dimensions are read before anything is decoded (decompression bombs),
 *   sharp then decodes it with a pixel limit, and only the chunks that draw the image are kept:
 *   text, EXIF, an earlier issuer's baked badge, animation and bytes after IEND are dropped.
 * - SVG: parsed as XML (entities are never expanded; a DOCTYPE is dropped), cleaned by DOMPurify
 *   with its SVG profiles, then by our own rule that nothing may reach outside the document
 *   (links, url(...), @import), and finally drawn by sharp to prove it still renders.
 */
import type { DOMPurify, WindowLike } from 'dompurify';
import type { DOMWindow } from 'jsdom';
import sharp from 'sharp';
import type { MessageKey } from '../i18n/en.js';
import { translator, type Params, type Translator } from '../i18n/translate.js';

export type BadgeImageMediaType = 'image/png' | 'image/svg+xml';

export interface CheckedBadgeImage {
  mediaType: BadgeImageMediaType;
  bytes: Buffer;
  width: number;
  height: number;
}

/**
 * Why an upload was refused, worded for the instructor who made it: in English as `message`,
 * and as a catalogue key with its values for pages in another language (`in`).
 */
export class BadgeImageError extends Error {
  override name = 'BadgeImageError';
  constructor(readonly key: MessageKey, readonly values: Params = {}, readonly advice = false) {
    super('');
    this.message = this.in(english);
  }

  in(tr: Translator): string {
    const said = tr.t(this.key, this.values);
    return this.advice ? `${said} ${tr.t('image.error.exportAdvice')}` : said;
  }
}

const english = translator('en');

export const MAX_BADGE_IMAGE_BYTES = 1_048_576;
/** Longest side in pixels; 4096² RGBA is 64 MB decoded, the most one upload may cost. */
export const MAX_BADGE_IMAGE_SIDE = 4096;
const MAX_PIXELS = MAX_BADGE_IMAGE_SIDE * MAX_BADGE_IMAGE_SIDE;
/** Beyond this an SVG's filters are eating the server, not drawing a badge. */
const RENDER_SECONDS = 10;

export async function checkBadgeImage(bytes: Buffer, declaredType?: string): Promise<CheckedBadgeImage> {
  if (bytes.length === 0) throw new BadgeImageError('image.error.empty');
  if (bytes.length > MAX_BADGE_IMAGE_BYTES) {
    throw new BadgeImageError('image.error.tooLarge', { size: (bytes.length / 1_048_576).toFixed(1) });
  }
  const content = await contentType(bytes);
  const declared = declaredMediaType(declaredType);
  if (declared && declared !== content.mediaType) {
    throw new BadgeImageError(content.mediaType === 'image/png' ? 'image.error.typeMismatchPng' : 'image.error.typeMismatchSvg', { declared });
  }
  return content.mediaType === 'image/png' ? checkPng(bytes) : checkSvg(content.svg);
}

/** Advice that does not refuse the image: badges are shown square, and small PNGs blur. */
export function badgeImageNotes({ mediaType, width, height }: Omit<CheckedBadgeImage, 'bytes'>): string[] {
  const notes: string[] = [];
  if (width !== height) notes.push(`The image is ${width}×${height} pixels; badges are shown square, so it will be shown with empty bands beside it.`);
  if (mediaType === 'image/png' && Math.min(width, height) < 200) notes.push(`The image is only ${width}×${height} pixels; it may look blurry where badges are shown large (400×400 or more looks sharp).`);
  return notes;
}

// ---- what the file is -------------------------------------------------------------------------

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Formats people often try, named so the message can say what was uploaded. */
const OTHER_FORMATS: Array<[MessageKey, number[]]> = [
  ['image.error.jpeg', [0xff, 0xd8, 0xff]],
  ['image.error.gif', [0x47, 0x49, 0x46, 0x38]],
  ['image.error.pdf', [0x25, 0x50, 0x44, 0x46]],
];
const SVG_NS = 'http://www.w3.org/2000/svg';

type Content = { mediaType: 'image/png' } | { mediaType: 'image/svg+xml'; svg: Document };

async function contentType(bytes: Buffer): Promise<Content> {
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return { mediaType: 'image/png' };
  const other = OTHER_FORMATS.find(([, magic]) => bytes.subarray(0, magic.length).equals(Buffer.from(magic)));
  if (other) throw new BadgeImageError(other[0], {}, true);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadgeImageError('image.error.notImage', {}, true);
  }
  // Entities are never needed to draw a badge, and even internal ones, expanded once each, can
  // grow a 1 MB file to gigabytes: refuse them before the parser sees them.
  if (/<!ENTITY/i.test(text)) throw new BadgeImageError('image.error.entities', {}, true);
  const { window } = await sanitizer();
  const doc = new window.DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.localName === 'parsererror') {
    if (!/<svg[\s>/]/i.test(text)) throw new BadgeImageError('image.error.notImage', {}, true);
    throw new BadgeImageError('image.error.notXml', { error: root.textContent?.trim() }, true);
  }
  if (root.localName !== 'svg') throw new BadgeImageError('image.error.xmlRoot', { root: root.localName }, true);
  if (root.namespaceURI !== SVG_NS) throw new BadgeImageError('image.error.namespace', { namespace: SVG_NS }, true);
  return { mediaType: 'image/svg+xml', svg: doc };
}

function declaredMediaType(declared: string | undefined): string | undefined {
  const type = declared?.split(';')[0].trim().toLowerCase();
  if (!type || type === 'application/octet-stream') return undefined;
  return type === 'image/x-png' ? 'image/png' : type;
}

// ---- PNG --------------------------------------------------------------------------------------

/** The chunks that draw the image (ISO 15948); all others are dropped. iCCP is dropped too:
 *  it is a compressed blob a badge does not need, and sRGB is what badges are shown in. */
const PNG_DRAWING_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND', 'gAMA', 'cHRM', 'sRGB', 'sBIT', 'pHYs', 'bKGD']);

async function checkPng(bytes: Buffer): Promise<CheckedBadgeImage> {
  // IHDR must come first: length 13, then width and height, before any pixel is inflated.
  if (bytes.length < 33 || bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new BadgeImageError('image.error.pngHeader', {}, true);
  }
  checkSides(bytes.readUInt32BE(16), bytes.readUInt32BE(20), 'PNG');
  const kept = pngChunks(bytes).filter((c) => PNG_DRAWING_CHUNKS.has(c.type));
  const cleaned = Buffer.concat([PNG_SIGNATURE, ...kept.map((c) => bytes.subarray(c.start, c.end))]);
  const { width, height } = await render(cleaned, 'PNG');
  return { mediaType: 'image/png', bytes: cleaned, width, height };
}

/** Each chunk's span, up to IEND; a chunk running past the end of the file means it is cut short. */
function pngChunks(bytes: Buffer): Array<{ type: string; start: number; end: number }> {
  const chunks = [];
  for (let at = PNG_SIGNATURE.length; ; ) {
    const end = at + 12 + (at + 8 <= bytes.length ? bytes.readUInt32BE(at) : 0);
    if (at + 8 > bytes.length || end > bytes.length) throw new BadgeImageError('image.error.pngCut', {}, true);
    const type = bytes.toString('latin1', at + 4, at + 8);
    chunks.push({ type, start: at, end });
    if (type === 'IEND') return chunks;
    at = end;
  }
}

// ---- SVG --------------------------------------------------------------------------------------

const XLINK_NS = 'http://www.w3.org/1999/xlink';

async function checkSvg(doc: Document): Promise<CheckedBadgeImage> {
  const { purify, window } = await sanitizer();
  // DOMPurify works in an HTML document, which cannot hold CDATA sections (drawing programs put
  // <style> in them): they become the plain text they stand for.
  for (const node of [...walk(doc.documentElement)]) if (node.nodeType === node.CDATA_SECTION_NODE) (node as CDATASection).replaceWith(doc.createTextNode(node.textContent ?? ''));
  const body = purify.sanitize(doc.documentElement, {
    USE_PROFILES: { svg: true, svgFilters: true },
    // DOMPurify drops <use> because it can pull in other documents; keepInside() below lets it
    // point only inside this one, which is how drawing programs repeat shapes.
    ADD_TAGS: ['use'],
    // A removed element takes its content with it (the HTML inside a <foreignObject>, say).
    KEEP_CONTENT: false,
    RETURN_DOM: true,
  }) as HTMLElement;
  const svg = body.firstElementChild;
  if (!svg || svg.localName !== 'svg') throw new BadgeImageError('image.error.nothingLeft', {}, true);
  checkDeclaredSize(svg);
  keepInside(svg);
  await checkEmbeddedImages(svg);
  const cleaned = Buffer.from(new window.XMLSerializer().serializeToString(svg), 'utf8');
  // Only the size is read here, so no pixel limit yet: checkSides() gives the clearer message.
  const size = await sharp(cleaned, { limitInputPixels: false }).metadata().catch(() => ({ width: undefined, height: undefined }));
  if (!size.width || !size.height) throw new BadgeImageError('image.error.noSize', {}, true);
  checkSides(size.width, size.height, 'SVG');
  const { width, height } = await render(cleaned, 'SVG');
  return { mediaType: 'image/svg+xml', bytes: cleaned, width, height };
}

/**
 * librsvg quietly draws sizes past 2³¹ as 1×1 or fails on them, so the size the SVG asks for
 * is read here first: width and height, or the viewBox where they are missing or percentages.
 */
function checkDeclaredSize(svg: Element): void {
  const viewBox = (svg.getAttribute('viewBox') ?? '').trim().split(/[\s,]+/).map(Number);
  const side = (attr: string, fromViewBox: number | undefined) => {
    const value = svg.getAttribute(attr)?.trim();
    return !value || value.endsWith('%') ? (fromViewBox ?? 0) : parseFloat(value);
  };
  const [width, height] = [side('width', viewBox[2]), side('height', viewBox[3])];
  if (width > MAX_BADGE_IMAGE_SIDE || height > MAX_BADGE_IMAGE_SIDE) throw tooLarge(`${width}×${height}`, 'SVG');
}

function* walk(node: Node): Generator<Node> {
  yield node;
  for (const child of node.childNodes) yield* walk(child);
}

/**
 * What DOMPurify allows but a badge must not do: reach outside its own document. Links may only
 * point at an element inside it (#id), <image> may also hold a PNG, JPEG or GIF as a data URI,
 * and CSS (style attributes, presentation attributes, <style>) may use url(#id) only.
 */
function keepInside(svg: Element): void {
  for (const el of [svg, ...svg.querySelectorAll('*')]) {
    if (el.localName === 'style' && !cssStaysInside(el.textContent ?? '')) {
      el.remove();
      continue;
    }
    for (const attr of [...el.attributes]) {
      if (!attributeStaysInside(el.localName, attr.localName, attr.value)) el.removeAttributeNode(attr);
    }
  }
}

function attributeStaysInside(tag: string, name: string, value: string): boolean {
  // Browsers ignore whitespace and control characters inside a URL scheme.
  if (/(java|vb)script:/i.test(value.replace(/[\s\u0000-\u001f]/g, ''))) return false;
  if (name === 'href') return isFragment(value) || (tag === 'image' && isRasterDataUri(value));
  return cssStaysInside(value);
}

function cssStaysInside(css: string): boolean {
  // Backslash escapes could spell url( or @import in a way no simple check sees: refuse them.
  if (/\\|@import|image-set\(|expression\(|(java|vb)script:/i.test(css)) return false;
  const urls = [...css.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)];
  return urls.length === (css.match(/url\(/gi)?.length ?? 0) && urls.every((u) => isFragment(u[2]));
}

const isFragment = (url: string) => /^#[A-Za-z_][\w.:-]*$/.test(url.trim());
const isRasterDataUri = (url: string) => /^data:image\/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]+$/i.test(url.trim());

/** An embedded raster is decoded when the SVG is drawn: it must not be a bomb either. */
async function checkEmbeddedImages(svg: Element): Promise<void> {
  for (const image of svg.querySelectorAll('image')) {
    const href = image.getAttribute('href') ?? image.getAttributeNS(XLINK_NS, 'href');
    if (!href?.startsWith('data:')) continue;
    const data = Buffer.from(href.slice(href.indexOf(',') + 1), 'base64');
    const meta = await sharp(data).metadata().catch(() => undefined);
    if (!meta?.width || !meta.height || !['png', 'jpeg', 'gif'].includes(meta.format ?? '') || meta.width > MAX_BADGE_IMAGE_SIDE || meta.height > MAX_BADGE_IMAGE_SIDE) {
      throw new BadgeImageError('image.error.embedded', { max: MAX_BADGE_IMAGE_SIDE }, true);
    }
  }
}

// ---- both -------------------------------------------------------------------------------------

function checkSides(width: number, height: number, kind: string): void {
  if (width === 0 || height === 0) throw new BadgeImageError('image.error.noPixels', { kind, width, height }, true);
  if (width > MAX_BADGE_IMAGE_SIDE || height > MAX_BADGE_IMAGE_SIDE) throw tooLarge(`${width}×${height}`, kind);
}

const tooLarge = (size: string, kind: string) =>
  new BadgeImageError('image.error.tooManyPixels', { kind, size, max: MAX_BADGE_IMAGE_SIDE });

/** Decodes (PNG) or draws (SVG) the whole image: the proof that it is one. */
async function render(bytes: Buffer, kind: string): Promise<{ width: number; height: number }> {
  try {
    const { info } = await sharp(bytes, { limitInputPixels: MAX_PIXELS }).timeout({ seconds: RENDER_SECONDS }).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height };
  } catch {
    throw new BadgeImageError('image.error.cannotDraw', { kind }, true);
  }
}

/**
 * One jsdom window and DOMPurify for the process, made on first use: jsdom is slow to start and
 * weighs some 70 MB, which a server that never receives an SVG (or not yet) need not carry.
 */
let shared: Promise<{ purify: DOMPurify; window: DOMWindow }> | undefined;
function sanitizer(): Promise<{ purify: DOMPurify; window: DOMWindow }> {
  shared ??= Promise.all([import('jsdom'), import('dompurify')]).then(([{ JSDOM }, { default: createDOMPurify }]) => {
    const { window } = new JSDOM('');
    return { purify: createDOMPurify(window as unknown as WindowLike), window };
  });
  return shared;
}
