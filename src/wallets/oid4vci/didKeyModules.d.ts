// The parts of Digital Bazaar's did:key resolver and P-256 multikey that holderKey.ts uses (they ship no types).

declare module '@digitalbazaar/did-method-key' {
  interface DidKeyVerificationMethod { id: string; type: string; controller: string; publicKeyMultibase: string }
  interface DidKeyDocument { id: string; verificationMethod: DidKeyVerificationMethod[]; assertionMethod?: string[]; authentication?: string[] }
  interface DidKeyResolver {
    use(o: { multibaseMultikeyHeader: string; fromMultibase: (key: { publicKeyMultibase: string }) => Promise<object> }): void;
    get(o: { did: string }): Promise<DidKeyDocument>;
  }
  export function driver(): DidKeyResolver;
}

declare module '@digitalbazaar/ecdsa-multikey' {
  export interface EcdsaKeyPair { id?: string; controller?: string; publicKeyMultibase?: string }
  export function from(key: object): Promise<EcdsaKeyPair>;
  export function toJwk(options: { keyPair: EcdsaKeyPair; secretKey?: boolean }): Promise<{ kty: 'EC'; crv: string; x: string; y: string }>;
}
