import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/index.js';

const secret = 'x'.repeat(40);

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ LAUREL_SECRET: secret, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ LAUREL_SECRET: secret });
    expect(c.port).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.mongodbUri).toBeUndefined();
    expect(c.registrationMode).toBe('open');
    expect([c.syncIntervalMinutes, c.syncConcurrency, c.syncTickSeconds]).toEqual([60, 4, 60]);
    expect(c.retentionDays).toBe(365);
  });

  it('keeps new platforms waiting for approval in production by default', () => {
    expect(loadConfig({ LAUREL_SECRET: secret, NODE_ENV: 'production' }).registrationMode).toBe('approval');
    expect(loadConfig({ LAUREL_SECRET: secret, NODE_ENV: 'production', REGISTRATION_MODE: 'open' }).registrationMode).toBe('open');
  });

  it('derives PUBLIC_URL from PORT and drops a trailing slash', () => {
    expect(loadConfig({ LAUREL_SECRET: secret, PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ LAUREL_SECRET: secret, PUBLIC_URL: 'https://badges.example.edu/' }).publicUrl).toBe('https://badges.example.edu');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'whole number from 1 to 65535'],
    [{ PORT: '70000' }, 'PORT', 'whole number'],
    [{ PUBLIC_URL: 'badges.example.edu' }, 'PUBLIC_URL', 'absolute http(s) URL'],
    [{ PUBLIC_URL: 'ftp://example.edu' }, 'PUBLIC_URL', 'https://'],
    [{ MONGODB_URI: 'postgres://db/laurel' }, 'MONGODB_URI', 'MongoDB connection string'],
    [{ REGISTRATION_MODE: 'closed' }, 'REGISTRATION_MODE', 'open, approval'],
    [{ LAUREL_SECRET: 'short' }, 'LAUREL_SECRET', 'at least 32 characters'],
    [{ TRUST_PROXY: 'maybe?' }, 'TRUST_PROXY', 'true, false'],
    [{ SYNC_CONCURRENCY: '0' }, 'SYNC_CONCURRENCY', 'whole number from 1 to 64'],
    [{ SYNC_TICK_SECONDS: '0.5' }, 'SYNC_TICK_SECONDS', 'whole number from 1 to 3600'],
    [{ SMTP_URL: 'mailto:badges@school.edu' }, 'SMTP_URL', 'smtp:// (STARTTLS) or smtps://'],
    [{ SMTP_URL: 'smtp://user:pw@smtp.school.edu:587' }, 'SMTP_FROM', 'required with SMTP_URL'],
    [{ SMTP_URL: 'smtp://smtp.school.edu', SMTP_FROM: 'badges' }, 'SMTP_FROM', 'an e-mail address'],
    [{ SMTP_FROM: 'badges@school.edu' }, 'SMTP_FROM', 'SMTP_URL is not'],
    [{ EXPIRY_REMINDER_DAYS: '400' }, 'EXPIRY_REMINDER_DAYS', 'whole number from 0 to 365'],
    [{ MESSAGES_TICK_SECONDS: '-1' }, 'MESSAGES_TICK_SECONDS', 'whole number from 0 to 3600'],
  ])('refuses %j naming the variable and what it expects', (env, variable, expected) => {
    const err = errorOf(env as Record<string, string>);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(variable + ' ')).toBe(true);
    expect(err.message).toContain(expected);
    expect(err.message).not.toContain('\n');
  });

  it('tells learners by e-mail only with an SMTP server and a sender, reminds 30 days ahead by default, and hides the SMTP password when refusing its URL', () => {
    expect(loadConfig({ LAUREL_SECRET: secret }).messages).toEqual({ expiryReminderDays: 30, tickSeconds: 30 });
    expect(loadConfig({ LAUREL_SECRET: secret, SMTP_URL: 'smtps://badges:pw@smtp.school.edu:465', SMTP_FROM: 'Badges <badges@school.edu>', EXPIRY_REMINDER_DAYS: '0' }).messages)
      .toEqual({ smtpUrl: 'smtps://badges:pw@smtp.school.edu:465', smtpFrom: 'Badges <badges@school.edu>', expiryReminderDays: 0, tickSeconds: 30 });
    expect(errorOf({ SMTP_URL: 'http://badges:hunter2@smtp.school.edu' }).message).not.toContain('hunter2');
  });

  it('hides a password in a refused MONGODB_URI', () => {
    expect(errorOf({ MONGODB_URI: 'mongo://user:hunter2@db/laurel' }).message).not.toContain('hunter2');
  });

  it('requires LAUREL_SECRET in production, and keeps a generated one across restarts elsewhere', () => {
    expect(errorOf({ NODE_ENV: 'production', LAUREL_SECRET: '' }).variable).toBe('LAUREL_SECRET');
    const dir = mkdtempSync(join(tmpdir(), 'laurel-config-'));
    const first = loadConfig({ DATA_DIR: dir }).secret;
    expect(first).toHaveLength(64);
    expect(loadConfig({ DATA_DIR: dir }).secret).toBe(first);
    expect(readFileSync(join(dir, 'secret'), 'utf8')).toBe(first);
  });
});
