import { describe, expect, it } from 'vitest';
import { createDocumentLoader, staticContextUrls } from '../../src/credentials/documentLoader.js';
import { didDocument } from '../../src/credentials/didDocument.js';
import { readFixture } from './fixtures.js';

const did = 'did:web:badges.example.edu:issuers:canvas-1';
const doc = didDocument(did, { ed25519: [{ id: 'key-ed25519-1', publicKeyMultibase: 'z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK' }], rsa: [] });
const asked: string[] = [];
const loader = createDocumentLoader({
  resolveDid: async (d) => {
    asked.push(d);
    return d === did ? doc : undefined;
  },
});

describe('the static JSON-LD document loader', () => {
  it.each([
    ['https://www.w3.org/ns/credentials/v2', 'contexts/vc-v2.jsonld'],
    ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', 'contexts/ob-v3p0-context-3.0.3.json'],
    ['https://purl.imsglobal.org/spec/ob/v3p0/extensions.json', 'contexts/ob-v3p0-extensions.json'],
    ['https://w3id.org/security/data-integrity/v2', 'contexts/data-integrity-v2.jsonld'],
    ['https://w3id.org/security/multikey/v1', 'contexts/multikey-v1.jsonld'],
    ['https://www.w3.org/ns/credentials/status/v1', 'contexts/vc-bitstring-status-list-v1.jsonld'],
  ])('serves %s exactly as the official copy', async (url, fixture) => {
    expect(await loader(url)).toEqual({ contextUrl: null, documentUrl: url, document: readFixture(fixture) });
  });

  it('serves the DID v1 context', async () => {
    expect(staticContextUrls).toContain('https://www.w3.org/ns/did/v1');
    expect((await loader('https://www.w3.org/ns/did/v1')).document).toHaveProperty('@context.assertionMethod');
  });

  it('serves 1EdTech\'s extensions.json, which defines the credentialSchema type OB 3.0.3 leaves out', async () => {
    const { document } = await loader('https://purl.imsglobal.org/spec/ob/v3p0/extensions.json');
    expect(document).toHaveProperty(['@context', '1EdTechJsonSchemaValidator2019'], 'https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019');
  });

  it('still serves VC 2.0\'s undefined-terms context, to read credentials issued with it before', async () => {
    expect(staticContextUrls).toContain('https://www.w3.org/ns/credentials/undefined-terms/v2');
  });

  it('never fetches: any other URL is an error naming it', async () => {
    await expect(loader('https://example.org/contexts/unknown.jsonld')).rejects.toThrow(
      "https://example.org/contexts/unknown.jsonld is not in Laurel's static contexts",
    );
  });

  it('resolves a did:web through the injected resolver, and a key id to that key with the document\'s contexts', async () => {
    expect((await loader(did)).document).toEqual(doc);
    expect((await loader(`${did}#key-ed25519-1`)).document).toEqual({ '@context': doc['@context'], ...doc.verificationMethod[0] });
    expect(asked).toEqual([did, did]);
  });

  it('says so when a DID is unknown or a key is not in its document', async () => {
    await expect(loader('did:web:elsewhere.example')).rejects.toThrow(/did:web:elsewhere\.example could not be resolved/);
    await expect(loader(`${did}#key-removed`)).rejects.toThrow(/lists no verification method .*#key-removed/);
  });

  it('refuses a DID document that speaks for another DID', async () => {
    const lying = createDocumentLoader({ resolveDid: async () => ({ ...doc, id: 'did:web:attacker.example' }) });
    await expect(lying(did)).rejects.toThrow(/attacker/);
  });
});
