// The parts of the Digital Credentials Consortium's packages that the Learner Credential Wallet
// signs with, as the tests drive it (they ship no types). Loose on purpose.

declare module '@digitalcredentials/vc' {
  type Loader = (url: string) => Promise<unknown>;
  export function createPresentation(options: { holder?: string; verifiableCredential?: object[]; verify?: boolean }): Record<string, unknown>;
  export function signPresentation(options: { presentation: object; suite: object; challenge?: string; domain?: string; documentLoader: Loader }): Promise<Record<string, unknown> & { proof: Record<string, unknown> }>;
}

declare module '@digitalcredentials/ed25519-verification-key-2020' {
  export class Ed25519VerificationKey2020 {
    id: string;
    controller: string;
    static generate(options?: { seed?: Uint8Array }): Promise<Ed25519VerificationKey2020>;
    static from(options: object): Promise<Ed25519VerificationKey2020>;
    fingerprint(): string;
    export(options: { publicKey?: boolean; privateKey?: boolean }): Record<string, unknown>;
    signer(): { id: string; algorithm: string; sign(o: { data: Uint8Array }): Promise<Uint8Array> };
  }
}

declare module '@digitalcredentials/ed25519-signature-2020' {
  export class Ed25519Signature2020 {
    constructor(options?: { key?: object; signer?: object });
  }
}

declare module '@digitalcredentials/did-method-key' {
  export function driver(): {
    use(options: { multibaseMultikeyHeader: string; fromMultibase: (o: object) => Promise<object> }): void;
    fromKeyPair(options: { verificationKeyPair: object }): Promise<{ didDocument: { id: string; authentication: string[] } & Record<string, unknown> }>;
  };
}

declare module '@digitalcredentials/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: { signer?: object; cryptosuite: object });
  }
}

declare module '@digitalcredentials/eddsa-rdfc-2022-cryptosuite' {
  export const cryptosuite: { name: string };
}

declare module '@digitalcredentials/ed25519-multikey' {
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<{
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    signer(): { id: string; algorithm: string; sign(o: { data: Uint8Array }): Promise<Uint8Array> };
  }>;
}
