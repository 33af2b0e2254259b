/**
 * Moodle's REST web-service server, `/webservice/rest/server.php` (digest §10): checks the token
 * and the service's function list, validates parameters, runs the function. Like Moodle, every
 * failure is an HTTP 200 whose JSON body names the exception: a client must read the body.
 */
import type { Express, Request } from 'express';
import type { Platform } from './platform.js';
import { logServiceRequests, throttleServiceRequests } from './serviceGuard.js';
import { findMoodleWsToken, moodleWebServicesOn, tokenCan, type MoodleWsToken } from './moodleWsTokens.js';
import { MOODLE_WS_FUNCTIONS } from './moodleWsFunctions.js';
import { accessException, invalidParameter, missingRecord, moodleException, MoodleWsError } from './moodleWsErrors.js';

export const MOODLE_WS_PATH = '/webservice/rest/server.php';

/**
 * The call's parameters as Moodle's flat form names (`courseid`, `options[0][name]`), from the query
 * and the form body alike; Moodle's own `wstoken`, `wsfunction` and `moodlews*` settings left out.
 */
export class WsArgs {
  constructor(private readonly fields: Map<string, string>) {}

  /** Top-level parameter names (`options` for `options[0][name]`). */
  names(): string[] {
    return [...new Set([...this.fields.keys()].map((k) => k.split('[')[0]!))];
  }

  /** An integer parameter (PARAM_INT); `fallback` when absent, an error when absent and required. */
  int(name: string, fallback?: number): number {
    const raw = this.fields.get(name);
    if (raw === undefined) {
      if (fallback === undefined) throw invalidParameter(`${name} => Invalid parameter value detected (Missing required key in single structure: ${name})`);
      return fallback;
    }
    if (!/^-?\d+$/.test(raw.trim())) throw invalidParameter(`${name} => Invalid parameter value detected (Invalid external api parameter: the value is "${raw}", the server was expecting "int" type)`);
    return Number(raw);
  }

  /** A list of structures sent as `name[i][key]` (core_message_send_instant_messages's `messages[0][touserid]`), each as its keys' raw values. */
  structs(name: string): Record<string, string>[] {
    const out: Record<string, string>[] = [];
    const pattern = new RegExp(`^${name}\\[(\\d+)\\]\\[(\\w+)\\]$`);
    for (const [field, value] of this.fields) {
      const m = pattern.exec(field);
      if (!m) continue;
      (out[Number(m[1])] ??= {})[m[2]!] = value;
    }
    return out.filter(Boolean);
  }

  /** A list of `{ name, value }` pairs sent as `name[i][name]` and `name[i][value]`. */
  nameValues(name: string): { name: string; value: string }[] {
    const out: { name: string; value: string }[] = [];
    for (let i = 0; ; i++) {
      const n = this.fields.get(`${name}[${i}][name]`);
      const v = this.fields.get(`${name}[${i}][value]`);
      if (n === undefined && v === undefined) return out;
      if (n === undefined || v === undefined) throw invalidParameter(`${name} => Invalid parameter value detected (Missing required key in single structure: ${n === undefined ? 'name' : 'value'})`);
      out.push({ name: n, value: v });
    }
  }
}

/** Who calls: the token's account, which is enrolled in no course (Laurel's account is not). */
export interface WsCaller {
  can(capability: string): boolean;
}

export interface WsFunction {
  /** Top-level parameter names the function declares; any other is refused, as Moodle does. */
  params: string[];
  run(p: Platform, args: WsArgs, caller: WsCaller): unknown;
}

/** Mounts the REST server on a Moodle emulator; a Canvas one has no such path. */
export function mountMoodleWs(app: Express, p: Platform): void {
  if (p.flavour !== 'moodle') return;
  // Logged and throttled like the LTI services (a proxy in front of Moodle answers 429).
  app.all(MOODLE_WS_PATH, logServiceRequests(p), throttleServiceRequests(p), (req, res) => {
    // server.php dies with a bare 403 when web services or the REST protocol are off.
    if (!moodleWebServicesOn(p)) { res.status(403).end(); return; }
    try {
      res.json(call(p, req));
    } catch (err) {
      const e = err instanceof MoodleWsError ? err : moodleException('generalexceptionmessage', `Emulator error: ${(err as Error).message}`);
      res.json({ exception: e.exception, errorcode: e.errorcode, message: e.message, ...(e.debuginfo ? { debuginfo: e.debuginfo } : {}) });
    }
  });
}

function call(p: Platform, req: Request): unknown {
  const fields = formFields(req);
  const token = findMoodleWsToken(p, fields.get('wstoken'));
  if (!token) throw moodleException('invalidtoken', 'Invalid token - token not found');
  // webservice/rest:use is checked as the account logs in, before the function is looked up.
  if (!tokenCan(token, 'webservice/rest:use')) throw accessException();
  const name = fields.get('wsfunction') ?? '';
  const fn = Object.hasOwn(MOODLE_WS_FUNCTIONS, name) ? MOODLE_WS_FUNCTIONS[name] : undefined;
  if (!fn) throw missingRecord('external_functions');
  // A disabled service allows no function: Moodle's query looks for the function in enabled services only.
  if (!token.serviceEnabled || !token.functions.includes(name)) throw accessException();

  for (const k of [...fields.keys()]) {
    if (k === 'wstoken' || k === 'wsfunction' || k.startsWith('moodlews')) fields.delete(k);
  }
  const args = new WsArgs(fields);
  const unexpected = args.names().filter((n) => !fn.params.includes(n));
  if (unexpected.length) throw invalidParameter(`Unexpected keys (${unexpected.join(', ')}) detected in parameter array.`);
  return fn.run(p, args, callerOf(token));
}

const callerOf = (token: MoodleWsToken): WsCaller => ({ can: (capability) => tokenCan(token, capability) });

/** Query then body, names kept flat (the app parses bodies with `extended: false`). */
function formFields(req: Request): Map<string, string> {
  const fields = new Map(new URL(req.originalUrl, 'http://x').searchParams);
  const body: unknown = req.body;
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (typeof v === 'string') fields.set(k, v);
    }
  }
  return fields;
}
