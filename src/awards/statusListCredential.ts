/**
 * The public, signed status list of one list, in both forms a verifier may want: the credential
 * with its Data Integrity proof (JSON) and the same credential as a VC-JWT (RS256, as Laurel's
 * credentials' VC-JWTs are). Each is re-signed only when a revocation changed the list, served
 * from the stored copy otherwise.
 */
import { encodeStatusList, statusListCredential, statusListValidFrom, type BitstringStatusListCredential } from '../credentials/statusList.js';
import { signDataIntegrity } from '../credentials/dataIntegrity.js';
import { signVcJwt } from '../credentials/vcJwt.js';
import { signedStatusList, statusListOf, type StatusListForm } from '../store/statusList.js';
import { signingKeys } from '../store/issuerKeys.js';
import { issuerProfileByKey } from '../store/issuerProfile.js';
import { issuerOf, laurelDocumentLoader } from './issuerDocuments.js';

/** The list signed in `form`, as text (JSON or the compact JWS); null for a list Laurel does not have. */
async function signedList(base: string, listKey: string, form: StatusListForm): Promise<string | null> {
  const list = await statusListOf(listKey);
  if (!list) return null;
  return signedStatusList(list, form, async (revoked) => {
    const profile = await issuerProfileByKey(list.issuerKey);
    if (!profile) throw new Error(`the issuer ${list.issuerKey} of status list ${listKey} has no profile`);
    const issuer = issuerOf(base, profile);
    const keys = await signingKeys(list.issuerKey);
    const unsigned: BitstringStatusListCredential = statusListCredential({ base, issuer, listKey, encodedList: encodeStatusList(revoked), validFrom: statusListValidFrom(new Date()) });
    if (form === 'jwt') return signVcJwt(unsigned, keys.rsa, issuer.did);
    return JSON.stringify(await signDataIntegrity(unsigned, keys.ed25519, issuer.did, laurelDocumentLoader(base)));
  });
}

export async function publicStatusList(base: string, listKey: string): Promise<Record<string, unknown> | null> {
  const text = await signedList(base, listKey, 'json');
  return text === null ? null : (JSON.parse(text) as Record<string, unknown>);
}

/** The list as a VC-JWT: what a verifier checking a credential's VC-JWT fetches. */
export async function publicStatusListJwt(base: string, listKey: string): Promise<string | null> {
  return signedList(base, listKey, 'jwt');
}
