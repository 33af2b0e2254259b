/**
 * Wallets call Laurel from phones and from web pages: any origin may, since no cookie or session
 * is involved. Mounted before the rate limits (web/app.ts), so that a wallet running in a browser
 * reads a 429 and its Retry-After rather than a CORS failure; preflights are answered here.
 */
import type { NextFunction, Request, Response } from 'express';
import { CREDENTIAL_REQUEST_PATH, EXCHANGE_PATH } from '../../wallets/vcApi/exchange.js';
import { OID4VCI_PATHS } from './oid4vciRoutes.js';

export const WALLET_PATHS = [...Object.values(OID4VCI_PATHS), EXCHANGE_PATH, CREDENTIAL_REQUEST_PATH];

export function openToWallets(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate, Retry-After, RateLimit, RateLimit-Policy');
  if (req.method !== 'OPTIONS') return next();
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, DPoP');
  res.setHeader('Access-Control-Max-Age', '600');
  res.status(204).end();
}
