/**
 * ltijs, set up as Laurel's LTI engine: the platform registry with one tool key pair per
 * platform (encrypted at rest with LAUREL_SECRET, see secrets/ltijsData.ts), the JWKS at
 * /lti/keys, launch storage and the `ltik` session token, Deep Linking messages. Laurel's own checks run first (see launch.ts), because ltijs
 * leaves some to the tool: unknown deployments, iat in the future, Platform Storage state.
 * ltijs's records are kept by store/ltijsDatabase.ts, each under a key a launch finds it by.
 */
import ltijs, { type LtijsProvider } from 'ltijs';
import type { Express } from 'express';
import { ROUTES } from './scopes.js';
import { readLtijsWithPreviousSecrets } from '../secrets/ltijsData.js';
import { LtijsDatabase } from '../store/ltijsDatabase.js';

export const lti: LtijsProvider = ltijs.Provider;

export interface ProviderOptions {
  secret: string;
  /** LAUREL_SECRET_PREVIOUS: ltijs also reads what these encrypted, during a rotation. */
  previousSecrets?: readonly string[];
  mongodbUri: string;
  publicUrl: string;
  /** Runs inside ltijs's express app after its body and cookie parsers, before its launch validation. */
  beforeValidation: (app: Express) => void;
}

export async function setupProvider(o: ProviderOptions): Promise<LtijsProvider> {
  const database = new LtijsDatabase();
  lti.setup(o.secret, { url: o.mongodbUri, plugin: database }, {
    appRoute: ROUTES.launch,
    loginRoute: ROUTES.login, // answered by Laurel's login.ts (Platform Storage), mounted before ltijs
    keysetRoute: ROUTES.keys,
    dynRegRoute: ROUTES.register,
    // Laurel keeps no session cookie: the ltik token travels in URLs and headers, which works
    // inside an LMS iframe whose cookies the browser blocks.
    ltiaas: true,
    cors: false,
    tokenMaxAge: 300,
    serverAddon: o.beforeValidation,
    // ltijs serves /lti/register only when this is set; Laurel's own handler answers it (registration.ts).
    dynReg: { url: o.publicUrl, name: 'Laurel' },
  });
  readLtijsWithPreviousSecrets(database, o.previousSecrets ?? []);
  // Laurel is already connected (one mongoose connection); ltijs only marks itself ready.
  const sigintListeners = process.listeners('SIGINT');
  await lti.deploy({ serverless: true, silent: true });
  // ltijs adds a SIGINT handler that exits at once; Laurel shuts down gracefully itself.
  for (const listener of process.listeners('SIGINT')) if (!sigintListeners.includes(listener)) process.off('SIGINT', listener);
  return lti;
}
