/**
 * Laurel's configuration: read once from the environment, validated at start.
 * A bad value stops the process with one line naming the variable and what it expects.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type RegistrationMode = 'open' | 'approval';
export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  nodeEnv: NodeEnv;
  port: number;
  /** Where the LMS and browsers reach Laurel, without a trailing slash. */
  publicUrl: string;
  /** Unset: Laurel starts a local FerretDB under `dataDir`. */
  mongodbUri: string | undefined;
  registrationMode: RegistrationMode;
  /** Encrypts keys at rest (Laurel's and ltijs's) and signs session tokens. */
  secret: string;
  /** Earlier LAUREL_SECRETs during a rotation: read with, never written with. */
  previousSecrets: string[];
  dataDir: string;
  /** Express `trust proxy`: false, true, a hop count or a list of addresses. */
  trustProxy: boolean | number | string;
  logLevel: string;
  /** How long start-up keeps trying to reach the database; 0 tries once. */
  databaseConnectTimeoutSeconds: number;
  sessionMaxAgeMinutes: number;
  /** Background re-evaluation of each active course; 0 turns it off. */
  syncIntervalMinutes: number;
  /** Courses one instance evaluates at once in the background. */
  syncConcurrency: number;
  /** How often an instance looks for courses due for background evaluation. */
  syncTickSeconds: number;
  /** How long a job's instance may go silent before another instance takes the job over. */
  jobLeaseSeconds: number;
  /**
   * Days a course's personal data is kept after it was last launched (privacy/retention/), unless a
   * platform's administrator sets their own; 0 keeps it forever.
   */
  retentionDays: number;
  /** How learners and instructors are told (awards, approvals, revocations, expiry): see Messages. */
  messages: Messages;
  rateLimits: RateLimits;
}

/**
 * Telling learners and instructors: through the LMS where its API is connected, else by e-mail
 * through the institution's SMTP server. Without SMTP_URL, only the LMS's messaging is used.
 */
export interface Messages {
  /** The SMTP server, smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start), with its credentials. */
  smtpUrl?: string;
  /** The sender of Laurel's e-mails, e.g. "Badges <badges@school.edu>"; required with smtpUrl. */
  smtpFrom?: string;
  /** Days before a credential expires that its learner is reminded; 0 sends no reminder. */
  expiryReminderDays: number;
  /** How often an instance looks for messages to send; 0: this instance sends none. */
  tickSeconds: number;
}

/**
 * Requests one client address may make in a window, by kind of endpoint; 0 turns that limit off.
 * Counted per instance (in memory): behind a load balancer each instance counts on its own.
 */
export interface RateLimits {
  windowSeconds: number;
  /** LTI login initiation and launch (two or three requests a launch): a whole class may share one campus address. */
  launch: number;
  /** Dynamic registration: an administrator's rare visit. */
  registration: number;
  /** The public badge URLs (verification page, credentials, issuers, status lists): verifiers and employers. */
  public: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, expected: string, got: string | undefined) {
    super(`${variable} ${expected}${got === undefined ? '' : ` (got "${got}")`}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`, raw);
  return raw as T;
}

