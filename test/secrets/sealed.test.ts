/**
 * Secrets at rest: what is sealed reads back only under the same LAUREL_SECRET (or one given as
 * LAUREL_SECRET_PREVIOUS), a changed byte is caught, and a different secret is named as the cause.
 */
import { describe, expect, it } from 'vitest';
import { configureSealing, currentKeyId, keyIdOf, resealed, seal, sealedKeyId, unseal } from '../../src/secrets/sealed.js';

describe('sealed secrets', () => {
  it('reads back what it sealed, and never shows it in the sealed form', () => {
    configureSealing('a'.repeat(40));
    const secret = 'z3u2WQ8y-secret-key-material';
    const sealed = seal(secret);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toContain(Buffer.from(secret).toString('base64url'));
    expect(unseal(sealed)).toBe(secret);
    expect(seal(secret)).not.toBe(sealed); // a fresh IV each time
  });

  it('catches a changed byte', () => {
    configureSealing('a'.repeat(40));
    const sealed = seal('signing key');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] ^= 1;
    parts[4] = body.toString('base64url');
    expect(() => unseal(parts.join('.'))).toThrow(/altered/);
  });

  it('says when another LAUREL_SECRET sealed it', () => {
    configureSealing('a'.repeat(40));
    const sealed = seal('signing key');
    configureSealing('b'.repeat(40));
    expect(() => unseal(sealed)).toThrow(/another LAUREL_SECRET/);
  });

  it('opens what a previous secret sealed, seals only under the current one, and re-seals once', () => {
    configureSealing('a'.repeat(40));
    const old = seal('signing key');
    configureSealing('b'.repeat(40), ['a'.repeat(40)]);
    expect(sealedKeyId(old)).toBe(keyIdOf('a'.repeat(40)));
    expect(unseal(old)).toBe('signing key');
    expect(sealedKeyId(seal('x'))).toBe(currentKeyId());
    expect(currentKeyId()).toBe(keyIdOf('b'.repeat(40)));
    const moved = resealed(old)!;
    expect(sealedKeyId(moved)).toBe(currentKeyId());
    expect(unseal(moved)).toBe('signing key');
    expect(resealed(moved)).toBeUndefined();
    configureSealing('b'.repeat(40));
    expect(unseal(moved)).toBe('signing key');
    expect(() => unseal(old)).toThrow(/Set LAUREL_SECRET_PREVIOUS/);
  });
});
