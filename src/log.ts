/**
 * Structured JSON logs (pino) with a request id on every line. Session tokens (ltik),
 * id_tokens and secrets never reach a log line.
 */
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { RequestHandler } from 'express';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'laurel' },
    redact: { paths: ['*.id_token', '*.ltik', '*.secret', '*.authorization', '*.client_assertion', '*.access_token'], censor: '[redacted]' },
  }, destination);
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ reqId: req.id });
    res.setHeader('X-Request-Id', req.id);
    // Every page may show it (error pages do): what a person gives an administrator to find the logs.
    res.locals.requestId = req.id;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The path only: query strings carry session tokens.
      req.log.info({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}
