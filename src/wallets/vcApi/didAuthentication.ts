/**
 * A wallet's DID authentication, as a VC-API exchange receives it: a Verifiable Presentation
 * with no credentials, whose `holder` is a did:key and whose one proof, made for
 * `authentication` with the exchange's challenge and domain, verifies with a key of that very
 * DID. @digitalbazaar/vc checks the proof, the challenge, the domain and that the key may
 * authenticate for its DID; it does not tie the signer to `holder`, so this file does, or a
 * wallet could sign with its own key and name another DID to receive the badge.
 *
 * What LCW sends (openwallet-foundation-labs/learner-credential-wallet v2.2.10,
 * app/lib/composeVp.ts; the same in digitalcredentials/learner-credential-wallet v2.1.2,
 * app/lib/exchanges.ts constructExchangeRequest): `@digitalcredentials/vc` createPresentation
 * `{ holder }` (VC 2.0 context), signPresentation with `Ed25519Signature2020` and the challenge
 * and domain of the request, the key that of its did:key (app/lib/did.ts mintDid: an Ed25519
 * key, `did:key:z6Mk…#z6Mk…`). Data Integrity `eddsa-rdfc-2022` proofs, which other wallets
 * make, are accepted too. Contexts are Laurel's static ones and did:key documents are computed
 * from the key itself: nothing is fetched.
 *
 * LCW's older credential request flow (lcwCredentialRequest.ts) signs the same presentation with
 * the challenge alone: `requireDomain: false` accepts a proof that names no domain; one that names
 * a domain must still name Laurel's.
 */
import { timingSafeEqual } from 'node:crypto';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { Ed25519VerificationKey2020 } from '@digitalbazaar/ed25519-verification-key-2020';
import * as didKey from '@digitalbazaar/did-method-key';
import { createDocumentLoader, type DocumentLoader, type JsonObject } from '../../credentials/documentLoader.js';

export type DidAuthenticationProblem = 'invalid_presentation' | 'unsupported_did' | 'wrong_challenge' | 'wrong_domain' | 'holder_mismatch' | 'proof_invalid';

export class DidAuthenticationError extends Error {
  constructor(message: string, readonly code: DidAuthenticationProblem) { super(message); }
}

/** The DID methods a holder may use here, as a presentation request names them. */
export const ACCEPTED_DID_METHODS = ['key'] as const;

// did:key documents as LCW's own driver makes them (Ed25519VerificationKey2020 methods).
const didKeyDriver = didKey.driver();
didKeyDriver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from });

const staticLoader = createDocumentLoader({ resolveDid: async () => undefined });

/** Laurel's contexts, and did:key documents (and their keys) derived from the DID itself. */
export const holderDocumentLoader: DocumentLoader = async (url) => {
  if (url.startsWith('did:key:')) {
    const document = (await didKeyDriver.get({ url }).catch((err: Error) => {
      throw new Error(`The DID ${url.split('#')[0]} could not be read as an Ed25519 did:key: ${err.message}`);
    })) as JsonObject;
    return { contextUrl: null, documentUrl: url, document };
  }
  return staticLoader(url);
};

const sameSecret = (a: unknown, b: string) => typeof a === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export interface ExpectedAuthentication {
  challenge: string;
  /** Laurel's host: the domain a proof must name. */
  domain: string;
  /** False where the wallet is given no domain to sign (LCW's credential request): a proof may then name none. */
  requireDomain?: boolean;
}

/** The holder's DID once `presentation` authenticates it for this challenge and domain; else a DidAuthenticationError saying what is wrong. */
export async function verifyDidAuthentication(presentation: unknown, expected: ExpectedAuthentication): Promise<string> {
  const invalid = (why: string) => new DidAuthenticationError(why, 'invalid_presentation');
  if (!presentation || typeof presentation !== 'object' || Array.isArray(presentation)) throw invalid('The presentation must be a Verifiable Presentation (a JSON object): `verifiablePresentation` in a VC-API exchange, the whole body in a credential request.');
  const vp = presentation as JsonObject;
  if (![vp.type].flat().includes('VerifiablePresentation')) throw invalid('The presentation\'s `type` must include "VerifiablePresentation".');
  const holder = typeof vp.holder === 'string' ? vp.holder : (vp.holder as JsonObject | undefined)?.id;
  if (typeof holder !== 'string' || !holder) throw invalid('The presentation names no `holder`: it must name the DID that receives the badge.');
  if (!holder.startsWith('did:key:')) throw new DidAuthenticationError(`The holder ${holder} is not a did:key: this exchange accepts did:key holders only.`, 'unsupported_did');
  if ([vp.verifiableCredential ?? []].flat().length > 0) throw invalid('The presentation carries credentials: this exchange asks only for a DID authentication, with none.');
  const proofs = [vp.proof ?? []].flat() as JsonObject[];
  if (proofs.length !== 1 || !proofs[0] || typeof proofs[0] !== 'object') throw invalid(`The presentation must carry exactly one proof; it carries ${proofs.length}.`);
  const proof = proofs[0];
  if (proof.proofPurpose !== 'authentication') throw invalid('The proof\'s `proofPurpose` must be "authentication".');
  // Said apart before the signature is checked, so that a wallet learns which it got wrong.
  if (!sameSecret(proof.challenge, expected.challenge)) throw new DidAuthenticationError('The proof\'s challenge is not this exchange\'s: sign the challenge of this exchange\'s presentation request.', 'wrong_challenge');
  const domainless = proof.domain === undefined && expected.requireDomain === false;
  if (!domainless && proof.domain !== expected.domain) throw new DidAuthenticationError(`The proof's domain is not this exchange's: it must be "${expected.domain}".`, 'wrong_domain');
  const signer = typeof proof.verificationMethod === 'string' ? proof.verificationMethod.split('#')[0] : undefined;
  if (signer !== holder) throw new DidAuthenticationError('The presentation is signed with a key of another DID than its holder: the holder must sign it with a key of its own DID.', 'holder_mismatch');

  let result: vc.VerifyPresentationResult;
  try {
    result = await vc.verify({
      presentation: vp,
      challenge: expected.challenge,
      domain: domainless ? undefined : expected.domain,
      suite: [new Ed25519Signature2020(), new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 })],
      documentLoader: holderDocumentLoader,
    });
  } catch {
    result = { verified: false };
  }
  // The key's controller, as the DID document that lists it for authentication says.
  const controller = result.presentationResult?.results?.[0]?.purposeResult?.controller?.id;
  if (!result.verified || controller !== holder) {
    throw new DidAuthenticationError('The presentation\'s proof does not verify with the holder\'s key: sign it again with the key of the holder\'s did:key.', 'proof_invalid');
  }
  return holder;
}
