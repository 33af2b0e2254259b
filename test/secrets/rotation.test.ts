/**
 * Changing LAUREL_SECRET (README, "Changing LAUREL_SECRET"), on the real database and real
 * processes: a Laurel under the old secret registers a platform and issues a badge; under the new
 * secret with the old one as LAUREL_SECRET_PREVIOUS it still launches and signs; `npm run secrets
 * -- reseal` moves every secret at rest (Laurel's issuer keys, ltijs's LTI tool keys) under the new
 * secret, safely twice; then the old secret is not needed any more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { loadConfig, ConfigError } from '../../config/index.js';
import { startLaurel } from '../support/laurel.js';
import { connectEmulator, finishLaunch, startLaunch, type Connected } from '../support/lms.js';
import { verifyDataIntegrity } from '../support/outsideVerifier.js';
import { configureSealing, keyIdOf, sealedKeyId } from '../../src/secrets/sealed.js';
import { ltijsDecrypt, ltijsEncrypt, readLtijsWithPreviousSecrets, type LtijsEncrypted } from '../../src/secrets/ltijsData.js';
import { resealAll } from '../../src/store/reseal.js';
import { subjectKeyOf } from '../../src/store/subjectKey.js';
import { IssuerKeySetModel, resealIssuerKeys, rotateIssuerKeys, signingKeys } from '../../src/store/issuerKeys.js';
import { issuerKeyOf } from '../../src/store/issuerProfile.js';

const OLD = randomBytes(32).toString('hex');
const NEW = randomBytes(32).toString('hex');
const WRONG = randomBytes(32).toString('hex');
const dist = (file: string) => resolve(__dirname, '../../dist/src', file);

let c: Connected;
let uri: string;
let port: number;
let url: string;
let issuerKey: string;
let badgeId: string;
let firstCredential: Record<string, unknown>;
/** Everything the child processes printed, for the last check. */
let printed = '';

function run(file: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [dist(file), ...args], {
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, NODE_ENV: 'test', LOG_LEVEL: 'info', MONGODB_URI: uri, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; printed += d; });
  child.stderr.on('data', (d) => { err += d; printed += d; });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  return { child, exited, out: () => out, err: () => err };
}

