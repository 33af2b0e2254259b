/**
 * OpenID4VCI's single-use values under requests sent at once (a wallet retrying, or someone who
 * copied the QR code): a pre-authorized code gives one access token, a c_nonce is accepted once,
 * and an offer's tx_code is tried three times in all, however many guesses arrive together.
 * Against the real FerretDB, which runs findAndModify as a read then a write.
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { setPublicBase } from '../../src/publicBase.js';
import { findOffer, saveOffer } from '../../src/store/oid4vciOffer.js';
import { saveNonce, takeNonce } from '../../src/store/oid4vciNonce.js';
import { accessTokenGrant } from '../../src/store/oid4vciAccessToken.js';
import { redeemPreAuthorizedCode } from '../../src/wallets/oid4vci/token.js';
import { Oid4vciError } from '../../src/wallets/oid4vci/errors.js';
import { useTestDatabase } from '../support/database.js';

useTestDatabase();
beforeAll(async () => {
  setPublicBase('https://laurel.example.edu');
});

const issuerKey = 'issuer-1';
const GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';
const at = <T>(n: number, fn: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i)));

async function newOffer(txCode?: string): Promise<string> {
  const code = randomBytes(16).toString('base64url');
  await saveOffer({ preAuthorizedCode: code, ...(txCode ? { txCode } : {}), publicId: 'award-1', issuerKey, expiresAt: new Date(Date.now() + 600_000) });
  return code;
}

/** What the token endpoint answered: a token, or the refusal's description. */
async function redeem(code: string, txCode?: string): Promise<{ token?: string; refused?: string }> {
  try {
    const { access_token } = await redeemPreAuthorizedCode(issuerKey, { grant_type: GRANT, 'pre-authorized_code': code, ...(txCode ? { tx_code: txCode } : {}) });
    return { token: access_token };
  } catch (err) {
    if (err instanceof Oid4vciError) return { refused: err.description };
    throw err;
  }
}

describe('a pre-authorized code redeemed by twenty requests at once', () => {
  it('gives one access token; the others are refused', async () => {
    for (const txCode of [undefined, '123456', undefined, '123456', undefined]) {
      const code = await newOffer(txCode);
      const answers = await at(20, () => redeem(code, txCode));
      const tokens = answers.filter((a) => a.token).map((a) => a.token!);
      expect(tokens).toHaveLength(1);
      expect(await accessTokenGrant(tokens[0]!)).toMatchObject({ publicId: 'award-1' });
      expect(await findOffer(code)).toBeNull();
    }
  });
});

describe('twenty tx_code guesses at once', () => {
  it('are judged three at most, the right code among them or not, and spend the offer', async () => {
    for (let round = 0; round < 3; round++) {
      const code = await newOffer('123456');
      // The right code is the last guess sent: three tries allow it only if it is judged among the first three.
      const guesses = Array.from({ length: 20 }, (_, i) => (i === 19 ? '123456' : String(900000 + i)));
      const answers = await at(20, (i) => redeem(code, guesses[i]));
      const judged = answers.filter((a) => a.token || /transaction code is wrong/.test(a.refused ?? ''));
      expect(judged.length, `round ${round}`).toBeLessThanOrEqual(3);
      expect(await findOffer(code), `round ${round}`).toBeNull();
      expect((await redeem(code, '123456')).token).toBeUndefined();
    }
  });
});

describe('three wrong tx_codes at once', () => {
  it('spend the offer: the right code comes too late', async () => {
    for (let round = 0; round < 5; round++) {
      const code = await newOffer('123456');
      await at(3, (i) => redeem(code, String(900000 + i)));
      expect(await findOffer(code), `round ${round}`).toBeNull();
      expect((await redeem(code, '123456')).token, `round ${round}`).toBeUndefined();
    }
  });
});

describe('a c_nonce sent by twenty requests at once', () => {
  it('is accepted once', async () => {
    for (let round = 0; round < 5; round++) {
      const nonce = randomBytes(16).toString('base64url');
      await saveNonce(nonce, { issuerKey, expiresAt: new Date(Date.now() + 300_000) });
      const answers = await at(20, () => takeNonce(nonce, issuerKey));
      expect(answers.filter(Boolean), `round ${round}`).toHaveLength(1);
    }
  });
});
