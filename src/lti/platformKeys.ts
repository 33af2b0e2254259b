/**
 * The platform's signing keys, fetched from its JWKS URL and cached; jose refetches once
 * (at most every 30 s) when an id_token names a `kid` the cache does not hold.
 */
import { createRemoteJWKSet } from 'jose';

type KeySet = ReturnType<typeof createRemoteJWKSet>;
const keySets = new Map<string, KeySet>();

export function platformKeySet(jwksUri: string): KeySet {
  let keySet = keySets.get(jwksUri);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
    keySets.set(jwksUri, keySet);
  }
  return keySet;
}
