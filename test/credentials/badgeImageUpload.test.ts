/**
 * Instructors' badge image uploads: real PNG and SVG only, at most 1 MB, no decompression bombs,
 * and SVGs cleaned of everything that runs code or reaches outside the image. The hostile inputs
 * are built here; sharp draws what comes out, as the proof that it is still an image.
 */
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { BadgeImageError, badgeImageNotes, checkBadgeImage, MAX_BADGE_IMAGE_BYTES } from '../../src/credentials/badgeImageUpload.js';
import { bakePng, unbakePng } from '../../src/credentials/baking/png.js';

let png: Buffer; // 300×200, opaque red
let tinyPng: Buffer; // 4×4 blue, for embedding
let jpeg: Buffer;

beforeAll(async () => {
  png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ff0000' } }).png().toBuffer();
  tinyPng = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#0000ff' } }).png().toBuffer();
  jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#00ff00' } }).jpeg().toBuffer();
});

const svgOf = (inner: string, head = '') =>
  Buffer.from(`${head}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100" viewBox="0 0 100 100">${inner}<rect x="0" y="0" width="10" height="10" fill="#00f"/></svg>`);

async function refused(bytes: Buffer, declared?: string): Promise<string> {
  const err = await checkBadgeImage(bytes, declared).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadgeImageError);
  return (err as Error).message;
}

