/**
 * What ltijs encrypts itself, with the secret Laurel gives it (LAUREL_SECRET): its tool key pair
 * for each platform (collections `privatekeys`, `publickeys`) and the service tokens it caches
 * (`accesstokens`). Each such document keeps `{ iv, data }`: AES-256-CBC of the JSON under
 * SHA-256(secret). ltijs takes one secret and its format names no key, so Laurel reads with each
 * configured secret in turn and re-encrypts under the current one when rotating.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export const LTIJS_ENCRYPTED_COLLECTIONS = ['privatekeys', 'publickeys', 'accesstokens'] as const;

export interface LtijsEncrypted { iv: string; data: string }

function keyOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** As ltijs's Database.Encrypt does it. */
export function ltijsEncrypt(plaintext: string, secret: string): LtijsEncrypted {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', keyOf(secret), iv);
  return { iv: iv.toString('hex'), data: Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('hex') };
}

/**
 * The plaintext when this secret encrypted it, else undefined. CBC carries no tag: a wrong key
 * shows as bad padding or, rarely, as bytes that are not JSON, which ltijs always stores.
 */
export function ltijsDecrypt(doc: LtijsEncrypted, secret: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-cbc', keyOf(secret), Buffer.from(doc.iv, 'hex'));
    const text = Buffer.concat([decipher.update(Buffer.from(doc.data, 'hex')), decipher.final()]).toString('utf8');
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

export class LtijsSecretError extends Error {}

interface LtijsDatabase { Decrypt(data: string, iv: string, secret: string): Promise<string> }

/**
 * Lets the running ltijs read what LAUREL_SECRET_PREVIOUS encrypted, so a rotated Laurel keeps
 * launching and signing before `secrets reseal` has run. ltijs still writes with LAUREL_SECRET.
 */
export function readLtijsWithPreviousSecrets(database: LtijsDatabase, previousSecrets: readonly string[]): void {
  database.Decrypt = async (data, iv, secret) => {
    for (const s of [secret, ...previousSecrets]) {
      const text = ltijsDecrypt({ iv, data }, s);
      if (text !== undefined) return text;
    }
    throw new LtijsSecretError('a key ltijs stored (an LTI tool key or service token) was encrypted under another LAUREL_SECRET. '
      + 'Set LAUREL_SECRET_PREVIOUS to the secret it was encrypted under (comma-separated if there are several), then run `npm run secrets -- reseal`');
  };
}
