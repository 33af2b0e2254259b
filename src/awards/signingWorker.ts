/**
 * A signing thread: the Data Integrity proof, then the VC-JWT over the credential carrying it.
 * Signing is CPU work (RDF canonicalization above all), so a pool of these uses every core while
 * the main thread reads and writes the database.
 */
import { parentPort } from 'node:worker_threads';
import { createDocumentLoader } from '../credentials/documentLoader.js';
import { signDataIntegrity } from '../credentials/dataIntegrity.js';
import { signVcJwt } from '../credentials/vcJwt.js';
import type { SigningJob, SigningResult } from './signingPool.js';

// Signing resolves no DID (only verifying does): contexts come from the static loader.
const documentLoader = createDocumentLoader({ resolveDid: async () => undefined });

async function sign({ id, unsigned, keys, did }: SigningJob & { id: number }): Promise<void> {
  try {
    const credential = await signDataIntegrity(unsigned, keys.ed25519, did, documentLoader);
    const jwt = await signVcJwt(credential as never, keys.rsa, did);
    parentPort!.postMessage({ id, credential, jwt } satisfies SigningResult & { id: number });
  } catch (err) {
    parentPort!.postMessage({ id, error: (err as Error).message });
  }
}

// One job at a time: jobs started together would all hold their JSON-LD work in memory at once.
let queue = Promise.resolve();
parentPort!.on('message', (job: SigningJob & { id: number }) => { queue = queue.then(() => sign(job)); });
