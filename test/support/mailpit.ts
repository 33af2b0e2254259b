/**
 * Mailpit, a real SMTP server that keeps what it receives and shows it over an HTTP API: the
 * tests send Laurel's e-mails to it and read them back. One for the whole run, started by
 * globalSetup.ts beside FerretDB (scripts/install-mailpit.sh builds it once), on free loopback
 * ports, with its version check off (it would reach for the network), any SMTP credentials
 * accepted over plain SMTP, and no limit on what it keeps (test files share it: each reads only
 * the addresses of its own learners, made unique with `uniqueAddress`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort } from '../../src/store/localFerret.js';

export interface RunningMailpit { smtpUrl: string; apiUrl: string; stop(): Promise<void> }

export async function startMailpit(dir: string): Promise<RunningMailpit> {
  const bin = process.env.MAILPIT_BIN || execFileSync(resolve(__dirname, '../../scripts/install-mailpit.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const [smtp, http] = [await freePort(), await freePort()];
  const child = spawn(bin, [
    '--smtp', `127.0.0.1:${smtp}`, '--listen', `127.0.0.1:${http}`, '--database', `${dir}/mailpit.db`,
    '--disable-version-check', '--max', '0', '--smtp-auth-accept-any', '--smtp-auth-allow-insecure', '--smtp-disable-rdns', '--quiet',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
  const apiUrl = `http://127.0.0.1:${http}`;
  for (const deadline = Date.now() + 20_000; ;) {
    if (await fetch(`${apiUrl}/readyz`).then((r) => r.ok, () => false)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Mailpit did not start (${bin}): ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    // Credentials, as an institution's SMTP server asks for them: Mailpit accepts any, and records the user.
    smtpUrl: `smtp://laurel:test-password@127.0.0.1:${smtp}`,
    apiUrl,
    stop: () => new Promise((ok) => {
      if (child.exitCode !== null) return ok();
      child.once('exit', () => ok());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }),
  };
}

/** The run's Mailpit, as globalSetup.ts passed it to the test processes. */
export function testMailpit(): { smtpUrl: string; apiUrl: string } {
  const smtpUrl = process.env.LAUREL_TEST_MAILPIT_SMTP;
  const apiUrl = process.env.LAUREL_TEST_MAILPIT_API;
  if (!smtpUrl || !apiUrl) throw new Error('LAUREL_TEST_MAILPIT_SMTP is not set: run the tests with vitest (test/support/globalSetup.ts)');
  return { smtpUrl, apiUrl };
}

/** An address of this test file's own: `ada.lovelace@school.edu` → `ada.lovelace.k3x9@school.edu`. */
export function uniqueAddress(address: string, tag = randomBytes(3).toString('hex')): string {
  const [local, domain] = address.split('@');
  return `${local}.${tag}@${domain}`;
}

export interface Mail {
  ID: string;
  Subject: string;
  From: { Name: string; Address: string };
  To: { Name: string; Address: string }[];
  /** The SMTP user who sent it. */
  Username: string;
  Text: string;
  HTML: string;
}

/** Every e-mail Mailpit received for this address, oldest first, with their text and HTML parts. */
export async function mailTo(address: string): Promise<Mail[]> {
  const { apiUrl } = testMailpit();
  const found = await (await fetch(`${apiUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`)).json() as { messages: { ID: string; To: { Address: string }[] }[] };
  const mine = found.messages.filter((m) => m.To.some((t) => t.Address.toLowerCase() === address.toLowerCase())).reverse();
  return Promise.all(mine.map(async (m) => (await fetch(`${apiUrl}/api/v1/message/${m.ID}`)).json() as Promise<Mail>));
}
