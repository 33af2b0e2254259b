/**
 * REGISTRATION_MODE=approval: a dynamically registered platform waits for an administrator,
 * who approves it from the command line; only then do its courses launch Laurel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolve } from 'node:path';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { Browser, finishLaunch, startLaunch } from '../support/lms.js';
import { decodeEntities } from '../support/html.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { listPlatforms } from '../../src/lti/platforms.js';

const run = promisify(execFile);
const cli = resolve(__dirname, '../../dist/src/cli/platform.js');
let laurel: RunningLaurel;
let emulator: Emulator;

beforeAll(async () => {
  laurel = await startLaurel({ REGISTRATION_MODE: 'approval' });
  emulator = await startEmulator({ flavour: 'moodle' });
});
afterAll(async () => {
  await emulator?.close();
  await laurel?.close();
});

const platformCli = (...args: string[]) => run(process.execPath, [cli, ...args], {
  env: { PATH: process.env.PATH!, MONGODB_URI: laurel.config.mongodbUri!, LAUREL_SECRET: laurel.config.secret, NODE_ENV: 'test' },
});

describe('approval mode', () => {
  it('keeps a new platform inactive until an administrator approves it', async () => {
    const page = await new Browser().go('get', emulator.dynamicRegistrationUrl(laurel.url + '/lti/register'));
    const frame = decodeEntities(page.text.match(/<iframe[^>]*\ssrc="([^"]+)"/i)![1]);
    const registered = await new Browser().go('get', frame);
    expect(registered.text).toContain('must approve this platform');

    const tool = emulator.tools.at(-1)!;
    const platform = (await listPlatforms()).find((p) => p.clientId === tool.clientId)!;
    expect(platform.active).toBe(false);

    const learner = emulator.course.users.find((u) => u.role === 'Learner' && u.status === 'Active')!;
    const connected = { emulator, clientId: tool.clientId, deploymentId: tool.deploymentId };
    await expect(startLaunch(connected, { userId: learner.id })).rejects.toThrow(/login answered 401/);

    const listed = await platformCli('list');
    expect(listed.stdout).toMatch(new RegExp(`${platform.platformId}\\s+pending\\s+${emulator.issuer}`));
    const approved = await platformCli('approve', platform.platformId);
    expect(approved.stdout).toContain('approved');

    const launch = await finishLaunch(await startLaunch(connected, { userId: learner.id }));
    expect(launch.status).toBe(303);
  });
});

describe('registering a platform by hand (npm run platform -- add)', () => {
  it('registers issuer, client id, endpoints and deployments, idempotently', async () => {
    const args = ['add', '--issuer', 'https://moodle.example.edu', '--client-id', 'abc123', '--auth', 'https://moodle.example.edu/mod/lti/auth.php',
      '--token', 'https://moodle.example.edu/mod/lti/token.php', '--jwks', 'https://moodle.example.edu/mod/lti/certs.php', '--deployment', '7', '--deployment', '8'];
    const first = await platformCli(...args);
    expect(first.stdout).toContain('registered https://moodle.example.edu (client id abc123)');
    await platformCli(...args);
    const matching = (await listPlatforms()).filter((p) => p.issuer === 'https://moodle.example.edu');
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ clientId: 'abc123', active: true, deploymentIds: ['7', '8'] });
  });

  it('says which options are missing', async () => {
    await expect(platformCli('add', '--issuer', 'https://moodle.example.edu')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('add needs --client-id, --auth, --token, --jwks, --deployment') });
  });

  it('refuses an endpoint that is not a URL', async () => {
    await expect(platformCli('add', '--issuer', 'moodle', '--client-id', 'x', '--auth', 'a', '--token', 't', '--jwks', 'j', '--deployment', '1'))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('issuer must be an absolute http(s) URL') });
  });
});