/** A PNG chunk: length, type, data, CRC-32 of type + data. */
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, crc]);
}

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return chunk('IHDR', data);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('a PNG upload', () => {
  it('passes with its own width and height, and a note that it is not square', async () => {
    const image = await checkBadgeImage(png, 'image/png');
    expect(image).toMatchObject({ mediaType: 'image/png', width: 300, height: 200 });
    expect((await sharp(image.bytes).metadata()).format).toBe('png');
    expect(badgeImageNotes(image)).toEqual([expect.stringContaining('300×200')]);
    expect(badgeImageNotes({ mediaType: 'image/png', width: 400, height: 400 })).toEqual([]);
  });

  it('loses its text chunks, an earlier badge baked into it and bytes after IEND, and keeps its pixels', async () => {
    const baked = bakePng(png, 'openbadges', '{"id":"https://elsewhere.example/assertion/1"}');
    const iend = baked.length - 12;
    const hostile = Buffer.concat([baked.subarray(0, iend), chunk('tEXt', Buffer.from('Comment\0<script>alert(1)</script>', 'latin1')), baked.subarray(iend), Buffer.from('<html><script>alert(2)</script></html>')]);
    const image = await checkBadgeImage(hostile);
    expect(unbakePng(image.bytes, 'openbadges')).toBeUndefined();
    expect(image.bytes.includes('tEXt')).toBe(false);
    expect(image.bytes.includes('script')).toBe(false);
    expect(image.bytes.subarray(-8, -4).toString('latin1')).toBe('IEND');
    const { data } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([255, 0, 0]);
  });

  it('is refused quickly, without decoding, when its header claims 100000×100000 pixels', async () => {
    const pixels = deflateSync(Buffer.alloc(1 + 3 * 100_000)); // one row of the bomb
    const bomb = Buffer.concat([PNG_SIGNATURE, ihdr(100_000, 100_000), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
    const started = performance.now();
    const before = process.memoryUsage().rss;
    expect(await refused(bomb, 'image/png')).toMatch(/100000×100000.*at most 4096×4096/);
    expect(performance.now() - started).toBeLessThan(500);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('is refused when it is cut short or damaged', async () => {
    expect(await refused(png.subarray(0, png.length - 20))).toMatch(/PNG is cut short/);
    const damaged = Buffer.from(png);
    damaged[damaged.length - 20] ^= 0xff; // inside the IDAT: its CRC no longer matches
    expect(await refused(damaged)).toMatch(/PNG is damaged/);
    expect(await refused(PNG_SIGNATURE)).toMatch(/PNG is damaged/);
  });
});

describe('a file that is not what it says', () => {
  it('refuses a JPEG declared (or named) as a PNG, and says it is a JPEG', async () => {
    expect(await refused(jpeg, 'image/png')).toMatch(/JPEG.*must be PNG or SVG/);
    expect(await refused(jpeg)).toMatch(/JPEG/);
  });

  it('refuses HTML declared as SVG, even with an <svg> inside it', async () => {
    expect(await refused(Buffer.from('<!DOCTYPE html><html><body><script>alert(1)</script></body></html>'), 'image/svg+xml')).toMatch(/not a PNG or SVG/);
    expect(await refused(Buffer.from('<html xmlns="http://www.w3.org/1999/xhtml"><body><svg xmlns="http://www.w3.org/2000/svg"/></body></html>'), 'image/svg+xml')).toMatch(/root is <html>/);
  });

  it('refuses a declared type that contradicts a real image, and lets the content speak when none is declared', async () => {
    expect(await refused(png, 'image/svg+xml')).toMatch(/sent as image\/svg\+xml but its content is a PNG.*\.png/);
    expect(await refused(svgOf(''), 'image/png')).toMatch(/sent as image\/png but its content is an SVG.*\.svg/);
    expect(await refused(png, 'text/html')).toMatch(/sent as text\/html/);
    expect((await checkBadgeImage(png, 'application/octet-stream')).mediaType).toBe('image/png');
    expect((await checkBadgeImage(svgOf(''), 'image/svg+xml; charset=utf-8')).mediaType).toBe('image/svg+xml');
  });

  it('refuses empty files, files over 1 MB, binary junk and SVGs that do not parse', async () => {
    expect(await refused(Buffer.alloc(0))).toMatch(/empty/);
    const big = Buffer.concat([png, Buffer.alloc(MAX_BADGE_IMAGE_BYTES + 1 - png.length)]);
    expect(await refused(big, 'image/png')).toMatch(/1\.0 MB.*at most 1 MB/);
    expect(await refused(Buffer.from([0, 1, 2, 255, 254, 0]))).toMatch(/not a PNG or SVG/);
    expect(await refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>'))).toMatch(/cannot be read as XML/);
    expect(await refused(Buffer.from('<svg width="10" height="10"><rect/></svg>'))).toMatch(/xmlns/);
  });
});

describe('an SVG upload', () => {
  /** Each attack alone, beside a harmless rect, and what must not be left of it. */
  const attacks: Array<[string, Buffer, RegExp]> = [
    ['<script>', svgOf('<script>alert(1)</script><script type="text/ecmascript"><![CDATA[alert(2)]]></script>'), /script|alert/i],
    ['onload= and other event handlers', svgOf('<g onload="alert(1)" onclick="alert(2)"><circle r="5" onmouseover="alert(3)"/></g>'), /\son\w+=|alert/i],
    ['<foreignObject> with HTML', svgOf('<foreignObject width="50" height="50"><div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/>hello</div></foreignObject>'), /foreignObject|<div|<img|onerror|hello/i],
    ['<image href="http://…">', svgOf('<image href="http://evil.example/x.png" width="10" height="10"/><image xlink:href="https://evil.example/y.png" width="10" height="10"/>'), /evil/],
    ['xlink:href="javascript:…"', svgOf('<a xlink:href="javascript:alert(1)"><circle r="5"/></a><a href=" java\tscript:alert(2)"><circle r="6"/></a>'), /javascript|java\s*script|alert/i],
    ['<use href="http://…#a">', svgOf('<use href="http://evil.example/sprite.svg#a"/><use xlink:href="https://evil.example/s.svg#b"/>'), /evil/],
    ['style="…url(http://…)"', svgOf('<rect width="5" height="5" style="background:url(http://evil.example/bg.png)"/><circle r="4" filter="url(http://evil.example/f.svg#x)" style="fill:u\\72l(http://evil.example/z)"/>'), /evil/],
    ['<style>@import url(http://…)</style>', svgOf('<style>@import url(http://evil.example/x.css); rect { fill: url("http://evil.example/f.svg#g") }</style>'), /@import|evil/],
    ['a DOCTYPE naming an outside DTD', svgOf('<text x="5" y="50">hello</text>', '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'), /DOCTYPE|w3\.org\/Graphics/],
    ['<iframe>, <embed>, <object>', svgOf('<iframe src="http://evil.example/"/><embed src="http://evil.example/e"/><object data="http://evil.example/o"/>'), /iframe|embed|object|evil/],
    ['animation that sets href', svgOf('<a href="#ok"><circle r="5"/><set attributeName="href" to="javascript:alert(1)"/><animate attributeName="xlink:href" values="javascript:alert(2)"/></a>'), /<set|<animate|javascript/],
    ['<feImage> of another document', svgOf('<filter id="f"><feImage href="http://evil.example/i.png"/></filter>'), /evil/],
  ];

  it.each(attacks)('loses %s, and still renders', async (_name, hostile, forbidden) => {
    const image = await checkBadgeImage(hostile, 'image/svg+xml');
    const out = image.bytes.toString('utf8');
    expect(out).not.toMatch(forbidden);
    expect(out).toContain('<rect x="0" y="0" width="10" height="10" fill="#00f"/>');
    expect(image).toMatchObject({ mediaType: 'image/svg+xml', width: 100, height: 100 });
    expect((await sharp(image.bytes).png().toBuffer()).length).toBeGreaterThan(0);
  });

  it('refuses an SVG that declares entities (XXE, billion laughs), used or not, instead of expanding them', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
    expect(await refused(svgOf('<text>&xxe;</text>', xxe))).toMatch(/declares entities in a DOCTYPE/);
    expect(await refused(svgOf('<text>hello</text>', xxe))).toMatch(/declares entities in a DOCTYPE/);
    const laughs = '<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>';
    expect(await refused(svgOf('<text>&c;</text>', laughs))).toMatch(/declares entities/);
  });

  it('keeps a <style> written as CDATA, as drawing programs export it', async () => {
    const image = await checkBadgeImage(svgOf('<style><![CDATA[ .a { fill: #ff0000 } ]]></style><circle class="a" cx="50" cy="50" r="30"/>'));
    expect(image.bytes.toString('utf8')).toContain('<style> .a { fill: #ff0000 } </style>');
    const { data, info } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray((50 * info.width + 50) * info.channels, (50 * info.width + 50) * info.channels + 3)]).toEqual([255, 0, 0]);
  });

  it('keeps shapes, text, gradients and uses by #id, a safe <style> and an embedded PNG, and draws them', async () => {
    const safe = svgOf(
      [
        '<title>Data Wrangler</title>',
        '<style>.ring { stroke: #123456; stroke-width: 2 }</style>',
        '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ff0000"/><stop offset="1" stop-color="#ff0000"/></linearGradient>',
        '<path id="leaf" d="M0 0 L5 0 L5 5 Z" fill="green"/></defs>',
        '<circle class="ring" cx="50" cy="50" r="40" fill="url(#g)"/>',
        '<use href="#leaf" x="80" y="80"/><use xlink:href="#leaf" x="85" y="85"/>',
        `<image x="0" y="90" width="10" height="10" href="data:image/png;base64,${tinyPng.toString('base64')}"/>`,
        '<text x="50" y="55" text-anchor="middle">Level 2</text>',
        // A hostile neighbour, to show that cleaning is per element, not all or nothing.
        '<script>alert(1)</script>',
      ].join(''),
    );
    const image = await checkBadgeImage(safe);
    const out = image.bytes.toString('utf8');
    for (const kept of ['<title>Data Wrangler</title>', '.ring { stroke: #123456', 'fill="url(#g)"', '<linearGradient id="g"', 'href="#leaf"', 'data:image/png;base64,', '>Level 2</text>', '<path id="leaf"']) {
      expect(out).toContain(kept);
    }
    expect(out).not.toMatch(/script/);
    const { data, info } = await sharp(image.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
    expect(at(30, 40)).toEqual([255, 0, 0]); // the gradient inside the circle
    expect(at(2, 95)).toEqual([0, 0, 255]); // the embedded PNG
  });

  it('refuses an SVG drawn larger than 4096 pixels, and one embedding a PNG bomb', async () => {
    const huge = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"><rect width="10" height="10"/></svg>');
    expect(await refused(huge)).toMatch(/100000×100000.*at most 4096×4096/);
    // Sizes past 2³¹, which librsvg itself would quietly draw as 1×1, and a huge viewBox alone.
    expect(await refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="1e9"/>'))).toMatch(/at most 4096×4096/);
    expect(await refused(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1e9 1e9"/>'))).toMatch(/at most 4096×4096/);
    // A large coordinate system drawn at a small size is fine.
    expect(await checkBadgeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 8000 8000"><rect width="8000" height="8000"/></svg>'))).toMatchObject({ width: 400, height: 400 });
    const bomb = Buffer.concat([PNG_SIGNATURE, ihdr(100_000, 100_000), chunk('IDAT', deflateSync(Buffer.alloc(10))), chunk('IEND', Buffer.alloc(0))]);
    expect(await refused(svgOf(`<image width="10" height="10" href="data:image/png;base64,${bomb.toString('base64')}"/>`))).toMatch(/embeds a picture/);
  });
});
