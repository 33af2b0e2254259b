/**
 * /favicon.ico: browsers ask for it beside every page, the public ones included. Without it the
 * request fell through to the session check, answered 401 and logged a warning each time. It is
 * Laurel's logo, drawn small once.
 */
import { readFile } from 'node:fs/promises';
import { Router } from 'express';
import sharp from 'sharp';
import { asyncRoute } from './shared/asyncRoute.js';

export function favicon(logoSvgPath: string): Router {
  const router = Router();
  let png: Promise<Buffer> | undefined;
  router.get('/favicon.ico', asyncRoute(async (_req, res) => {
    png ??= readFile(logoSvgPath).then((svg) => sharp(svg, { density: 72 }).resize(32, 32).png().toBuffer());
    res.set('Cache-Control', 'public, max-age=86400');
    res.type('image/png').send(await png);
  }));
  return router;
}
