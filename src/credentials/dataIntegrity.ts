/**
 * The embedded Data Integrity proof (cryptosuite eddsa-rdfc-2022) that makes an OB 3.0
 * credential verifiable by anyone holding the issuer's did:web document. A thin layer over
 * @digitalbazaar/vc: the signing suite is built once per key, since issuing runs in bulk.
 */
import { issue, verifyCredential, type VerifyResult } from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { DocumentLoader } from './documentLoader.js';
import { MULTIKEY_CONTEXT_URL } from './didDocument.js';
import { verificationMethodId, type Ed25519Key } from './keys.js';

export type DataIntegrityProofJson = {
  type: 'DataIntegrityProof';
  cryptosuite: 'eddsa-rdfc-2022';
  created: string;
  verificationMethod: string;
  proofPurpose: 'assertionMethod';
  proofValue: string;
};

/** `proof` is an array: 1EdTech's OB 3.0 schema accepts no other form (VC 2.0 allows both). */
export type WithProof<T> = T & { proof: DataIntegrityProofJson[] };

const suites = new Map<string, Promise<DataIntegrityProof>>();
const MAX_CACHED_SUITES = 64;

function signingSuite(key: Ed25519Key, did: string): Promise<DataIntegrityProof> {
  const id = verificationMethodId(did, key);
  const cacheKey = `${id}\n${key.secretKeyMultibase}`;
  let suite = suites.get(cacheKey);
  if (!suite) {
    suite = Ed25519Multikey.from({
      '@context': MULTIKEY_CONTEXT_URL, type: 'Multikey', id, controller: did,
      publicKeyMultibase: key.publicKeyMultibase, secretKeyMultibase: key.secretKeyMultibase,
    }).then((pair) => new DataIntegrityProof({ signer: pair.signer(), cryptosuite }));
    suite.catch(() => suites.delete(cacheKey));
    if (suites.size >= MAX_CACHED_SUITES) suites.delete(suites.keys().next().value!);
    suites.set(cacheKey, suite);
  }
  return suite;
}

/** Adds the proof, made now with `key` as `${did}#${key.id}`; the credential passed in is left as it was. */
export async function signDataIntegrity<T extends object>(
  credential: T, key: Ed25519Key, did: string, documentLoader: DocumentLoader,
): Promise<WithProof<T>> {
  const suite = await signingSuite(key, did);
  // vc.issue adds the proof to the object it is given: give it a copy.
  const signed = await issue({ credential: { ...credential }, suite, documentLoader });
  return { ...signed, proof: ([] as unknown[]).concat(signed.proof) } as WithProof<T>;
}

const verifyingSuite = new DataIntegrityProof({ cryptosuite });

// Status is checked on its own (verifyCredential.ts), but @digitalbazaar/vc refuses a credential
// with credentialStatus unless given a checker: this one leaves the decision to the caller.
const statusCheckedElsewhere = async () => ({ verified: true });

/**
 * Checks the embedded proof: signature, canonical form, and that the key is one the issuer's DID
 * document lists under assertionMethod. Not the validity dates nor the status: a verifier reports
 * those separately ("expired" is not "forged").
 */
export async function verifyDataIntegrity(
  credential: object, documentLoader: DocumentLoader,
): Promise<{ verified: boolean; error?: string }> {
  try {
    const result = await verifyCredential({
      credential, suite: verifyingSuite, documentLoader, checkStatus: statusCheckedElsewhere,
      now: instantWithinValidity(credential),
    });
    return result.verified ? { verified: true } : { verified: false, error: describe(result) };
  } catch (err) {
    return { verified: false, error: messageOf(err) };
  }
}

// @digitalbazaar/vc rejects an expired credential outright; checking at its own validFrom
// keeps the proof check about the proof.
function instantWithinValidity(credential: object): string | undefined {
  const { validFrom } = credential as { validFrom?: unknown };
  return typeof validFrom === 'string' && !Number.isNaN(Date.parse(validFrom)) ? validFrom : undefined;
}

function describe(result: VerifyResult): string {
  const errors = [result.error, ...(result.results ?? []).map((r) => r.error)]
    .flatMap((e) => (e?.errors?.length ? e.errors : e ? [e] : []));
  const messages = [...new Set(errors.map(messageOf))];
  return messages.join('; ') || 'The Data Integrity proof did not verify.';
}

// The library's terse messages, said so a reader knows what happened.
const PLAIN: Record<string, string> = {
  'Invalid signature.': 'Invalid signature: the credential was changed after it was signed, or not signed with this key.',
  'No matching proofs found in the given document.': 'The credential carries no eddsa-rdfc-2022 DataIntegrityProof.',
};

/** jsonld.js wraps a document loader's error; the cause is what a person can act on. */
function messageOf(err: unknown): string {
  const e = err as { message?: string; details?: { cause?: { message?: string } } } | undefined;
  const cause = e?.details?.cause?.message;
  const message = e?.message ?? String(err);
  return cause ? `${message} (${cause})` : (PLAIN[message] ?? message);
}
