/**
 * Secrets at rest (issuer signing keys): AES-256-GCM under a key derived from LAUREL_SECRET.
 * A sealed value names the key that sealed it, so a changed LAUREL_SECRET is reported as
 * such instead of as corrupt data, and a later rotation can re-seal what an old key sealed.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

export class SealError extends Error {}

interface SealingKey { id: string; key: Buffer }

let current: SealingKey | undefined;

function derive(secret: string): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', secret, 'laurel', 'secrets at rest', 32));
  return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
}

/** Called once at start with LAUREL_SECRET. */
export function configureSealing(secret: string): void {
  current = derive(secret);
}

function sealingKey(): SealingKey {
  if (!current) throw new SealError('secrets cannot be sealed before configureSealing(LAUREL_SECRET) ran');
  return current;
}

export function seal(plaintext: string): string {
  const { id, key } = sealingKey();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(id));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function unseal(sealed: string): string {
  const [format, id, iv, tag, body] = sealed.split('.');
  if (format !== FORMAT || !id || !iv || !tag || body === undefined) throw new SealError('not a sealed secret');
  const { id: currentId, key } = sealingKey();
  if (id !== currentId) throw new SealError(`this secret was sealed under another LAUREL_SECRET (key ${id}); restore that secret to read it`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError('a sealed secret failed its integrity check: it was altered');
  }
}
