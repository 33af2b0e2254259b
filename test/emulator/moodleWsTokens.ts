/**
 * Moodle web-service tokens: an admin creates an external service with a list of allowed
 * functions and issues a token for it, for a Moodle account whose role grants capabilities
 * (digest §10). Kept beside the platform, not in it, so the LTI state stays as it was.
 */
import { randomBytes } from 'node:crypto';
import type { Platform } from './platform.js';

export interface MoodleWsToken {
  /** 32 hex characters, as Moodle issues them. */
  token: string;
  /** The service's allowed functions (wsfunction names). */
  functions: string[];
  /** The service's "Enabled" box: a disabled service refuses every function as if it lacked it. */
  serviceEnabled: boolean;
  /** The capabilities the token's account holds (`moodle/grade:viewall`, `mod/assign:view`); undefined: every one, as a site administrator. */
  capabilities?: string[];
}

export interface MoodleWsTokenOptions {
  functions: string[];
  serviceEnabled?: boolean;
  capabilities?: string[];
}

const tokens = new WeakMap<Platform, Map<string, MoodleWsToken>>();
/** Platforms whose web services (or REST protocol) an administrator turned off. */
const switchedOff = new WeakSet<Platform>();

function tokensOf(p: Platform): Map<string, MoodleWsToken> {
  let known = tokens.get(p);
  if (!known) tokens.set(p, known = new Map());
  return known;
}

export function createMoodleWsToken(p: Platform, o: MoodleWsTokenOptions): string {
  const token = randomBytes(16).toString('hex');
  tokensOf(p).set(token, { token, functions: [...o.functions], serviceEnabled: o.serviceEnabled ?? true, capabilities: o.capabilities && [...o.capabilities] });
  return token;
}

/** Changes a token's service or account, as a Moodle administrator does after the token was made. */
export function changeMoodleWsToken(p: Platform, token: string, o: Partial<MoodleWsTokenOptions>): void {
  const t = tokensOf(p).get(token);
  if (!t) throw new Error('no such Moodle web-service token');
  if (o.functions) t.functions = [...o.functions];
  if (o.serviceEnabled !== undefined) t.serviceEnabled = o.serviceEnabled;
  if ('capabilities' in o) t.capabilities = o.capabilities && [...o.capabilities];
}

export function revokeMoodleWsToken(p: Platform, token: string): void {
  tokensOf(p).delete(token);
}

export function findMoodleWsToken(p: Platform, token: string | undefined): MoodleWsToken | undefined {
  return token ? tokensOf(p).get(token) : undefined;
}

export function setMoodleWebServices(p: Platform, on: boolean): void {
  if (on) switchedOff.delete(p);
  else switchedOff.add(p);
}

export const moodleWebServicesOn = (p: Platform) => !switchedOff.has(p);

/** Whether the token's account holds a capability. */
export const tokenCan = (t: MoodleWsToken, capability: string) => !t.capabilities || t.capabilities.includes(capability);