/** A Laurel in a process of its own on the shared port, as `npm start` runs it. */
async function startServer(env: Record<string, string>) {
  const p = run('server.js', [], { PORT: String(port), SYNC_INTERVAL_MINUTES: '0', ...env });
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return p;
    if (p.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  p.child.kill('SIGKILL');
  throw new Error(`Laurel did not start: ${p.err()}`);
}

async function stopServer(p: ReturnType<typeof run>) {
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
}

async function reseal(env: Record<string, string>) {
  const p = run('cli/secrets.js', ['reseal'], env);
  return { code: await p.exited, out: p.out(), err: p.err() };
}

/** Launches as the instructor and awards `learner` the badge; the credential, fetched as anyone would. */
async function award(nth: number) {
  const instructor = c.emulator.course.users.find((u) => u.role === 'Instructor')!;
  const learner = c.emulator.course.users.filter((u) => u.role === 'Learner' && u.status === 'Active')[nth]!;
  const launched = await finishLaunch(await startLaunch(c, { userId: instructor.id }));
  expect(launched.status).toBe(303);
  const ltik = new URL(launched.headers.location, url).searchParams.get('ltik')!;
  const api = request(url);
  // The grade book comes over AGS with a token Laurel asks for with ltijs's private key for the platform.
  const columns = await api.get('/api/course/line-items').set('Authorization', `Bearer ${ltik}`);
  expect(columns.status).toBe(200);
  if (!badgeId) {
    const created = await api.post('/api/course/badges').set('Authorization', `Bearer ${ltik}`)
      .send({ name: 'Rotation', rules: { kind: 'all', rules: [{ kind: 'minGrade', lineItemId: columns.body.lineItems[0].id, percent: 0 }] } });
    expect(created.status).toBe(201);
    badgeId = created.body.id;
  }
  const awarded = await api.post('/api/course/awards').set('Authorization', `Bearer ${ltik}`).send({ badgeId, userId: learner.id });
  expect(awarded.status, awarded.text).toBe(201);
  const credential = await api.get(new URL(awarded.body.links.credential).pathname);
  expect(credential.status).toBe(200);
  return credential.body as Record<string, unknown>;
}

const connect = async () => { if (mongoose.connection.readyState !== 1) await mongoose.connect(uri); };
const sealedIds = async () => (await IssuerKeySetModel.find().lean()).flatMap((s) => s.keys.map((k) => sealedKeyId(k.sealedSecret)));
const ltijsDocs = async (collection: string) => mongoose.connection.db!.collection<LtijsEncrypted>(collection).find().toArray();

beforeAll(async () => {
  // Under the old secret: the platform is registered (ltijs makes its tool key pair), a badge is issued.
  const first = await startLaurel({ LAUREL_SECRET: OLD, SYNC_INTERVAL_MINUTES: '0' });
  uri = first.config.mongodbUri!;
  port = first.config.port;
  url = first.url;
  c = await connectEmulator(first, 'canvas');
  issuerKey = issuerKeyOf({ issuer: c.emulator.issuer, clientId: c.clientId });
  firstCredential = await award(0);
  expect((await verifyDataIntegrity(firstCredential)).verified).toBe(true);
  await first.running.stop(); // keeps the database
  await connect();
});

afterAll(async () => {
  await connect().catch(() => {});
  await mongoose.connection.db?.dropDatabase().catch(() => {});
  await mongoose.disconnect();
  await c?.emulator.close();
});

describe('changing LAUREL_SECRET', () => {
  it('starts from secrets at rest that only the old secret opens, none in clear', async () => {
    expect(new Set(await sealedIds())).toEqual(new Set([keyIdOf(OLD)]));
    for (const collection of ['privatekeys', 'publickeys']) {
      const docs = await ltijsDocs(collection);
      expect(docs).toHaveLength(1);
      expect(ltijsDecrypt(docs[0]!, OLD)).toContain('"kid"');
      expect(ltijsDecrypt(docs[0]!, NEW)).toBeUndefined();
      expect(JSON.stringify(docs)).not.toMatch(/PRIVATE KEY|PUBLIC KEY/);
    }
  });

  it('refuses, naming LAUREL_SECRET_PREVIOUS, when the old secret is missing or wrong', async () => {
    for (const previous of [[], [WRONG]]) {
      configureSealing(NEW, previous);
      await expect(signingKeys(issuerKey)).rejects.toThrow(/sealed under another LAUREL_SECRET \(key id .*\)\. Set LAUREL_SECRET_PREVIOUS to the secret that sealed it/);
      const ltijs: Parameters<typeof readLtijsWithPreviousSecrets>[0] = { Decrypt: async () => '' };
      readLtijsWithPreviousSecrets(ltijs, previous);
      const [privateKey] = await ltijsDocs('privatekeys');
      await expect(ltijs.Decrypt(privateKey!.data, privateKey!.iv, NEW)).rejects.toThrow(/encrypted under another LAUREL_SECRET\. Set LAUREL_SECRET_PREVIOUS/);
    }
    const refused = await reseal({ LAUREL_SECRET: NEW });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/cannot read issuerkeysets .*Set LAUREL_SECRET_PREVIOUS/);
    expect(refused.err).toMatch(/cannot read privatekeys .*set LAUREL_SECRET_PREVIOUS/);
    expect(new Set(await sealedIds())).toEqual(new Set([keyIdOf(OLD)])); // left as they were
  });

  it('checks LAUREL_SECRET_PREVIOUS like LAUREL_SECRET, never echoing it', () => {
    const short = 'old-but-short';
    const err = (() => { try { loadConfig({ LAUREL_SECRET: NEW, LAUREL_SECRET_PREVIOUS: `${OLD},${short}` }); } catch (e) { return e as ConfigError; } })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toMatch(/^LAUREL_SECRET_PREVIOUS must be .* at least 32 characters \(got "secret 2 of 2 has 13 characters"\)$/);
    expect(err!.message).not.toContain(short);
    expect(loadConfig({ LAUREL_SECRET: NEW, LAUREL_SECRET_PREVIOUS: ` ${OLD} , ${WRONG}` }).previousSecrets).toEqual([OLD, WRONG]);
  });

  it('with the old secret as LAUREL_SECRET_PREVIOUS, opens what it sealed and seals anew under the new one', async () => {
    configureSealing(NEW, [OLD]);
    const keys = await signingKeys(issuerKey);
    expect(keys.ed25519.secretKeyMultibase).toMatch(/^z/);
    // A key rotation now leaves one document half under each secret, as an interrupted re-seal would.
    await rotateIssuerKeys(issuerKey);
    expect(new Set(await sealedIds())).toEqual(new Set([keyIdOf(OLD), keyIdOf(NEW)]));
  });

  it('with the old secret as LAUREL_SECRET_PREVIOUS, Laurel under the new one launches, reaches the LMS and signs', async () => {
    const laurel = await startServer({ LAUREL_SECRET: NEW, LAUREL_SECRET_PREVIOUS: OLD });
    try {
      const credential = await award(1);
      expect((await verifyDataIntegrity(credential)).verified).toBe(true);
      const jwks = await request(url).get('/lti/keys');
      expect(jwks.status).toBe(200);
      expect(jwks.body.keys).toHaveLength(1);
    } finally {
      await stopServer(laurel);
    }
  });

  it('re-seals everything under the new secret; a second run finds nothing to do', async () => {
    const first = await reseal({ LAUREL_SECRET: NEW, LAUREL_SECRET_PREVIOUS: OLD });
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`re-sealing under LAUREL_SECRET (key id ${keyIdOf(NEW)}), reading with LAUREL_SECRET_PREVIOUS (key ids ${keyIdOf(OLD)})`);
    expect(first.out).toContain('issuerkeysets: 1 re-sealed, 0 already under LAUREL_SECRET');
    expect(first.out).toContain('privatekeys: 1 re-sealed, 0 already under LAUREL_SECRET');
    expect(first.out).toContain('publickeys: 1 re-sealed, 0 already under LAUREL_SECRET');
    expect(first.out).toContain('LAUREL_SECRET_PREVIOUS is no longer needed');

    expect(new Set(await sealedIds())).toEqual(new Set([keyIdOf(NEW)]));
    for (const collection of ['privatekeys', 'publickeys']) {
      for (const doc of await ltijsDocs(collection)) {
        expect(ltijsDecrypt(doc, NEW)).toContain('"kid"');
        expect(ltijsDecrypt(doc, OLD)).toBeUndefined();
      }
    }
    const generation = (await IssuerKeySetModel.findById(issuerKey).lean())!.generation;
    const privateKeys = JSON.stringify(await ltijsDocs('privatekeys'));

    const again = await reseal({ LAUREL_SECRET: NEW, LAUREL_SECRET_PREVIOUS: OLD });
    expect(again.code).toBe(0);
    expect(again.out).toContain('issuerkeysets: 0 re-sealed, 1 already under LAUREL_SECRET');
    expect(again.out).toContain('privatekeys: 0 re-sealed, 1 already under LAUREL_SECRET');
    expect((await IssuerKeySetModel.findById(issuerKey).lean())!.generation).toBe(generation); // not rewritten
    expect(JSON.stringify(await ltijsDocs('privatekeys'))).toBe(privateKeys);
  });

  it('then the old secret is not needed: Laurel under the new one alone launches, reaches the LMS, signs, and earlier badges still verify', async () => {
    configureSealing(NEW);
    await expect(signingKeys(issuerKey)).resolves.toBeDefined();
    const laurel = await startServer({ LAUREL_SECRET: NEW });
    try {
      const credential = await award(2);
      expect((await verifyDataIntegrity(credential)).verified).toBe(true);
      expect((await verifyDataIntegrity(firstCredential)).verified).toBe(true);
      expect((await request(url).get('/lti/keys')).status).toBe(200);
    } finally {
      await stopServer(laurel);
    }
  });

  it('finishes a re-seal that was interrupted, even with two running at once, changing no key', async () => {
    configureSealing(OLD);
    const before = await Promise.all(['rotation-a', 'rotation-b'].map((k) => signingKeys(k)));
    const subjectKeyBefore = await subjectKeyOf('rotation-a'); // learners' ids must not change with the secret
    const plain = '{"key":"k","kid":"rotation-c"}';
    await mongoose.connection.db!.collection('privatekeys').insertOne({ kid: 'rotation-c', platformUrl: 'https://lms.example', clientId: 'c', ...ltijsEncrypt(plain, OLD) });
    configureSealing(NEW, [OLD]);
    expect(await resealIssuerKeys('rotation-a')).toBe(true); // the interrupted run got this far
    const runs = await Promise.all([resealAll(NEW, [OLD]), resealAll(NEW, [OLD])]);
    expect(runs.flatMap((r) => r.unreadable)).toEqual([]);
    // Each document was re-sealed by one run or the other (on MongoDB exactly once; FerretDB's
    // conditional updates are not atomic, so there both may write the same secret, which is harmless).
    const resealed = (collection: string) => runs.map((r) => r.counts.find((x) => x.collection === collection)!.resealed);
    expect(Math.max(...resealed('issuerkeysets'))).toBe(1); // rotation-b
    expect(Math.max(...resealed('privatekeys'))).toBe(1);
    expect(new Set(await sealedIds())).toEqual(new Set([keyIdOf(NEW)]));
    configureSealing(NEW);
    expect(await Promise.all(['rotation-a', 'rotation-b'].map((k) => signingKeys(k)))).toEqual(before);
    expect(Math.max(...resealed('subjectkeys'))).toBeGreaterThanOrEqual(1);
    expect((await subjectKeyOf('rotation-a')).equals(subjectKeyBefore)).toBe(true);
    const doc = await mongoose.connection.db!.collection<LtijsEncrypted>('privatekeys').findOne({ kid: 'rotation-c' });
    expect(ltijsDecrypt(doc!, NEW)).toBe(plain);
    const after = await resealAll(NEW, []);
    expect(after.counts.every((c) => c.resealed === 0) && after.unreadable.length === 0).toBe(true);
  });

  it('printed neither secret, in logs or in the command\'s output', () => {
    expect(printed.length).toBeGreaterThan(0);
    for (const secret of [OLD, NEW]) expect(printed).not.toContain(secret);
    expect(printed).not.toMatch(/PRIVATE KEY/);
  });
});
