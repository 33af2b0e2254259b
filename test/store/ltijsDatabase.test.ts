/**
 * ltijs on Laurel's keyed storage (store/ltijsDatabase.ts) does all ltijs did on its own, the
 * look-ups that name no key included: registering a platform again, finding one by issuer alone
 * or by its id, moving it to another client id, deactivating and deleting it, publishing its
 * key, refusing a nonce twice. Through ltijs's own API, as its Provider calls its Database.
 */
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LtijsPlatform } from 'ltijs';
import { startLaurel, type RunningLaurel } from '../support/laurel.js';
import { lti } from '../../src/lti/provider.js';
import { ltijsRecordId } from '../../src/store/ltijsRecords.js';

let laurel: RunningLaurel;
const db = () => mongoose.connection.db!;
const url = 'https://moodle.example.edu';
const registration = {
  url, name: 'Example Moodle', clientId: 'first-client', authenticationEndpoint: `${url}/mod/lti/auth.php`,
  accesstokenEndpoint: `${url}/mod/lti/token.php`, authConfig: { method: 'JWK_SET' as const, key: `${url}/mod/lti/certs.php` },
};
type Provider = typeof lti & {
  updatePlatformById(id: string, info: { clientId: string }): Promise<LtijsPlatform | false>;
  deletePlatformById(id: string): Promise<true>;
  Database: { Insert(key: false, collection: string, item: object): Promise<true> };
};
const provider = lti as Provider;

beforeAll(async () => { laurel = await startLaurel(); });
afterAll(async () => { await laurel?.close(); });

describe('ltijs on keyed storage', () => {
  let platformId: string;

  it('registers a platform under its issuer and client id, and registering it again updates it', async () => {
    const platform = await lti.registerPlatform(registration);
    platformId = await platform.platformKid();
    await lti.registerPlatform({ ...registration, name: 'Renamed Moodle' });
    const stored = await db().collection('platforms').find({}).toArray();
    expect(stored).toEqual([expect.objectContaining({ _id: ltijsRecordId('platform', { platformUrl: url, clientId: 'first-client' }), platformName: 'Renamed Moodle', kid: platformId })]);
    expect(await db().collection('privatekeys').find({}, { projection: { _id: 1, kid: 1 } }).toArray()).toEqual([{ _id: ltijsRecordId('privatekey', { kid: platformId }), kid: platformId }]);
  });

  it('finds it by issuer alone, by its id, and among all', async () => {
    const byIssuer = await lti.getPlatform(url);
    expect(Array.isArray(byIssuer) && (await Promise.all(byIssuer.map((p) => p.platformClientId())))).toEqual(['first-client']);
    expect(await (await lti.getPlatformById(platformId) as LtijsPlatform).platformName()).toBe('Renamed Moodle');
    expect(await Promise.all((await lti.getAllPlatforms()).map((p) => p.platformKid()))).toEqual([platformId]);
    expect(await lti.getPlatform(url, 'another-client')).toBe(false);
  });

  it('decrypts its key pair, and publishes the public key', async () => {
    const platform = (await lti.getPlatform(url, 'first-client')) as LtijsPlatform;
    expect(await platform.platformPrivateKey()).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const jwks = await (await fetch(`${laurel.url}/lti/keys`)).json() as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([platformId]);
  });

  it('moves it under its new key when its client id changes, with its key pair and status', async () => {
    const platform = await lti.getPlatform(url, 'first-client') as LtijsPlatform;
    await platform.platformActive(false);
    await provider.updatePlatformById(platformId, { clientId: 'second-client' });
    expect(await lti.getPlatform(url, 'first-client')).toBe(false);
    const moved = await lti.getPlatform(url, 'second-client') as LtijsPlatform;
    expect(await moved.platformKid()).toBe(platformId);
    expect(await moved.platformActive()).toBe(false);
    expect(await moved.platformPrivateKey()).toMatch(/PRIVATE KEY/);
    expect(await db().collection('platforms').find({}, { projection: { _id: 1 } }).toArray()).toEqual([{ _id: ltijsRecordId('platform', { platformUrl: url, clientId: 'second-client' }) }]);
    expect(await db().collection('publickeys').findOne({ kid: platformId })).toMatchObject({ clientId: 'second-client' });
  });

  it('refuses a nonce a second time, as ltijs\'s check-then-insert meant to', async () => {
    await provider.Database.Insert(false, 'nonce', { nonce: 'once' });
    await expect(provider.Database.Insert(false, 'nonce', { nonce: 'once' })).rejects.toMatchObject({ code: 11000 });
  });

  it('deletes the platform with its status and key pair', async () => {
    await provider.deletePlatformById(platformId);
    for (const name of ['platforms', 'platformstatuses', 'publickeys', 'privatekeys']) expect(await db().collection(name).countDocuments({}), name).toBe(0);
  });
});
