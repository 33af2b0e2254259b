// The parts of Digital Bazaar's VC packages that credentials/ uses (they ship no types).
// Loose on purpose: JSON-LD documents go in and out as plain objects.

declare module '@digitalbazaar/vc' {
  type Loader = (url: string) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown }>;
  export interface VerifyResult {
    verified: boolean;
    error?: Error & { errors?: Error[] };
    results?: { verified: boolean; error?: Error & { errors?: Error[] } }[];
  }
  export function issue<T extends object>(options: { credential: T; suite: object; documentLoader: Loader; now?: Date | string }): Promise<T & { proof: Record<string, unknown> }>;
  export function verifyCredential(options: {
    credential: object;
    suite: object | object[];
    documentLoader: Loader;
    checkStatus?: (options: object) => Promise<{ verified: boolean }>;
    now?: Date | string;
  }): Promise<VerifyResult>;
}

declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: { signer?: object; cryptosuite: object; date?: Date | string | null });
  }
}

declare module '@digitalbazaar/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: { name: string };
}

declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    signer(): { id: string; algorithm: string; sign(o: { data: Uint8Array }): Promise<Uint8Array> };
    verifier(): { id: string; algorithm: string; verify(o: { data: Uint8Array; signature: Uint8Array }): Promise<boolean> };
  }
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: object): Promise<Ed25519KeyPair>;
  export function toJwk(options: { keyPair: Ed25519KeyPair; secretKey?: boolean }): Promise<{ kty: 'OKP'; crv: 'Ed25519'; x: string; d?: string }>;
}

declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, object>;
  export const named: Map<string, { id: string; context: object }>;
}

declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
}

declare module '@digitalbazaar/multikey-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
}

declare module 'did-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
}

declare module '@digitalbazaar/vc-bitstring-status-list-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
}
