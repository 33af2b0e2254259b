/**
 * The issuer's signing keys as the admin page lists them: current keys first, then the retired
 * ones, newest first. Retired keys stay published so that badges signed with them still verify.
 */
import type { PublishedKey } from '../../store/issuerKeys.js';

export interface KeyStatus {
  id: string;
  kind: PublishedKey['kind'];
  algorithm: string;
  usedFor: string;
  createdAt: string;
  /** When a rotation retired it; absent for the keys that sign now. */
  retiredAt?: string;
  current: boolean;
}

const KINDS: Record<PublishedKey['kind'], { algorithm: string; usedFor: string }> = {
  ed25519: { algorithm: 'Ed25519 (EdDSA)', usedFor: 'Data Integrity proofs (eddsa-rdfc-2022)' },
  rsa: { algorithm: 'RSA (RS256)', usedFor: 'VC-JWT' },
};

export function keyStatus(keys: PublishedKey[]): KeyStatus[] {
  return keys
    .map((k) => ({ id: k.id, kind: k.kind, ...KINDS[k.kind], createdAt: k.createdAt, retiredAt: k.retiredAt, current: !k.retiredAt }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.createdAt.localeCompare(a.createdAt));
}

/** When the keys were last rotated: the newest retirement, if any. */
export function lastRotation(keys: PublishedKey[]): string | undefined {
  return keys.map((k) => k.retiredAt).filter((d): d is string => Boolean(d)).sort().at(-1);
}
