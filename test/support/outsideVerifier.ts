/**
 * An outside verifier of Laurel's credentials, for tests: everything it knows it fetches over
 * HTTP from the running Laurel (DID documents, JWKs, status lists), and it checks with code we
 * did not write: @digitalbazaar/vc for the Data Integrity proof, jose for the VC-JWT,
 * @digitalbazaar/vc-bitstring-status-list for the status bit, ajv with 1EdTech's schema.
 *
 * did:web means https; the test server speaks plain http on loopback, so this resolver maps
 * did:web to http. Contexts come from Laurel's static loader (the verifier must not fetch them either).
 */
import { readFileSync } from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { createLocalJWKSet, jwtVerify } from 'jose';
import Ajv2019 from 'ajv/dist/2019.js';
import { createDocumentLoader } from '../../src/credentials/documentLoader.js';

const fixtures = new URL('../../../shared/fixtures/openbadges/', import.meta.url);

export function didWebToHttp(did: string): string {
  const [, , host, ...path] = did.split(':');
  return `http://${decodeURIComponent(host!)}/${path.length ? path.join('/') : '.well-known'}/did.json`;
}

export const httpDocumentLoader = createDocumentLoader({
  resolveDid: async (did) => {
    const res = await fetch(didWebToHttp(did));
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  },
});

/**
 * The Data Integrity proof checked by @digitalbazaar/vc, and the status bit with it, as a wallet
 * or verifier would: a revoked credential does not verify.
 */
export async function verifyDataIntegrity(credential: object): Promise<{ verified: boolean; error?: unknown }> {
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  const checkStatus = async ({ credential: c }: { credential: Parameters<typeof isRevoked>[0] }) => ({ verified: !(await isRevoked(c)) });
  const result = await vc.verifyCredential({ credential, suite, documentLoader: httpDocumentLoader, checkStatus: checkStatus as never });
  return { verified: result.verified, error: result.error };
}

/** The proof alone (for the status list credential itself, which has no status of its own). */
async function verifyProofOnly(credential: object): Promise<boolean> {
  const suite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  return (await vc.verifyCredential({ credential, suite, documentLoader: httpDocumentLoader })).verified;
}

/** The JWT verified against the JWK set the issuer publishes (fetched from its profile's jwks URL). */
export async function verifyJwt(jwt: string, jwksUrl: string) {
  const jwks = (await (await fetch(jwksUrl)).json()) as { keys: never[] };
  return jwtVerify(jwt, createLocalJWKSet({ keys: jwks.keys }), { algorithms: ['RS256'] });
}

/** Is the credential's bit set in the status list it names (fetched and its proof verified)? */
export async function isRevoked(credential: { credentialStatus: { statusListCredential: string; statusListIndex: string } }): Promise<boolean> {
  const list = (await (await fetch(credential.credentialStatus.statusListCredential)).json()) as { credentialSubject: { encodedList: string } };
  if (!(await verifyProofOnly(list))) throw new Error('the status list\'s own proof does not verify');
  const bits = await decodeList({ encodedList: list.credentialSubject.encodedList });
  return bits.getStatus(Number(credential.credentialStatus.statusListIndex));
}

/** 1EdTech's JSON schema for OB 3.0 credentials (draft 2019-09). */
export function ob3SchemaValidator() {
  const ajv = new Ajv2019.default({ allErrors: true, strict: false, validateFormats: false });
  const schema = JSON.parse(readFileSync(new URL('schema/ob_v3p0_achievementcredential.json', fixtures), 'utf8'));
  return ajv.compile(schema);
}
