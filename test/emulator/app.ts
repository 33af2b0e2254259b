/**
 * The emulator's HTTP surface: every endpoint a tool or a browser reaches, at the flavour's paths.
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { mountAgs } from './ags.js';
import { caught } from './caught.js';
import { mountCanvasRest } from './canvasRest.js';
import { deepLinkReturn } from './deepLinking.js';
import { LAUNCH_PATH, launchHandler } from './launch.js';
import { mountMoodleWs } from './moodleWs.js';
import { mountNrps } from './nrps.js';
import { mountAuthEndpoint } from './oidc.js';
import { openidConfigurationHandler } from './openidConfiguration.js';
import type { Platform } from './platform.js';
import { STORAGE_FRAME_PATH, storageFrame } from './platformStorage.js';
import { DR_IFRAME_PATH, drIframe, REGISTERED_PAGE_PATH, REGISTER_PAGE_PATH, registeredPage, registerPage, registrationEndpoint } from './registration.js';
import { logServiceRequests, serviceError, throttleServiceRequests } from './serviceGuard.js';
import { tokenEndpoint } from './token.js';

/** 1×1 transparent PNG, so the `picture` URLs the emulator hands out resolve. */
const AVATAR = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export function createApp(p: Platform): Express {
  const app = express();
  app.disable('x-powered-by');
  if (p.latencyMs) app.use((_req, _res, next) => { setTimeout(next, p.latencyMs); });
  app.use(express.urlencoded({ extended: false }));

  app.get(['/.well-known/openid-configuration', p.paths.openidConfiguration], openidConfigurationHandler(p));
  app.get(p.paths.jwks, (_req, res) => { res.json(p.keys.jwks); });
  app.post(p.paths.registration, express.json(), registrationEndpoint(p));
  app.get(REGISTER_PAGE_PATH, registerPage(p));
  app.get(REGISTERED_PAGE_PATH, registeredPage(p));
  if (p.flavour === 'canvas') app.get(DR_IFRAME_PATH, drIframe(p));

  app.get(LAUNCH_PATH, caught(launchHandler(p)));
  if (p.flavour === 'canvas') app.get(STORAGE_FRAME_PATH, storageFrame(p));
  mountAuthEndpoint(app, p);
  app.post(p.paths.deepLinkReturn, caught(deepLinkReturn(p)));

  if (p.flavour === 'canvas') mountCanvasRest(app, p); // before the LTI token endpoint: OAuth grants share its path
  app.post(p.paths.token, logServiceRequests(p), throttleServiceRequests(p), express.json(), caught(tokenEndpoint(p)));
  mountAgs(app, p);
  mountNrps(app, p);
  mountMoodleWs(app, p); // Moodle only: web services beyond LTI (digest §10)

  app.get('/images/messages/avatar-50.png', (_req, res) => { res.type('png').send(AVATAR); });
  // Unparseable bodies and unexpected failures, worded as the flavour words service errors.
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    serviceError(p, res, err.status ?? 500, err.status ? `Invalid request: ${err.message}` : `Emulator error: ${err.message}`);
  });
  return app;
}

