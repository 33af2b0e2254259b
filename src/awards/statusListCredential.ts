/**
 * The public, signed status list credential of one list: re-signed only when a revocation
 * changed it, served from the stored copy otherwise.
 */
import { encodeStatusList, statusListCredential } from '../credentials/statusList.js';
import { signDataIntegrity } from '../credentials/dataIntegrity.js';
import { signedStatusList, statusListOf } from '../store/statusList.js';
import { signingKeys } from '../store/issuerKeys.js';
import { issuerProfileByKey } from '../store/issuerProfile.js';
import { issuerOf, laurelDocumentLoader } from './issuerDocuments.js';

export async function publicStatusList(base: string, listKey: string): Promise<Record<string, unknown> | null> {
  const list = await statusListOf(listKey);
  if (!list) return null;
  return signedStatusList(list, async (revoked) => {
    const profile = await issuerProfileByKey(list.issuerKey);
    if (!profile) throw new Error(`the issuer ${list.issuerKey} of status list ${listKey} has no profile`);
    const issuer = issuerOf(base, profile);
    const keys = await signingKeys(list.issuerKey);
    const unsigned = statusListCredential({ base, issuer, listKey, encodedList: encodeStatusList(revoked), validFrom: new Date() });
    return signDataIntegrity(unsigned, keys.ed25519, issuer.did, laurelDocumentLoader(base));
  }) as Promise<Record<string, unknown>>;
}
