// The parts of Digital Bazaar's packages that check a wallet's DID authentication (they ship no
// types): presentations, Ed25519Signature2020, and did:key. Loose on purpose, as in
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
  export interface DidKeyDriver {
    use(options: { multibaseMultikeyHeader: string; fromMultibase: (options: object) => Promise<object> }): void;
    get(options: { did?: string; url?: string }): Promise<object>;
  }
  export function driver(): DidKeyDriver;
}

declare module 'ed25519-signature-2020-context' {
  export const contexts: Map<string, object>;
  export const CONTEXT_URL: string;
}
