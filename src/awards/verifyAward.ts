/**
 * The status of an issued credential, found the way an outside verifier finds it: both proofs
 * checked against the issuer's published keys, the status list credential checked and read, the
 * validity dates compared with now. What the public page shows comes from here, not from the
 * award record.
 */
import { verifyOpenBadge } from '../credentials/verifyCredential.js';
import { credentialByPublicId, type IssuedCredential } from '../store/issuedCredential.js';
import { issuerJwks, laurelDocumentLoader } from './issuerDocuments.js';
import { publicStatusList } from './statusListCredential.js';

export type Verification = Awaited<ReturnType<typeof verifyOpenBadge>>;

export async function verifyIssued(base: string, issued: IssuedCredential, now = new Date()): Promise<Verification> {
  const documentLoader = laurelDocumentLoader(base);
  return verifyOpenBadge({
    credential: issued.credential,
    jwt: issued.jwt,
    documentLoader,
    resolveKey: async (kid: string) => {
      const jwks = (await issuerJwks(base, issued.issuerKey)) as { keys: { kid?: string }[] } | null;
      return jwks?.keys.find((k) => k.kid === kid);
    },
    fetchStatusList: async (url: string) => {
      const listKey = url.slice(`${base}/status/`.length);
      const list = url.startsWith(`${base}/status/`) ? await publicStatusList(base, listKey) : null;
      if (!list) throw new Error(`the status list ${url} is not Laurel's`);
      return list;
    },
    now,
  });
}

export async function verifyAward(base: string, publicId: string, now = new Date()): Promise<{ issued: IssuedCredential; verification: Verification } | null> {
  const issued = await credentialByPublicId(publicId);
  return issued ? { issued, verification: await verifyIssued(base, issued, now) } : null;
}
