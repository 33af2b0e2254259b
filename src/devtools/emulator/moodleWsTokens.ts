/**
 * Moodle web-service tokens: an admin creates an external service with a list of allowed
 * functions and issues a token for it (digest §10). Kept beside the platform, not in it, so the
 * LTI state stays as it was.
 */
import { randomBytes } from 'node:crypto';
import type { Platform } from './platform.js';

export interface MoodleWsToken {
  /** 32 hex characters, as Moodle issues them. */
  token: string;
  /** The service's allowed functions (wsfunction names). */
  functions: string[];
}

const tokens = new WeakMap<Platform, Map<string, MoodleWsToken>>();

function tokensOf(p: Platform): Map<string, MoodleWsToken> {
  let known = tokens.get(p);
  if (!known) tokens.set(p, known = new Map());
  return known;
}

export function createMoodleWsToken(p: Platform, o: { functions: string[] }): string {
  const token = randomBytes(16).toString('hex');
  tokensOf(p).set(token, { token, functions: [...o.functions] });
  return token;
}

export function revokeMoodleWsToken(p: Platform, token: string): void {
  tokensOf(p).delete(token);
}

export function findMoodleWsToken(p: Platform, token: string | undefined): MoodleWsToken | undefined {
  return token ? tokensOf(p).get(token) : undefined;
}
