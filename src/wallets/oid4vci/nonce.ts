/**
 * The nonce endpoint (OpenID4VCI 1.0 section 7): a fresh c_nonce for a wallet to sign into its
 * proof of key, so that a proof cannot be played again. Each is used once and lives five minutes.
 */
import { randomBytes } from 'node:crypto';
import { saveNonce } from '../../store/oid4vciNonce.js';

export const NONCE_TTL_SECONDS = 300;

export async function issueNonce(issuerKey: string, now = new Date()): Promise<{ c_nonce: string }> {
  const nonce = randomBytes(24).toString('base64url');
  await saveNonce(nonce, { issuerKey, expiresAt: new Date(now.getTime() + NONCE_TTL_SECONDS * 1000) });
  return { c_nonce: nonce };
}
