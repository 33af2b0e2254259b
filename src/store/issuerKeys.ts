/**
 * An issuer's signing keys: an Ed25519 key for Data Integrity proofs and an RSA key for VC-JWT,
 * made on first use, their secret halves sealed at rest. Rotation adds a new pair and retires the
 * old one, which stays published so that credentials signed with it still verify.
 *
 * One document per issuer, changed only by conditional single-document writes: two instances
 * making the first keys, or rotating at once, end with one consistent set.
 */
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey } from './insertNew.js';
import { generateIssuerKeys, type Ed25519Key, type RsaKey } from '../credentials/keys.js';
import { resealed, seal, unseal } from '../secrets/sealed.js';

interface StoredKey {
  kind: 'ed25519' | 'rsa';
  id: string;
  createdAt: string;
  retiredAt?: string;
  /** publicKeyMultibase (Ed25519) or the public JWK as JSON (RSA). */
  publicKey: string;
  /** The secret half, sealed: secretKeyMultibase or the private JWK as JSON. */
  sealedSecret: string;
}

interface KeySet { _id: string; generation: number; keys: StoredKey[] }

const schema = new Schema<KeySet>({
  _id: { type: String, required: true },
  generation: { type: Number, required: true },
  keys: { type: Schema.Types.Mixed, required: true },
});

export const IssuerKeySetModel = mongoose.model<KeySet>('issuerKeySet', schema);

export interface SigningKeys { ed25519: Ed25519Key; rsa: RsaKey }

export interface PublishedKey { kind: 'ed25519' | 'rsa'; id: string; createdAt: string; retiredAt?: string; publicKeyMultibase?: string; publicJwk?: Record<string, unknown> }

function stored(k: Ed25519Key | RsaKey): StoredKey {
  return k.kind === 'ed25519'
    ? { kind: k.kind, id: k.id, createdAt: k.createdAt, publicKey: k.publicKeyMultibase, sealedSecret: seal(k.secretKeyMultibase) }
    : { kind: k.kind, id: k.id, createdAt: k.createdAt, publicKey: JSON.stringify(k.publicJwk), sealedSecret: seal(JSON.stringify(k.privateJwk)) };
}

function published(k: StoredKey): PublishedKey {
  const common = { kind: k.kind, id: k.id, createdAt: k.createdAt, ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}) };
  return k.kind === 'ed25519' ? { ...common, publicKeyMultibase: k.publicKey } : { ...common, publicJwk: JSON.parse(k.publicKey) };
}

async function keySet(issuerKey: string): Promise<KeySet> {
  const existing = await IssuerKeySetModel.findById(issuerKey).lean();
  if (existing) return existing;
  const fresh: KeySet = { _id: issuerKey, generation: 1, keys: (await generateIssuerKeys(new Date())).map(stored) };
  try {
    await IssuerKeySetModel.collection.insertOne(fresh as never);
    return fresh;
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return (await IssuerKeySetModel.findById(issuerKey).lean())!; // another instance made them first
  }
}

/** The current pair, unsealed for signing. */
export async function signingKeys(issuerKey: string): Promise<SigningKeys> {
  const { keys } = await keySet(issuerKey);
  const current = (kind: StoredKey['kind']) => keys.filter((k) => k.kind === kind && !k.retiredAt).at(-1)!;
  const ed = current('ed25519');
  const rsa = current('rsa');
  return {
    ed25519: { kind: 'ed25519', id: ed.id, createdAt: ed.createdAt, publicKeyMultibase: ed.publicKey, secretKeyMultibase: unseal(ed.sealedSecret) },
    rsa: { kind: 'rsa', id: rsa.id, createdAt: rsa.createdAt, publicJwk: JSON.parse(rsa.publicKey), privateJwk: JSON.parse(unseal(rsa.sealedSecret)) },
  };
}

/** Every public key ever used, current and retired: what the DID document and JWKS publish. */
export async function publishedKeys(issuerKey: string): Promise<PublishedKey[]> {
  return (await keySet(issuerKey)).keys.map(published);
}

/** Retires the current pair and makes a new one; returns the current keys' ids afterwards. */
export async function rotateIssuerKeys(issuerKey: string, now = new Date()): Promise<string[]> {
  const set = await keySet(issuerKey);
  const fresh = (await generateIssuerKeys(now)).map(stored);
  const keys = [...set.keys.map((k) => (k.retiredAt ? k : { ...k, retiredAt: now.toISOString() })), ...fresh];
  // Conditional on the generation read: of two rotations at once, one wins and the other is a no-op.
  await IssuerKeySetModel.updateOne({ _id: issuerKey, generation: set.generation }, { $set: { keys, generation: set.generation + 1 } });
  return (await publishedKeys(issuerKey)).filter((k) => !k.retiredAt).map((k) => k.id);
}

/**
 * Seals every secret half of one issuer's keys under the current LAUREL_SECRET (see
 * store/reseal.ts); true when it rewrote the document, false when nothing needed it.
 * Conditional on the generation read, and bumping it, like a rotation: a rotation or another
 * re-seal in between makes this read again rather than write back what it read before (on
 * MongoDB; FerretDB 1.24 does not make the condition atomic, see store/reseal.ts).
 */
export async function resealIssuerKeys(issuerKey: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const set = await IssuerKeySetModel.findById(issuerKey).lean();
    if (!set) return false;
    let changed = false;
    const keys = set.keys.map((k) => {
      const fresh = resealed(k.sealedSecret);
      if (fresh === undefined) return k;
      changed = true;
      return { ...k, sealedSecret: fresh };
    });
    if (!changed) return false;
    const { matchedCount } = await IssuerKeySetModel.updateOne({ _id: issuerKey, generation: set.generation }, { $set: { keys, generation: set.generation + 1 } });
    if (matchedCount === 1) return true;
  }
  throw new Error(`the keys of issuer ${issuerKey} kept changing while they were re-sealed; run the command again`);
}
