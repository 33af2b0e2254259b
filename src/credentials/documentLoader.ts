/**
 * The JSON-LD document loader every proof is made and checked with. Contexts come from this
 * folder and the npm context packages, never from the network: a context fetched at run time
 * could change what a signed credential means. DIDs are resolved by a function the caller
 * injects (Laurel reads its database, tests GET over HTTP), so this file stays pure.
 */
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as didContexts } from 'did-context';
import { contexts as statusListContexts } from '@digitalbazaar/vc-bitstring-status-list-context';
import { contexts as ed25519Signature2020Contexts } from 'ed25519-signature-2020-context';
import obContext from './contexts/ob-v3p0-context-3.0.3.json' with { type: 'json' };
import obExtensionsContext from './contexts/ob-v3p0-extensions.json' with { type: 'json' };

export type JsonObject = { [key: string]: unknown };

/** What jsonld.js expects back from a document loader. */
export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: JsonObject;
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** Resolves a DID (without fragment) to its DID document, or undefined when it is unknown. */
export type ResolveDid = (did: string) => Promise<JsonObject | undefined>;

export const OB_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
/** 1EdTech's context for the terms OB 3.0.3 leaves out (`1EdTechJsonSchemaValidator2019`); verifiers ship it. */
export const OB_EXTENSIONS_CONTEXT_URL = 'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json';

const staticDocuments = new Map<string, RemoteDocument>();
// Ed25519Signature2020's context: wallets (the DCC's LCW) sign their DID authentication with it.
for (const map of [credentialsContexts, dataIntegrityContexts, multikeyContexts, didContexts, statusListContexts, ed25519Signature2020Contexts]) {
  for (const [url, document] of map) staticDocuments.set(url, { contextUrl: null, documentUrl: url, document: document as JsonObject });
}
staticDocuments.set(OB_CONTEXT_URL, { contextUrl: null, documentUrl: OB_CONTEXT_URL, document: obContext as JsonObject });
staticDocuments.set(OB_EXTENSIONS_CONTEXT_URL, { contextUrl: null, documentUrl: OB_EXTENSIONS_CONTEXT_URL, document: obExtensionsContext as JsonObject });
// VC 2.0's undefined-terms context (from @digitalbazaar/credentials-context) stays above for reading
// credentials issued before extensions.json replaced it; Laurel no longer emits it.

/** The URLs of the contexts the loader serves, for tests and diagnostics. */
export const staticContextUrls: readonly string[] = [...staticDocuments.keys()];

export function createDocumentLoader({ resolveDid }: { resolveDid: ResolveDid }): DocumentLoader {
  return async (url: string) => {
    const known = staticDocuments.get(url);
    if (known) return known;
    if (url.startsWith('did:web:')) return loadDid(url, resolveDid);
    throw new Error(`${url} is not in Laurel's static contexts, and Laurel never fetches one at run time.`);
  };
}

async function loadDid(url: string, resolveDid: ResolveDid): Promise<RemoteDocument> {
  const hash = url.indexOf('#');
  const did = hash === -1 ? url : url.slice(0, hash);
  let didDoc: JsonObject | undefined;
  try {
    didDoc = await resolveDid(did);
  } catch (err) {
    throw new Error(`The DID ${did} could not be resolved: ${(err as Error).message}`);
  }
  if (!didDoc) throw new Error(`The DID ${did} could not be resolved: its issuer is unknown or publishes no DID document.`);
  // A document answering for another DID would let one issuer speak for another.
  if (didDoc.id !== did) throw new Error(`The DID document found for ${did} is about ${String(didDoc.id)}.`);
  if (hash === -1) return { contextUrl: null, documentUrl: url, document: didDoc };

  const fragment = url.slice(hash);
  const methods = Array.isArray(didDoc.verificationMethod) ? (didDoc.verificationMethod as JsonObject[]) : [];
  const method = methods.find((m) => m.id === url || m.id === fragment);
  if (!method) throw new Error(`The DID document of ${did} lists no verification method ${url} (a removed or mistyped key).`);
  // The method carries the document's contexts, so Multikey and JsonWebKey keep their meaning.
  return { contextUrl: null, documentUrl: url, document: { '@context': didDoc['@context'], ...method, id: url } };
}
