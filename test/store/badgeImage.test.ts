/**
 * Uploaded badge images in the real database: stored by content, read back byte for byte,
 * the same bytes stored once however often (or however concurrently) they are uploaded.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBadgeImage, type CheckedBadgeImage } from '../../src/credentials/badgeImageUpload.js';
import { BadgeImageModel, badgeImageBySha, storeBadgeImage } from '../../src/store/badgeImage.js';
import { useTestDatabase } from '../support/database.js';

let png: CheckedBadgeImage;
let svg: CheckedBadgeImage;

useTestDatabase();
beforeAll(async () => {
  png = await checkBadgeImage(await sharp({ create: { width: 64, height: 64, channels: 4, background: '#2e6b3a' } }).png().toBuffer());
  svg = await checkBadgeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#f2c14e"/></svg>'));
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('a stored badge image', () => {
  it('is named by its hash and read back byte for byte with its size and uploader', async () => {
    const at = new Date('2026-11-23T10:00:00Z');
    const id = await storeBadgeImage(png, 'instructor-1', at);
    expect(id).toBe(sha256(png.bytes));
    const read = await badgeImageBySha(id);
    expect(read).toEqual({ mediaType: 'image/png', bytes: png.bytes, sha256: id, width: 64, height: 64, createdAt: at, createdBy: 'instructor-1' });
    expect(Buffer.isBuffer(read!.bytes)).toBe(true);
  });

  it('is stored once, however often and however concurrently the same bytes come', async () => {
    const ids = await Promise.all([storeBadgeImage(svg, 'a'), storeBadgeImage(svg, 'b'), storeBadgeImage(svg, 'c')]);
    expect(new Set(ids).size).toBe(1);
    expect(await BadgeImageModel.countDocuments({ _id: ids[0] })).toBe(1);
    expect((await badgeImageBySha(ids[0]!))!.bytes.toString('utf8')).toBe(svg.bytes.toString('utf8'));
  });

  it('answers nothing for an unknown or malformed id', async () => {
    expect(await badgeImageBySha('0'.repeat(64))).toBeNull();
    expect(await badgeImageBySha('../etc/passwd')).toBeNull();
  });
});
