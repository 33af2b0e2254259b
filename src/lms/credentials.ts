/**
 * What Laurel stored when the LMS registered it: enough to ask for service tokens at any time,
 * without anyone launching.
 */
import type { KeyObject } from 'node:crypto';

export interface ToolCredentials {
  /** The platform's issuer (cache key together with clientId). */
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  /** Audience of the client assertion; default tokenEndpoint (Canvas wants its token URL). */
  audience?: string;
  /** Key id of Laurel's key, as published in its JWKS. */
  kid: string;
  privateKey: CryptoKey | KeyObject;
}
