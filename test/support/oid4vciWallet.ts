/**
 * A wallet that speaks OpenID4VCI 1.0, for tests: @openid4vc/openid4vci's Openid4vciClient (the
 * OpenWallet Foundation's, not Laurel's), with its signing and hashing callbacks done by jose and
 * node:crypto, and three kinds of holder (an Ed25519 did:key, a P-256 did:jwk, a P-256 key sent
 * as a jwk header).
 */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { clientAuthenticationAnonymous, type JwtSigner } from '@openid4vc/oauth2';

export const LDP = 'OpenBadgeCredential_ldp_vc';
export const JWT = 'OpenBadgeCredential_jwt_vc_json';

// --- The holders: keys made with jose; did:key written here, from the multicodec tables, not by Laurel's resolver. ---

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
function base58btc(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) { out = BASE58[Number(n % 58n)] + out; n /= 58n; }
  for (const b of bytes) { if (b !== 0) break; out = `1${out}`; }
  return out;
}

export interface Holder { did: string; signer: JwtSigner; privateKey: CryptoKey; publicJwk: JWK }

export async function ed25519DidKey(): Promise<Holder> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(publicKey);
  // did:key: 'z' + base58btc(multicodec ed25519-pub 0xed 0x01 + the 32 raw bytes)
  const fingerprint = `z${base58btc(new Uint8Array([0xed, 0x01, ...Buffer.from(publicJwk.x!, 'base64url')]))}`;
  const did = `did:key:${fingerprint}`;
  return { did, publicJwk, privateKey, signer: { method: 'did', didUrl: `${did}#${fingerprint}`, alg: 'EdDSA' } };
}

async function p256(): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const { kty, crv, x, y } = await exportJWK(publicKey);
  return { privateKey, publicJwk: { kty, crv, x, y } };
}

export async function p256DidJwk(): Promise<Holder> {
  const { privateKey, publicJwk } = await p256();
  const did = `did:jwk:${Buffer.from(JSON.stringify(publicJwk)).toString('base64url')}`;
  return { did, publicJwk, privateKey, signer: { method: 'did', didUrl: `${did}#0`, alg: 'ES256' } };
}

export async function p256JwkHeader(): Promise<Holder> {
  const { privateKey, publicJwk } = await p256();
  // Laurel names such a holder by the did:jwk of its key (members in RFC 7638 order).
  const did = `did:jwk:${Buffer.from(JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y })).toString('base64url')}`;
  return { did, publicJwk, privateKey, signer: { method: 'jwk', publicJwk: publicJwk as never, alg: 'ES256' } };
}

/** The wallet: the library, with its callbacks done by jose and node:crypto. */
export function walletOf(holder: Holder): Openid4vciClient {
  return new Openid4vciClient({
    callbacks: {
      hash: (data, alg) => createHash(alg.replace('-', '')).update(data).digest(),
      generateRandom: (length) => randomBytes(length),
      clientAuthentication: clientAuthenticationAnonymous(),
      signJwt: async (_signer, { header, payload }) => ({
        jwt: await new SignJWT(payload as JWTPayload).setProtectedHeader(header as never).sign(holder.privateKey),
        signerJwk: holder.publicJwk as never,
      }),
    },
  });
}

/** The whole flow as a wallet runs it: offer, metadata, token, then one nonce and proof per configuration. */
export async function receive(holder: Holder, offerUri: string, txCode: string | undefined, configurations: string[]) {
  const wallet = walletOf(holder);
  const credentialOffer = await wallet.resolveCredentialOffer(offerUri);
  const issuerMetadata = await wallet.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const { accessTokenResponse } = await wallet.retrievePreAuthorizedCodeAccessTokenFromOffer({ credentialOffer, issuerMetadata, txCode });
  const received: Record<string, unknown> = {};
  for (const credentialConfigurationId of configurations) {
    const { c_nonce } = await wallet.requestNonce({ issuerMetadata });
    const { jwt } = await wallet.createCredentialRequestJwtProof({ issuerMetadata, signer: holder.signer, nonce: c_nonce, credentialConfigurationId });
    const answer = await wallet.retrieveCredentials({ issuerMetadata, accessToken: accessTokenResponse.access_token, credentialConfigurationId, proofs: { jwt: [jwt] } });
    const [first] = answer.credentialResponse.credentials!;
    received[credentialConfigurationId] = typeof first === 'object' && first !== null && 'credential' in first ? first.credential : first;
  }
  return { received, issuerMetadata, accessToken: accessTokenResponse.access_token };
}

