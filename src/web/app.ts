/**
 * Laurel's HTTP application: security headers and request logs around everything, public
 * routes first, then ltijs (launch, keys, registration) and the pages that need a launch.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/index.js';
import { requestLog } from '../log.js';
import { setupProvider } from '../lti/provider.js';
import { loginRouter } from './lti/login.js';
import { installLaunchGuards } from './lti/launch.js';
import { dynamicRegistration } from './lti/registration.js';
import { deepLinkingHandler } from './lti/deepLinking.js';
import { findPlatformForLaunch } from '../lti/platforms.js';
import { platformKeySet } from '../lti/platformKeys.js';
import { canvasDeveloperKey } from '../lti/canvasConfig.js';
import { ROUTES } from '../lti/scopes.js';
import { acceptDeployment } from '../store/deployment.js';
import { useNonce } from '../store/usedNonce.js';
import { landing } from './lti/landing.js';
import { courseStaffPages } from './course/index.js';
import { learnerPages } from './learner/index.js';
import { courseApi } from './api/courseApi.js';
import { awardApi } from './api/awardApi.js';
import { adminPages } from './admin/adminPages.js';
import { health } from './health.js';
import { favicon } from './favicon.js';
import { sendProblem } from './shared/errorPage.js';
import { rateLimits } from './rateLimits.js';
import { PlatformOrigins } from './shared/frameAncestors.js';
import { issuerRoutes } from './public/issuerRoutes.js';
import { pageLanguage } from './shared/pageLanguage.js';
import { bodyErrors } from './shared/bodyErrors.js';
import { credentialRoutes } from './public/credentialRoutes.js';
import { statusRoutes } from './public/statusRoutes.js';
import { verifyPage } from './public/verifyPage.js';
import { profilePage } from './public/profilePage.js';
import { sharePublicly } from './public/publicJson.js';
import { walletRoutes } from './wallets/index.js';
import { openToWallets, WALLET_PATHS } from './wallets/openToWallets.js';
import { configureSealing } from '../secrets/sealed.js';
import { setPublicBase, publicBase } from '../publicBase.js';
import { canvasCallback } from './course/canvasConnect.js';

const ANY_SITE_FRAMES = new Set<string>([ROUTES.register, ROUTES.login, ROUTES.loginCheck]);

const here = dirname(fileURLToPath(import.meta.url));
// Works from src/web (tsx, vitest) and from dist/src/web (node).
const projectRoot = resolve(here, '..', '..', ...(here.includes(`${join('dist', 'src')}`) ? ['..'] : []));

export interface Laurel {
  app: Express;
  platformOrigins: PlatformOrigins;
}

export async function createLaurel(config: Config, logger: Logger, mongodbUri: string): Promise<Laurel> {
  const secureCookies = config.publicUrl.startsWith('https://');
  configureSealing(config.secret, config.previousSecrets);
  setPublicBase(config.publicUrl);
  const base = publicBase();
  const platformOrigins = new PlatformOrigins();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', join(projectRoot, 'views'));

  app.use(requestLog(logger));
  app.use(pageLanguage);
  app.use(helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'https:'], // institutions' logos live on their own sites
        formAction: ["'self'", () => platformOrigins.frameAncestors().join(' ')],
        // The LMS frames the registration page before it is a registered platform (Moodle's
        // dialog; Canvas nests it in two iframes on the school's host): it may be framed by any
        // site. It only registers with the platform whose token it carries, and shows no data.
        // The login initiation (and its cookie check) comes before any validated launch, so before
        // Laurel can know the school's host that frames it (cloud Canvas shows courses from hosts no
        // registration names): any site may frame it too. It shows no data; the launch it leads to
        // is framed only by the sites that launch names (launch.ts). Other pages: the platforms and
        // the sites they show Laurel from (frameAncestors.ts).
        frameAncestors: [(req) => (ANY_SITE_FRAMES.has((req as express.Request).path) ? '*' : ["'self'", ...platformOrigins.frameAncestors()].join(' '))],
        upgradeInsecureRequests: secureCookies ? [] : null,
      },
    },
    frameguard: false, // framing is governed by frame-ancestors: registered platforms (any site for registration)
    crossOriginOpenerPolicy: false, // dynamic registration may run in a popup that must reach window.opener
  }));

  // Laurel's logo is the registration's logo_uri: the LMS shows it on its own pages.
  app.use('/assets', express.static(join(projectRoot, 'views', 'assets'), {
    maxAge: '1h', index: false,
    setHeaders: (res, path) => { if (/\.(svg|png)$/.test(path)) sharePublicly(res); },
  }));
  app.use(favicon(join(projectRoot, 'views', 'assets', 'laurel.svg')));
  app.use(health());
  app.use(WALLET_PATHS, openToWallets);
  app.use(rateLimits(config.rateLimits, logger));
  app.get(ROUTES.canvasConfig, (_req, res) => { res.json(canvasDeveloperKey(config.publicUrl)); });
  const storageOrigins = (issuer: string, clientId: string) => platformOrigins.ofPlatform(issuer, clientId);
  app.use(loginRouter({ publicUrl: config.publicUrl, secureCookies, storageOrigins }));
  // Public: what verifiers, employers and wallets read, with no session.
  app.use(issuerRoutes(base), credentialRoutes(base), statusRoutes(base), verifyPage(base), profilePage(base));
  app.use(walletRoutes());
  app.use(canvasCallback(config.publicUrl));

  const lti = await setupProvider({
    secret: config.secret,
    previousSecrets: config.previousSecrets,
    mongodbUri,
    publicUrl: config.publicUrl,
    beforeValidation: (ltiApp) => installLaunchGuards(ltiApp, {
      secureCookies,
      secret: config.secret,
      sessionMaxAgeMinutes: config.sessionMaxAgeMinutes,
      onFrameOrigins: (origins, platform) => platformOrigins.remember(origins, platform),
      storageOrigins,
      checks: { findPlatform: findPlatformForLaunch, keySet: platformKeySet, acceptDeployment, useNonce },
    }),
  });
  lti.app.set('view engine', 'ejs');
  lti.app.set('views', join(projectRoot, 'views'));
  lti.onConnect(landing);
  lti.onDeepLinking(deepLinkingHandler(config.publicUrl));
  lti.onDynamicRegistration(dynamicRegistration({
    publicUrl: config.publicUrl,
    mode: config.registrationMode,
    onRegistered: () => { platformOrigins.refresh().catch((err) => logger.error({ err }, 'could not reload platform origins')); },
  }));
  const unauthorized = (reason: string, title: string) => (req: express.Request, res: express.Response) => sendProblem(req, res, {
    status: 401, reason, title, detail: String((res.locals.err as { details?: { message?: string } } | undefined)?.details?.message ?? 'No valid Laurel session.'),
    todo: 'Open Laurel again from your course.',
  });
  lti.onInvalidToken(unauthorized('invalid_session', 'Laurel could not verify this request'));
  lti.onSessionTimeout(unauthorized('session_not_found', 'Your Laurel session was not found'));
  lti.app.use(courseStaffPages(config.publicUrl));
  lti.app.use(learnerPages());
  lti.app.use(courseApi());
  lti.app.use(awardApi());
  lti.app.use(adminPages({ syncIntervalMinutes: config.syncIntervalMinutes, retentionDays: config.retentionDays, platformOrigins }));
  app.use(lti.app);

  app.use((req, res) => sendProblem(req, res, { status: 404, reason: 'not_found', title: 'Page not found', detail: `Nothing lives at ${req.path}.`, params: { path: req.path } }));
  app.use(bodyErrors);
  app.use((err: Error, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    req.log.error({ err }, 'unhandled error');
    if (res.headersSent) return;
    sendProblem(req, res, { status: 500, reason: 'internal_error', title: 'Something went wrong in Laurel', detail: 'The error was logged.', todo: `Try again; if it persists, give your administrator the request id ${req.id}.`, params: { requestId: String(req.id) } });
  });

  await platformOrigins.refresh();
  platformOrigins.start(60_000, (err) => logger.error({ err }, 'could not reload platform origins'));
  return { app, platformOrigins };
}
