/**
 * The credential's second VC-JWT, signed with EdDSA under the issuer's Ed25519 key (the key of
 * its Data Integrity proof, listed in the DID document as a Multikey): for wallets built on
 * did-jwt, which verify no RS256. The RS256 VC-JWT stays the one stored and linked first, as
 * OB 3.0 requires. This one is signed when asked for, with the issuer's current key: Ed25519
 * signatures are deterministic, so it is the same JWT every time until the keys rotate, and
 * credentials issued before it existed have one too.
 */
import { signVcJwt } from '../credentials/vcJwt.js';
import { signingKeys } from '../store/issuerKeys.js';
import type { IssuedCredential } from '../store/issuedCredential.js';

export async function eddsaVcJwt(issued: IssuedCredential): Promise<string> {
  const { ed25519 } = await signingKeys(issued.issuerKey);
  return signVcJwt(issued.credential as never, ed25519, issued.facts.issuer.did);
}
