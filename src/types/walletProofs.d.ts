// The parts of Digital Bazaar's packages that check a wallet's DID authentication (they ship no
// types): presentations, Ed25519Signature2020, did:key, and P-256 multikeys. Loose on purpose, as in
// credentials/digitalbazaar.d.ts, whose '@digitalbazaar/vc' declaration this one adds to.

declare module '@digitalbazaar/vc' {
  export interface VerifyPresentationResult {
    verified: boolean;
    error?: Error & { errors?: Error[] };
    presentationResult?: {
      verified: boolean;
      results?: { verified: boolean; error?: Error; purposeResult?: { valid: boolean; controller?: { id?: string } } }[];
    };
  }
  export function verify(options: {
    presentation: object;
    challenge: string;
    domain?: string;
    suite: object | object[];
    documentLoader: (url: string) => Promise<{ contextUrl: string | null; documentUrl: string; document: unknown }>;
  }): Promise<VerifyPresentationResult>;
}

declare module '@digitalbazaar/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(options?: { key?: object; signer?: object; verificationMethod?: string });
  }
}

declare module '@digitalbazaar/ed25519-verification-key-2020' {
  export class Ed25519VerificationKey2020 {
    static from(options: object): Promise<Ed25519VerificationKey2020>;
  }
}

declare module '@digitalbazaar/did-method-key' {
  interface DidKeyVerificationMethod { id: string; type: string; controller: string; publicKeyMultibase: string }
  interface DidKeyDocument { id: string; verificationMethod: DidKeyVerificationMethod[]; assertionMethod?: string[]; authentication?: string[]; [term: string]: unknown }
  export interface DidKeyDriver {
    use(options: { multibaseMultikeyHeader: string; fromMultibase: (key: { publicKeyMultibase: string }) => Promise<object> }): void;
    /** The DID's document, or with `url` (a key's id) that key's verification method. */
    get(options: { did?: string; url?: string }): Promise<DidKeyDocument>;
  }
  export function driver(): DidKeyDriver;
}

declare module '@digitalbazaar/ecdsa-multikey' {
  export interface EcdsaKeyPair { id?: string; controller?: string; publicKeyMultibase?: string }
  export function from(key: object): Promise<EcdsaKeyPair>;
  export function toJwk(options: { keyPair: EcdsaKeyPair; secretKey?: boolean }): Promise<{ kty: 'EC'; crv: string; x: string; y: string }>;
}

declare module 'ed25519-signature-2020-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
}
