/**
 * Secrets at rest (issuer signing keys): AES-256-GCM under a key derived from LAUREL_SECRET.
 * A sealed value names the key that sealed it, so a changed LAUREL_SECRET is reported as
 * such instead of as corrupt data, and rotation works: values are opened with whichever
 * configured secret (LAUREL_SECRET or one of LAUREL_SECRET_PREVIOUS) they name, and always
 * sealed under LAUREL_SECRET; `npm run secrets -- reseal` moves the old ones over.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

export class SealError extends Error {}

interface SealingKey { id: string; key: Buffer }

let current: SealingKey | undefined;
let previous: SealingKey[] = [];

function derive(secret: string): SealingKey {
  const key = Buffer.from(hkdfSync('sha256', secret, 'laurel', 'secrets at rest', 32));
  return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key };
}

/** The key id a secret seals under: what a sealed value names, and what `secrets status` lists. */
export function keyIdOf(secret: string): string {
  return derive(secret).id;
}

/** Called once at start with LAUREL_SECRET and LAUREL_SECRET_PREVIOUS (read only, never sealed under). */
export function configureSealing(secret: string, previousSecrets: readonly string[] = []): void {
  const now = derive(secret);
  current = now;
  previous = previousSecrets.map(derive).filter((k) => k.id !== now.id);
}

function sealingKey(): SealingKey {
  if (!current) throw new SealError('secrets cannot be sealed before configureSealing(LAUREL_SECRET) ran');
  return current;
}

/** The id of the key new values are sealed under (LAUREL_SECRET's). */
export function currentKeyId(): string {
  return sealingKey().id;
}

function parts(sealed: string) {
  const [format, id, iv, tag, body] = sealed.split('.');
  if (format !== FORMAT || !id || !iv || !tag || body === undefined) throw new SealError('not a sealed secret');
  return { id, iv, tag, body };
}

/** The id of the key that sealed this value. */
export function sealedKeyId(sealed: string): string {
  return parts(sealed).id;
}

function openingKey(id: string): SealingKey {
  const found = [sealingKey(), ...previous].find((k) => k.id === id);
  if (found) return found;
  const known = [current!, ...previous].map((k) => k.id).join(', ');
  throw new SealError(`a secret in the database was sealed under another LAUREL_SECRET (key id ${id}; the configured secrets have key ids ${known}). `
    + 'Set LAUREL_SECRET_PREVIOUS to the secret that sealed it (comma-separated if there are several), then run `npm run secrets -- reseal`');
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
  const { id, iv, tag, body } = parts(sealed);
  const { key } = openingKey(id);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError(`a sealed secret (key id ${id}) failed its integrity check: it was altered`);
  }
}

/** The same secret sealed under the current key, or undefined when it already is. */
export function resealed(sealed: string): string | undefined {
  return sealedKeyId(sealed) === currentKeyId() ? undefined : seal(unseal(sealed));
}
