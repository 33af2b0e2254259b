/** Reads a QR code back from a screenshot with jsQR (a decoder we did not write): what a phone's camera would get. */
import jsQR from 'jsqr';
import sharp from 'sharp';

export async function scanQr(png: Buffer): Promise<string | undefined> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  // jsQR is CommonJS with its function also as `default`, which is what its types describe.
  return jsQR.default(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data;
}
