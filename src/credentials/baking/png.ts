/**
 * PNG baking (Open Badges "Baking" for 2.0 and 3.0): the credential travels inside the image as
 * one iTXt chunk, keyword `openbadgecredential` (3.0) or `openbadges` (2.0), uncompressed UTF-8.
 *
 * PNG layout (RFC 2083 / ISO 15948): an 8-byte signature, then chunks of
 * length (4, big-endian) · type (4) · data (length) · CRC-32 of type + data (4).
 */
import { crc32 } from 'node:zlib';

export type PngBakeKeyword = 'openbadgecredential' | 'openbadges';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Chunk {
  type: string;
  /** Offset of the chunk's length field in the file, and its total size (12 + data). */
  start: number;
  size: number;
  data: Buffer;
}

/**
 * Returns a copy of `png` carrying `text` under `keyword`, just before IEND. An earlier chunk
 * with the same keyword (iTXt, or the tEXt of older bakers) is dropped, so there is exactly one.
 */
export function bakePng(png: Buffer, keyword: PngBakeKeyword, text: string): Buffer {
  const chunks = readChunks(png);
  const iend = chunks[chunks.length - 1];
  const kept = chunks.filter((c) => c !== iend && !isBaked(c, keyword));
  return Buffer.concat([
    SIGNATURE,
    ...kept.map((c) => png.subarray(c.start, c.start + c.size)),
    chunk('iTXt', iTXtData(keyword, text)),
    png.subarray(iend.start, iend.start + iend.size),
  ]);
}

/** The text baked under `keyword`, or undefined when the image carries none. */
export function unbakePng(png: Buffer, keyword: PngBakeKeyword): string | undefined {
  for (const c of readChunks(png)) {
    if (!isBaked(c, keyword)) continue;
    if (c.type === 'tEXt') return c.data.subarray(keyword.length + 1).toString('latin1');
    return readITXtText(c.data, keyword);
  }
  return undefined;
}

function isBaked(c: Chunk, keyword: string): boolean {
  if (c.type !== 'iTXt' && c.type !== 'tEXt') return false;
  return c.data.length > keyword.length && c.data.toString('latin1', 0, keyword.length) === keyword && c.data[keyword.length] === 0;
}

/** iTXt data: keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, text. */
function iTXtData(keyword: string, text: string): Buffer {
  return Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
}

function readITXtText(data: Buffer, keyword: string): string {
  let at = keyword.length + 1;
  const compressed = data[at];
  at += 2;
  // Language tag and translated keyword, each NUL-terminated.
  for (let field = 0; field < 2; field++) {
    const nul = data.indexOf(0, at);
    if (nul < 0) throw new Error(`The PNG's "${keyword}" iTXt chunk is malformed (a header field is not NUL-terminated)`);
    at = nul + 1;
  }
  if (compressed) throw new Error(`The PNG's "${keyword}" iTXt chunk is compressed; Open Badges baking requires it uncompressed`);
  return data.subarray(at).toString('utf8');
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** Every chunk, checked: signature, lengths within the file, CRCs, and IEND last. */
function readChunks(png: Buffer): Chunk[] {
  if (png.length < SIGNATURE.length || !png.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new Error('Not a PNG image: it does not start with the PNG signature (89 50 4E 47 0D 0A 1A 0A). Bake a PNG file, or use bakeSvg for SVG.');
  }
  const chunks: Chunk[] = [];
  let at = SIGNATURE.length;
  while (at < png.length) {
    if (at + 12 > png.length) throw new Error(`Truncated PNG: an incomplete chunk header at byte ${at}`);
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > png.length) throw new Error(`Truncated PNG: chunk "${type}" at byte ${at} claims ${length} bytes`);
    const data = png.subarray(at + 8, at + 8 + length);
    if (png.readUInt32BE(at + 8 + length) !== crc32(data, crc32(png.subarray(at + 4, at + 8)))) {
      throw new Error(`Corrupt PNG: chunk "${type}" at byte ${at} has a wrong CRC`);
    }
    chunks.push({ type, start: at, size: 12 + length, data });
    at = end;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new Error('Not a valid PNG: the first chunk is not IHDR');
  if (chunks[chunks.length - 1].type !== 'IEND') throw new Error('Truncated PNG: no IEND chunk');
  return chunks;
}