function integer(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}`, raw);
  return n;
}

function publicUrl(env: Env, port: number): string {
  const raw = env.PUBLIC_URL;
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('PUBLIC_URL', 'must be an absolute http(s) URL such as https://badges.example.edu', raw);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('PUBLIC_URL', 'must start with https:// (or http:// for local use)', raw);
  if (url.search || url.hash) throw new ConfigError('PUBLIC_URL', 'must not carry a query or fragment', raw);
  return url.toString().replace(/\/$/, '');
}

function mongodbUri(env: Env): string | undefined {
  const raw = env.MONGODB_URI;
  if (raw === undefined || raw === '') return undefined;
  if (!/^mongodb(\+srv)?:\/\/[^/]+/.test(raw)) throw new ConfigError('MONGODB_URI', 'must be a MongoDB connection string such as mongodb://host:27017/laurel', raw.replace(/\/\/[^@]*@/, '//***@'));
  return raw;
}

function trustProxy(env: Env): Config['trustProxy'] {
  const raw = env.TRUST_PROXY;
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^[\w.:/, -]+$/.test(raw)) return raw; // addresses, subnets or names such as "loopback"
  throw new ConfigError('TRUST_PROXY', 'must be true, false, a number of proxy hops, or a comma-separated list of proxy addresses', raw);
}

/** Outside production a missing secret is made once and kept in the data folder, so restarts keep keys readable. */
function secret(env: Env, nodeEnv: NodeEnv, dataDir: string): string {
  const raw = env.LAUREL_SECRET;
  if (raw !== undefined && raw !== '') {
    if (raw.length < 32) throw new ConfigError('LAUREL_SECRET', 'must be at least 32 characters (try: openssl rand -hex 32)', `${raw.length} characters`);
    return raw;
  }
  if (nodeEnv === 'production') throw new ConfigError('LAUREL_SECRET', 'is required in production: at least 32 random characters (try: openssl rand -hex 32)', undefined);
  const file = resolve(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const made = randomBytes(32).toString('hex');
  writeFileSync(file, made, { mode: 0o600 });
  return made;
}

/** LAUREL_SECRET_PREVIOUS: the secrets being rotated away from, comma-separated. Lengths only in errors, never values. */
function previousSecrets(env: Env): string[] {
  const raw = env.LAUREL_SECRET_PREVIOUS;
  if (raw === undefined || raw.trim() === '') return [];
  const secrets = raw.split(',').map((s) => s.trim());
  const short = secrets.findIndex((s) => s.length < 32);
  if (short >= 0) throw new ConfigError('LAUREL_SECRET_PREVIOUS', 'must be the earlier LAUREL_SECRET values, comma-separated, each at least 32 characters', `secret ${short + 1} of ${secrets.length} has ${secrets[short]!.length} characters`);
  return secrets;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = integer(env, 'PORT', 1, 65535, 3000);
  const dataDir = resolve(env.DATA_DIR || 'data');
  return {
    nodeEnv,
    port,
    publicUrl: publicUrl(env, port),
    mongodbUri: mongodbUri(env),
    registrationMode: oneOf(env, 'REGISTRATION_MODE', ['open', 'approval'] as const, nodeEnv === 'production' ? 'approval' : 'open'),
    secret: secret(env, nodeEnv, dataDir),
    previousSecrets: previousSecrets(env),
    dataDir,
    trustProxy: trustProxy(env),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, nodeEnv === 'test' ? 'silent' : 'info'),
    databaseConnectTimeoutSeconds: integer(env, 'DATABASE_CONNECT_TIMEOUT_SECONDS', 0, 24 * 3600, 60),
    sessionMaxAgeMinutes: integer(env, 'SESSION_MAX_AGE_MINUTES', 5, 7 * 24 * 60, 8 * 60),
    syncIntervalMinutes: integer(env, 'SYNC_INTERVAL_MINUTES', 0, 7 * 24 * 60, 60),
    syncConcurrency: integer(env, 'SYNC_CONCURRENCY', 1, 64, 4),
    syncTickSeconds: integer(env, 'SYNC_TICK_SECONDS', 1, 3600, 60),
    jobLeaseSeconds: integer(env, 'JOB_LEASE_SECONDS', 2, 3600, 60),
    retentionDays: retentionDays(env),
    messages: messages(env),
    rateLimits: rateLimits(env, nodeEnv),
  };
}

/**
 * RETENTION_DAYS: a year by default (a re-sit and an appeal fit in it). The bounds are the admin
 * page's (store/platformSettings.ts): longer than the background sync's 60 days, at most ten years.
 */
function retentionDays(env: Env): number {
  const raw = env.RETENTION_DAYS;
  if (raw === undefined || raw === '') return 365;
  if (!/^\d+$/.test(raw) || (Number(raw) !== 0 && (Number(raw) < 90 || Number(raw) > 3650))) {
    throw new ConfigError('RETENTION_DAYS', 'must be a whole number of days from 90 to 3650 (how long a course\'s personal data is kept after it was last launched), or 0 to keep it forever', raw);
  }
  return Number(raw);
}

/** SMTP_URL, SMTP_FROM, EXPIRY_REMINDER_DAYS and MESSAGES_TICK_SECONDS. The password is never repeated in an error. */
function messages(env: Env): Messages {
  const expiryReminderDays = integer(env, 'EXPIRY_REMINDER_DAYS', 0, 365, 30);
  const tickSeconds = integer(env, 'MESSAGES_TICK_SECONDS', 0, 3600, 30);
  const raw = env.SMTP_URL;
  if (raw === undefined || raw === '') {
    if (env.SMTP_FROM) throw new ConfigError('SMTP_FROM', 'is set but SMTP_URL is not: give the SMTP server as SMTP_URL too (smtp://user:password@smtp.school.edu:587), or unset SMTP_FROM', undefined);
    return { expiryReminderDays, tickSeconds };
  }
  const shown = raw.replace(/\/\/[^@/]*@/, '//***@');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('SMTP_URL', 'must be an SMTP server URL such as smtp://user:password@smtp.school.edu:587 or smtps://user:password@smtp.school.edu:465', shown);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError('SMTP_URL', 'must start with smtp:// (STARTTLS) or smtps:// (TLS), such as smtp://user:password@smtp.school.edu:587', shown);
  if (!url.hostname) throw new ConfigError('SMTP_URL', 'must name the SMTP server\'s host, such as smtp://user:password@smtp.school.edu:587', shown);
  const from = (env.SMTP_FROM ?? '').trim();
  if (!from) throw new ConfigError('SMTP_FROM', 'is required with SMTP_URL: the address Laurel\'s e-mails come from, such as "Badges <badges@school.edu>"', undefined);
  if (!/^(?:[^<>@\s][^<>@]*<)?[^<>@\s]+@[^<>@\s]+\.[^<>@\s]+>?$/.test(from) || from.includes('<') !== from.endsWith('>')) {
    throw new ConfigError('SMTP_FROM', 'must be an e-mail address, optionally with a name: badges@school.edu or "Badges <badges@school.edu>"', from);
  }
  return { smtpUrl: raw, smtpFrom: from, expiryReminderDays, tickSeconds };
}

/** Off under NODE_ENV=test unless a test sets them: the suite sends many requests from one address. */
function rateLimits(env: Env, nodeEnv: NodeEnv): RateLimits {
  const off = nodeEnv === 'test';
  const limit = (name: string, fallback: number) => integer(env, name, 0, 1_000_000, off ? 0 : fallback);
  return {
    windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 1, 3600, 60),
    launch: limit('RATE_LIMIT_LAUNCH', 600),
    registration: limit('RATE_LIMIT_REGISTRATION', 30),
    public: limit('RATE_LIMIT_PUBLIC', 3000),
  };
}
