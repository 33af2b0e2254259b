import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { signDataIntegrity, verifyDataIntegrity } from '../../src/credentials/dataIntegrity.js';
import { generateIssuerKeys } from '../../src/credentials/keys.js';
import { encodeStatusList, isSet, STATUS_LIST_SIZE, statusListCredential } from '../../src/credentials/statusList.js';
import { startIssuerHost, type IssuerHost } from './fixtures.js';

describe('Bitstring Status List v1.0: the encoded list', () => {
  const revoked = [0, 7, 8, 94567, 131071];

  it('decodes with the independent @digitalbazaar/vc-bitstring-status-list to exactly the bits we set', async () => {
    const list = await decodeList({ encodedList: encodeStatusList(revoked) });
    expect(list.length).toBe(STATUS_LIST_SIZE);
    const set: number[] = [];
    for (let i = 0; i < list.length; i++) if (list.getStatus(i)) set.push(i);
    expect(set).toEqual(revoked);
  });

  it('is at least 131,072 entries (16 KB) by default, so a fetch does not reveal which credential is checked', () => {
    expect(STATUS_LIST_SIZE).toBeGreaterThanOrEqual(131072);
    expect(gunzipSync(Buffer.from(encodeStatusList([]).slice(1), 'base64url')).length).toBe(16384);
  });

  it('is multibase base64url (prefix u) of a GZIP stream', () => {
    const encoded = encodeStatusList([3]);
    expect(encoded).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(Buffer.from(encoded.slice(1), 'base64url').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('puts index 0 in the left-most bit of the first byte', () => {
    const bytes = gunzipSync(Buffer.from(encodeStatusList([0, 9], 16).slice(1), 'base64url'));
    expect([...bytes]).toEqual([0b1000_0000, 0b0100_0000]);
  });

  it('reads back what it set, and nothing else', () => {
    const encoded = encodeStatusList(revoked);
    expect(revoked.every((i) => isSet(encoded, i))).toBe(true);
    expect([1, 6, 9, 94566, 94568, 131070].some((i) => isSet(encoded, i))).toBe(false);
  });

  it('refuses an index outside the list, naming it', () => {
    expect(() => encodeStatusList([131072])).toThrow(/131072/);
    expect(() => isSet(encodeStatusList([]), -1)).toThrow(/-1/);
  });
});

describe('Bitstring Status List v1.0: the BitstringStatusListCredential', () => {
  let host: IssuerHost;
  beforeAll(async () => { host = await startIssuerHost(); });
  afterAll(() => host.close());

  it('is a VC 2.0 credential of the issuer whose subject is the revocation list', () => {
    const c = statusListCredential({ base: 'https://badges.example.edu', issuer: { key: 'k', did: 'did:web:badges.example.edu:issuers:k', name: 'U', url: 'https://u.example' }, listKey: 'l1', encodedList: 'uABC', validFrom: new Date('2026-11-23T10:00:00.123Z') });
    expect(c).toEqual({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      id: 'https://badges.example.edu/status/l1',
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: 'did:web:badges.example.edu:issuers:k',
      validFrom: '2026-11-23T10:00:00Z',
      credentialSubject: { id: 'https://badges.example.edu/status/l1#list', type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: 'uABC' },
    });
  });

  it('is signed and verified like any credential, and a flipped bit breaks its proof', async () => {
    const [ed] = await generateIssuerKeys(new Date());
    host.published.ed25519.push(ed);
    const unsigned = statusListCredential({ base: host.base, issuer: host.issuer, listKey: 'l1', encodedList: encodeStatusList([5]), validFrom: new Date() });
    const signed = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
    expect(await verifyDataIntegrity(signed, host.documentLoader)).toEqual({ verified: true });
    const unrevoked = { ...signed, credentialSubject: { ...signed.credentialSubject, encodedList: encodeStatusList([]) } };
    expect((await verifyDataIntegrity(unrevoked, host.documentLoader)).verified).toBe(false);
  });
});
