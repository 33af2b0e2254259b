/**
 * An issuer as the world sees it, from the database: its OB Issuer model, its did:web document
 * and JWKs with every key it ever signed with, and the JSON-LD document loader that resolves
 * Laurel's own issuers without going through HTTP (what an outside verifier fetches, read at the source).
 */
import type { Issuer } from '../credentials/model.js';
import { issuerDid } from '../credentials/urls.js';
import { didDocument, publicJwks } from '../credentials/didDocument.js';
import { createDocumentLoader } from '../credentials/documentLoader.js';
import { issuerProfileByKey, issuerProfileOf, type IssuerProfile, type Registration } from '../store/issuerProfile.js';
import { publishedKeys } from '../store/issuerKeys.js';

export function issuerOf(base: string, profile: IssuerProfile): Issuer {
  return {
    key: profile.key, did: issuerDid(base, profile.key), name: profile.name, url: profile.url,
    ...(profile.email ? { email: profile.email } : {}),
    ...(profile.description ? { description: profile.description } : {}),
    ...(profile.imageUrl ? { imageUrl: profile.imageUrl } : {}),
  };
}

export async function issuerForPlatform(base: string, registration: Registration): Promise<Issuer> {
  return issuerOf(base, await issuerProfileOf(registration));
}

async function keysOf(issuerKey: string) {
  const keys = await publishedKeys(issuerKey);
  return {
    ed25519: keys.filter((k) => k.kind === 'ed25519').map((k) => ({ id: k.id, publicKeyMultibase: k.publicKeyMultibase! })),
    rsa: keys.filter((k) => k.kind === 'rsa').map((k) => ({ id: k.id, publicJwk: k.publicJwk! })),
  };
}

/** null for an issuer Laurel does not know (no profile saved and no credential issued means no keys either). */
export async function issuerDidDocument(base: string, issuerKey: string): Promise<Record<string, unknown> | null> {
  if (!(await knownIssuer(issuerKey))) return null;
  return didDocument(issuerDid(base, issuerKey), await keysOf(issuerKey));
}

export async function issuerJwks(base: string, issuerKey: string): Promise<ReturnType<typeof publicJwks> | null> {
  if (!(await knownIssuer(issuerKey))) return null;
  return publicJwks(issuerDid(base, issuerKey), (await keysOf(issuerKey)).rsa);
}

/** An issuer exists once its profile does (stored on first use); unknown keys never get key pairs made. */
async function knownIssuer(issuerKey: string): Promise<boolean> {
  return (await issuerProfileByKey(issuerKey)) !== null;
}

/** Resolves did:web ids of Laurel's own issuers from the database; any other DID is unknown. */
export function laurelDocumentLoader(base: string) {
  return createDocumentLoader({
    resolveDid: async (did: string) => {
      const prefix = issuerDid(base, '');
      if (!did.startsWith(prefix)) return undefined;
      return (await issuerDidDocument(base, did.slice(prefix.length))) ?? undefined;
    },
  });
}
