import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDataIntegrity } from '../../src/credentials/dataIntegrity.js';
import type { JsonObject } from '../../src/credentials/documentLoader.js';
import { generateIssuerKeys, type Ed25519Key, type RsaKey } from '../../src/credentials/keys.js';
import type { AwardFacts, StatusEntry } from '../../src/credentials/model.js';
import { openBadgeCredential } from '../../src/credentials/openBadgeCredential.js';
import { encodeStatusList, statusListCredential } from '../../src/credentials/statusList.js';
import { statusListUrl } from '../../src/credentials/urls.js';
import { signVcJwt } from '../../src/credentials/vcJwt.js';
import { verifyOpenBadge } from '../../src/credentials/verifyCredential.js';
import { achievement, award, startIssuerHost, withoutEmail, type IssuerHost } from './fixtures.js';

let host: IssuerHost;
let ed: Ed25519Key;
let rsa: RsaKey;
const now = new Date('2027-06-01T12:00:00Z');

beforeAll(async () => {
  host = await startIssuerHost();
  [ed, rsa] = await generateIssuerKeys(new Date('2026-01-01T00:00:00Z'));
  host.published.ed25519.push(ed);
  host.published.rsa.push(rsa);
  await publishList('l1', [17]);
});
afterAll(() => host.close());

async function publishList(listKey: string, revoked: number[], signer = { ed, host }) {
  const unsigned = statusListCredential({ base: host.base, issuer: signer.host.issuer, listKey, encodedList: encodeStatusList(revoked), validFrom: new Date('2026-01-01T00:00:00Z') });
  const signed = await signDataIntegrity(unsigned, signer.ed, signer.host.issuer.did, signer.host.documentLoader);
  host.statusLists.set(statusListUrl(host.base, listKey), signed);
  return signed;
}

async function issue(o: { award?: Partial<AwardFacts>; status?: StatusEntry } = {}) {
  const unsigned = openBadgeCredential({
    base: host.base, issuer: host.issuer, achievement: achievement(), recipient: withoutEmail,
    award: award({ awardedAt: new Date('2026-11-23T10:00:00Z'), validUntil: new Date('2028-11-23T10:00:00Z'), ...o.award }),
    status: o.status ?? { listKey: 'l1', index: 4242 },
  });
  const credential = await signDataIntegrity(unsigned, ed, host.issuer.did, host.documentLoader);
  return { credential, jwt: await signVcJwt(credential, rsa, host.issuer.did) };
}

const verify = (c: { credential: JsonObject; jwt?: string }, at = now) => verifyOpenBadge({
  ...c, documentLoader: host.documentLoader, resolveKey: host.resolveKey, fetchStatusList: host.fetchStatusList, now: at,
});

describe('verifying an Open Badge as an outside verifier would', () => {
  it('a current, unrevoked badge is valid: both proofs and the status list verify', async () => {
    expect(await verify(await issue())).toEqual({
      status: 'valid',
      checks: { proof: true, jwt: true, statusList: true, revoked: false, expired: false, notYetValid: false },
      errors: [],
    });
  });

  it('a revoked award is reported revoked, its proofs still valid', async () => {
    const result = await verify(await issue({ status: { listKey: 'l1', index: 17 } }));
    expect(result.status).toBe('revoked');
    expect(result.checks).toMatchObject({ proof: true, jwt: true, statusList: true, revoked: true, expired: false });
  });

  it('an award past its validUntil is reported expired, not forged', async () => {
    const result = await verify(await issue({ award: { validUntil: new Date('2027-01-01T00:00:00Z') } }));
    expect(result.status).toBe('expired');
    expect(result.checks).toMatchObject({ proof: true, jwt: true, statusList: true, revoked: false, expired: true });
  });

  it('revocation outranks expiry', async () => {
    const result = await verify(await issue({ award: { validUntil: new Date('2027-01-01T00:00:00Z') }, status: { listKey: 'l1', index: 17 } }));
    expect(result.status).toBe('revoked');
    expect(result.checks).toMatchObject({ revoked: true, expired: true });
  });

  it('a badge that never expires stays valid years later', async () => {
    const result = await verify(await issue({ award: { validUntil: undefined } }), new Date('2040-01-01T00:00:00Z'));
    expect(result.status).toBe('valid');
  });

  it('a badge checked before its validFrom is invalid', async () => {
    const result = await verify(await issue(), new Date('2026-01-01T00:00:00Z'));
    expect(result.status).toBe('invalid');
    expect(result.checks.notYetValid).toBe(true);
  });

  it('a changed credential is invalid, whatever the JWT says', async () => {
    const { credential, jwt } = await issue();
    const forged = { ...credential, name: 'Lab Safety — Level 3' };
    const result = await verify({ credential: forged, jwt });
    expect(result.status).toBe('invalid');
    expect(result.checks).toMatchObject({ proof: false, jwt: false });
    expect(result.errors.join(' ')).toMatch(/Data Integrity proof/);
  });

  it('a JWT carrying another credential than the one shown is invalid', async () => {
    const one = await issue();
    const other = await issue({ award: { publicId: 'another-award' } });
    const result = await verify({ credential: one.credential, jwt: other.jwt });
    expect(result.status).toBe('invalid');
    expect(result.checks).toMatchObject({ proof: true, jwt: false });
  });

  it('without a JWT, the Data Integrity proof alone decides', async () => {
    const { credential } = await issue();
    const result = await verify({ credential });
    expect(result.status).toBe('valid');
    expect('jwt' in result.checks).toBe(false);
  });

  it('a status list that cannot be read makes the status unknown: invalid, saying which list', async () => {
    const result = await verify(await issue({ status: { listKey: 'missing', index: 1 } }));
    expect(result.status).toBe('invalid');
    expect(result.checks.statusList).toBe(false);
    expect(result.errors.join(' ')).toContain(statusListUrl(host.base, 'missing'));
  });

  it('a status list whose bits were changed after signing does not count (a hidden revocation)', async () => {
    const signed = await publishList('l2', [99]);
    host.statusLists.set(statusListUrl(host.base, 'l2'), { ...signed, credentialSubject: { ...signed.credentialSubject, encodedList: encodeStatusList([]) } });
    const result = await verify(await issue({ status: { listKey: 'l2', index: 99 } }));
    expect(result.status).toBe('invalid');
    expect(result.checks).toMatchObject({ statusList: false, revoked: false });
  });

  it('a status list signed by another issuer cannot revoke, nor vouch for, this issuer\'s badges', async () => {
    const other = await startIssuerHost('other');
    try {
      const [otherEd] = await generateIssuerKeys(new Date());
      other.published.ed25519.push(otherEd);
      await publishList('l3', [], { ed: otherEd, host: other });
      const result = await verify(await issue({ status: { listKey: 'l3', index: 5 } }));
      expect(result.status).toBe('invalid');
      expect(result.checks.statusList).toBe(false);
      expect(result.errors.join(' ')).toMatch(/not by the credential's issuer/);
    } finally {
      await other.close();
    }
  });
});
